package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/vanthuso/vanthu/signing/certpath"
	"github.com/vanthuso/vanthu/signing/revocation"
	"github.com/vanthuso/vanthu/signing/verify"
)

// Exit code of verify for a document that is neither proven valid nor
// proven invalid (unknown trust, revocation not decided, …).
const exitIndeterminate = 4

// trustFlag collects repeated --trust FILE|DIR.
type trustFlag []string

func (t *trustFlag) String() string     { return strings.Join(*t, ",") }
func (t *trustFlag) Set(s string) error { *t = append(*t, s); return nil }

// verifyJSON is the --json output: the verifier's report and the file.
type verifyJSON struct {
	File string `json:"file"`
	*verify.Report
}

// cmdVerify is `vanthuctl verify [--trust FILE|DIR]... [--offline]
// [--accept-unknown-revocation] [--json]
// [--extract-signed-revision N --out FILE] FILE`.
func (c *cli) cmdVerify(ctx context.Context, args []string) error {
	fs := c.flagSet("verify", "usage.verify")
	var trust trustFlag
	fs.Var(&trust, "trust", c.t("flag.trust"))
	offline := fs.Bool("offline", false, c.t("flag.offline"))
	acceptUnknown := fs.Bool("accept-unknown-revocation", false, c.t("flag.accept-unknown-revocation"))
	asJSON := fs.Bool("json", false, c.t("flag.json"))
	extract := fs.Int("extract-signed-revision", 0, c.t("flag.extract"))
	out := fs.String("out", "", c.t("flag.extract-out"))
	path, err := c.parseWithFile(fs, args)
	if err != nil {
		return err
	}
	if *extract != 0 || *out != "" {
		if *extract <= 0 || *out == "" {
			return c.usageErr("usage.extract-needs-out")
		}
		return c.extractRevision(path, *extract, *out)
	}
	o := verify.Options{}
	// The workstation's trust list (shipped and administrators' entries)
	// and --trust: self-issued certificates are anchors, the others CA
	// certificates to build chains with (Vietnamese signatures do not
	// embed their subordinate CA).
	if o.Anchors, o.Intermediates, o.Known, err = c.verifyTrust(trust); err != nil {
		return err
	}
	checker := &revocation.Checker{Offline: *offline}
	// Missing intermediates come from the AIA address of the certificate
	// that names them, cached (offline: from the cache only).
	fetcher := &certpath.HTTPFetcher{Offline: *offline}
	if dir, err := os.UserCacheDir(); err == nil {
		checker.CacheDir = filepath.Join(dir, "vanthu", "revocation")
		fetcher.CacheDir = filepath.Join(dir, "vanthu", "issuers")
	}
	o.Revocation, o.Fetcher = checker, fetcher
	o.AcceptUnknownRevocation = *acceptUnknown
	rep, err := verify.VerifyFile(ctx, path, o)
	if err != nil {
		return c.inputErr(err, "err.verify-read", path, err.Error())
	}
	if *asJSON {
		b, err := json.MarshalIndent(verifyJSON{File: path, Report: rep}, "", "  ")
		if err != nil {
			return err
		}
		fmt.Fprintln(c.stdout, string(b))
	} else {
		c.printReport(path, rep)
	}
	switch rep.Verdict {
	case verify.Valid:
		return nil
	case verify.Invalid:
		return &exitError{code: exitFailed, msg: c.t("verify.exit-invalid")}
	default:
		return &exitError{code: exitIndeterminate, msg: c.t("verify.exit-indeterminate")}
	}
}

// parseWithFile parses flags that may come before or after the one file
// argument and returns that file.
func (c *cli) parseWithFile(fs *flag.FlagSet, args []string) (string, error) {
	var files []string
	rest := args
	for {
		if err := c.parseFlags(fs, rest); err != nil {
			return "", err
		}
		left := fs.Args()
		if len(left) == 0 {
			break
		}
		if left[0] == "--" {
			files = append(files, left[1:]...)
			break
		}
		files = append(files, left[0])
		rest = left[1:]
	}
	switch len(files) {
	case 0:
		return "", c.usageErr("usage.verify-no-file")
	case 1:
		return files[0], nil
	}
	return "", c.usageErr("usage.extra-args", strings.Join(files[1:], " "))
}

// extractRevision writes the revision signature n (1-based, in the order
// verify prints them) covers.
func (c *cli) extractRevision(path string, n int, out string) error {
	if same, _ := sameFile(path, out); same {
		return c.usageErr("usage.extract-same")
	}
	if _, err := os.Stat(out); err == nil {
		return c.usageErr("usage.extract-exists", out)
	}
	if err := verify.ExtractSignedRevision(path, n-1, out); err != nil {
		var pe *os.PathError
		if errors.As(err, &pe) {
			return c.inputErr(err, "err.file", pe.Path, pe.Err.Error())
		}
		return c.inputErr(err, "err.extract", n, err.Error())
	}
	fmt.Fprintln(c.stdout, c.t("verify.extracted", n, out))
	return nil
}

// sameFile reports whether a and b name the same existing file.
func sameFile(a, b string) (bool, error) {
	fa, err := os.Stat(a)
	if err != nil {
		return false, err
	}
	fb, err := os.Stat(b)
	if err != nil {
		return false, err
	}
	return os.SameFile(fa, fb), nil
}

// printReport writes the report for people.
func (c *cli) printReport(path string, rep *verify.Report) {
	w := c.stdout
	fmt.Fprintln(w, c.t("verify.file", path, len(rep.Signatures), rep.Revisions))
	fmt.Fprintln(w, c.t("verify.verdict", c.t("verdict."+rep.Verdict)))
	for _, r := range rep.Reasons {
		fmt.Fprintln(w, "  - "+c.reasonText(r))
	}
	for i, s := range rep.Signatures {
		fmt.Fprintln(w)
		kind := c.t("verify.signature")
		if s.IsDocumentTimestamp {
			kind = c.t("verify.doc-timestamp")
		}
		fmt.Fprintln(w, c.t("verify.sig-head", kind, i+1, s.Field, c.t("verdict."+s.Verdict)))
		if s.Signer.Subject != "" {
			who := s.Signer.Name
			if s.Signer.Organization != "" {
				who += " — " + s.Signer.Organization
			}
			fmt.Fprintln(w, c.t("verify.signer", who))
			fmt.Fprintln(w, c.t("verify.issuer", s.Signer.IssuerName))
		}
		if !s.SigningTime.IsZero() {
			how := c.t("verify.time-claimed")
			if s.ProvenByTimestamp {
				how = c.t("verify.time-proven")
			}
			fmt.Fprintln(w, c.t("verify.time", s.SigningTime.In(vnZone).Format("02/01/2006 15:04:05 -07:00"), how))
		}
		modified := c.t("verify.no")
		if s.ModifiedAfterSigning {
			modified = c.t("verify.yes")
		}
		fmt.Fprintln(w, c.t("verify.integrity", c.t("integrity."+s.Integrity), c.t("coverage."+s.Coverage), modified))
		rev := c.t("revocation." + s.Revocation.Status)
		if s.Revocation.Source != "" && s.Revocation.Source != "none" {
			rev += " (" + c.t("verify.source", s.Revocation.Source) + ")"
		}
		fmt.Fprintln(w, c.t("verify.trust", c.t("trust."+s.Trust), rev))
		if s.Anchor != nil {
			fmt.Fprintln(w, c.t("verify.anchor", s.Anchor.Name, s.Anchor.SHA256))
		}
		if s.UnknownRoot != nil {
			fmt.Fprintln(w, c.t("verify.unknown-root", s.UnknownRoot.Name, s.UnknownRoot.SHA256))
		}
		if s.Level != "" {
			fmt.Fprintln(w, c.t("verify.level", s.Level, s.SubFilter))
		}
		for _, ch := range s.Changes {
			if ch.Allowed {
				continue
			}
			fmt.Fprintln(w, "  ! "+c.t("verify.change", c.changeText(ch)))
		}
		for _, r := range s.Reasons {
			fmt.Fprintln(w, "  - "+c.reasonText(r))
			if c.lang != en && r.Detail != "" {
				fmt.Fprintln(w, "      "+c.t("verify.detail", r.Detail))
			}
			if a := c.adviceText(r); a != "" {
				fmt.Fprintln(w, "      → "+a)
			}
		}
		for _, n := range s.Notes {
			fmt.Fprintln(w, "  ⓘ "+c.reasonText(n))
		}
	}
}

func (c *cli) adviceText(r verify.Reason) string {
	if c.lang == en {
		return r.AdviceEN
	}
	return r.AdviceVI
}

// vnZone is Vietnam's time zone (UTC+7, no daylight saving), fixed so
// that the output is the same on every machine.
var vnZone = time.FixedZone("ICT", 7*3600)

func (c *cli) reasonText(r verify.Reason) string {
	if c.lang == en {
		return r.EN
	}
	return r.VI
}

func (c *cli) changeText(ch verify.Change) string {
	s := ch.Kind
	if ch.Page > 0 {
		s += ", " + c.t("verify.page", ch.Page)
	}
	if ch.Object > 0 {
		s += ", " + c.t("verify.object", strconv.Itoa(ch.Object))
	}
	if ch.Detail != "" {
		s += ": " + ch.Detail
	}
	return s
}
