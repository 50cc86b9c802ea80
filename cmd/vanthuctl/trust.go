package main

import (
	"crypto/x509"
	"errors"
	"flag"
	"fmt"
	"slices"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/vanthuso/vanthu/signing/trustlist"
)

// trustEntryJSON is one entry of `vanthuctl trust list --json`.
type trustEntryJSON struct {
	Trusted      bool      `json:"trusted"`
	Removed      bool      `json:"removed"`
	Role         string    `json:"role"`
	Origin       string    `json:"origin"`
	Name         string    `json:"name"`
	Organization string    `json:"organization"`
	Subject      string    `json:"subject"`
	Issuer       string    `json:"issuer"`
	NotBefore    time.Time `json:"not_before"`
	NotAfter     time.Time `json:"not_after"`
	SHA256       string    `json:"sha256"`
	File         string    `json:"file,omitempty"`
	Note         string    `json:"note,omitempty"`
}

type trustListJSON struct {
	Folder  string           `json:"folder"`
	Entries []trustEntryJSON `json:"entries"`
}

// cmdTrust is `vanthuctl trust list|add|remove|reset`.
func (c *cli) cmdTrust(args []string) error {
	sub, rest := "", args
	if len(args) > 0 {
		sub, rest = args[0], args[1:]
	}
	switch sub {
	case "list":
		return c.cmdTrustList(rest)
	case "add":
		return c.cmdTrustAdd(rest)
	case "remove":
		return c.cmdTrustRemove(rest)
	case "reset":
		return c.cmdTrustReset(rest)
	case "-h", "--help", "-help", "help":
		fmt.Fprint(c.stdout, c.t("usage.trust"))
		return nil
	}
	fmt.Fprint(c.stderr, c.t("usage.trust"))
	return c.usageErr("usage.trust-sub")
}

// loadTrustList loads the workstation's trust list. A damaged store is an
// error with what to do: going on with the shipped list alone would trust
// again a root the administrator removed.
func (c *cli) loadTrustList() (*trustlist.List, error) {
	dir, err := trustlist.DefaultDir()
	if err != nil {
		return nil, c.inputErr(err, "err.trust-dir", err.Error())
	}
	l, err := trustlist.Load(dir)
	var se *trustlist.StoreError
	switch {
	case errors.As(err, &se):
		return l, c.inputErr(err, "err.trust-store", se.Path, se.Err.Error())
	case err != nil:
		return nil, c.inputErr(err, "err.other", err.Error())
	}
	return l, nil
}

func (c *cli) saveTrustList(l *trustlist.List) error {
	if err := l.Save(); err != nil {
		return c.inputErr(err, "err.trust-save", err.Error())
	}
	return nil
}

// cmdTrustList is `vanthuctl trust list [--json] [--all]`.
func (c *cli) cmdTrustList(args []string) error {
	fs := c.flagSet("trust list", "usage.trust")
	asJSON := fs.Bool("json", false, c.t("flag.json"))
	all := fs.Bool("all", false, c.t("flag.trust-all"))
	if err := c.parse(fs, args); err != nil {
		return err
	}
	l, err := c.loadTrustList()
	if err != nil {
		return err
	}
	var shown []trustlist.Entry
	for _, e := range l.Entries() {
		if e.Trusted || *all {
			shown = append(shown, e)
		}
	}
	if *asJSON {
		out := trustListJSON{Folder: l.Dir(), Entries: []trustEntryJSON{}}
		for _, e := range shown {
			out.Entries = append(out.Entries, trustEntryJSON{Trusted: e.Trusted, Removed: e.Removed, Role: e.Role.String(),
				Origin: e.Origin.String(), Name: e.Name, Organization: e.Organization, Subject: e.Cert.Subject.String(),
				Issuer: e.Cert.Issuer.String(), NotBefore: e.Cert.NotBefore, NotAfter: e.Cert.NotAfter,
				SHA256: e.SHA256, File: e.File, Note: e.Note})
		}
		c.writeJSON(out)
		return nil
	}
	fmt.Fprintln(c.stdout, c.t("list.trust-head", len(shown), l.Dir()))
	tw := tabwriter.NewWriter(c.stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, c.t("list.trust-columns"))
	for _, e := range shown {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s–%s\t%s\t%s\n", c.trustState(e), c.roleName(e.Role), e.Name, e.Organization,
			e.Cert.NotBefore.In(vnZone).Format("02/01/2006"), e.Cert.NotAfter.In(vnZone).Format("02/01/2006"),
			c.originName(e.Origin), e.SHA256)
	}
	tw.Flush()
	if hidden := len(l.Entries()) - len(shown); hidden > 0 {
		fmt.Fprintln(c.stdout, c.t("list.trust-hidden", hidden))
	}
	return nil
}

func (c *cli) trustState(e trustlist.Entry) string {
	switch {
	case e.Removed:
		return c.t("list.trust-removed")
	case e.Trusted:
		return c.t("verify.yes")
	}
	return c.t("verify.no")
}

// roleKeys and originKeys name the messages of roles and origins.
var (
	roleKeys = map[trustlist.Role]string{trustlist.Root: "list.trust-role-root", trustlist.Intermediate: "list.trust-role-intermediate",
		trustlist.TSA: "list.trust-role-tsa", trustlist.Candidate: "list.trust-role-candidate"}
	originKeys = map[trustlist.Origin]string{trustlist.Default: "list.trust-origin-default", trustlist.User: "list.trust-origin-user"}
)

func (c *cli) roleName(r trustlist.Role) string     { return c.t(roleKeys[r]) }
func (c *cli) originName(o trustlist.Origin) string { return c.t(originKeys[o]) }

// parsePositional parses flags that may come before, between or after
// positional arguments and returns those arguments.
func (c *cli) parsePositional(fs *flag.FlagSet, args []string) ([]string, error) {
	var pos []string
	for {
		if err := c.parseFlags(fs, args); err != nil {
			return nil, err
		}
		switch rest := fs.Args(); {
		case len(rest) == 0:
			return pos, nil
		case rest[0] == "--":
			return append(pos, rest[1:]...), nil
		default:
			pos, args = append(pos, rest[0]), rest[1:]
		}
	}
}

// fingerprints parses the --sha256 values; a malformed one is a usage
// error.
func (c *cli) fingerprints(vals []string) ([]string, error) {
	var out []string
	for _, v := range vals {
		fp, err := trustlist.ParseFingerprint(v)
		if err != nil {
			return nil, c.usageErr("usage.trust-bad-fp", v)
		}
		out = append(out, fp)
	}
	return out, nil
}

// cmdTrustAdd is `vanthuctl trust add FILE (--sha256 FP... | --yes)` and
// `vanthuctl trust add --sha256 FP...` (a shipped candidate, or a removed
// shipped entry).
func (c *cli) cmdTrustAdd(args []string) error {
	fs := c.flagSet("trust add", "usage.trust")
	var fpFlags trustFlag
	fs.Var(&fpFlags, "sha256", c.t("flag.trust-sha256"))
	yes := fs.Bool("yes", false, c.t("flag.trust-yes"))
	files, err := c.parsePositional(fs, args)
	if err != nil {
		return err
	}
	fps, err := c.fingerprints(fpFlags)
	if err != nil {
		return err
	}
	switch {
	case len(files) > 1:
		return c.usageErr("usage.extra-args", strings.Join(files[1:], " "))
	case len(files) == 0 && len(fps) == 0:
		return c.usageErr("usage.trust-add-what")
	}
	l, err := c.loadTrustList()
	if err != nil {
		return err
	}
	if len(files) == 0 {
		for _, fp := range fps {
			e, err := l.Trust(fp)
			switch {
			case errors.Is(err, trustlist.ErrNotFound):
				return c.inputErr(err, "err.trust-not-shipped", fp)
			case errors.Is(err, trustlist.ErrAlreadyPresent):
				fmt.Fprintln(c.stdout, c.t("result.trust-already", e.Name, c.roleName(e.Role)))
			case err != nil:
				return c.inputErr(err, "err.other", err.Error())
			default:
				fmt.Fprintln(c.stdout, c.t("result.trust-trusted", e.Name, c.roleName(e.Role), e.SHA256))
			}
		}
		return c.saveTrustList(l)
	}
	certs, err := trustlist.ReadCertificates(files[0])
	if err != nil {
		return c.inputErr(err, "err.trust", err.Error())
	}
	fmt.Fprintln(c.stdout, c.t("list.trust-in-file", files[0], len(certs)))
	for _, cert := range certs {
		fmt.Fprintln(c.stdout, c.t("list.trust-file-cert", cert.Subject.String(), trustlist.Fingerprint(cert)))
	}
	if len(fps) == 0 && !*yes {
		return c.usageErr("usage.trust-add-pin")
	}
	chosen := certs
	if len(fps) > 0 {
		chosen = nil
		for _, fp := range fps {
			i := slices.IndexFunc(certs, func(cert *x509.Certificate) bool { return trustlist.Fingerprint(cert) == fp })
			if i < 0 {
				return c.inputErr(nil, "err.trust-fp-mismatch", fp, files[0])
			}
			chosen = append(chosen, certs[i])
		}
		for _, cert := range certs {
			if !slices.Contains(chosen, cert) {
				fmt.Fprintln(c.stderr, c.t("note.trust-skipped", cert.Subject.String(), trustlist.Fingerprint(cert)))
			}
		}
	}
	// Everything or nothing: the list is saved only if every chosen
	// certificate could be added.
	var lines []string
	for _, cert := range chosen {
		e, err := l.Add(cert)
		switch {
		case errors.Is(err, trustlist.ErrAlreadyPresent):
			lines = append(lines, c.t("result.trust-already", e.Name, c.roleName(e.Role)))
		case errors.Is(err, trustlist.ErrEndEntity):
			return c.inputErr(err, "err.trust-end-entity", cert.Subject.String())
		case err != nil:
			return c.inputErr(err, "err.other", err.Error())
		case e.Origin == trustlist.Default:
			lines = append(lines, c.t("result.trust-trusted", e.Name, c.roleName(e.Role), e.SHA256))
		default:
			lines = append(lines, c.t("result.trust-added", e.Name, c.roleName(e.Role), e.SHA256))
		}
	}
	if err := c.saveTrustList(l); err != nil {
		return err
	}
	for _, s := range lines {
		fmt.Fprintln(c.stdout, s)
	}
	fmt.Fprintln(c.stdout, c.t("result.trust-saved", l.Path()))
	return nil
}

// cmdTrustRemove is `vanthuctl trust remove FP...`.
func (c *cli) cmdTrustRemove(args []string) error {
	fs := c.flagSet("trust remove", "usage.trust")
	vals, err := c.parsePositional(fs, args)
	if err != nil {
		return err
	}
	if len(vals) == 0 {
		return c.usageErr("usage.trust-remove-what")
	}
	fps, err := c.fingerprints(vals)
	if err != nil {
		return err
	}
	l, err := c.loadTrustList()
	if err != nil {
		return err
	}
	var lines []string
	for _, fp := range fps {
		i := slices.IndexFunc(l.Entries(), func(e trustlist.Entry) bool { return e.SHA256 == fp })
		if i < 0 {
			return c.inputErr(nil, "err.trust-unknown", fp)
		}
		e := l.Entries()[i]
		if err := l.Remove(fp); err != nil {
			return c.inputErr(err, "err.other", err.Error())
		}
		switch {
		case !e.Trusted:
			lines = append(lines, c.t("result.trust-not-in-effect", e.Name))
		case e.Origin == trustlist.Default:
			lines = append(lines, c.t("result.trust-removed-default", e.Name, c.roleName(e.Role), fp))
		default:
			lines = append(lines, c.t("result.trust-removed", e.Name, c.roleName(e.Role)))
		}
	}
	if err := c.saveTrustList(l); err != nil {
		return err
	}
	for _, s := range lines {
		fmt.Fprintln(c.stdout, s)
	}
	return nil
}

// cmdTrustReset is `vanthuctl trust reset`: back to the shipped list,
// also from a damaged store.
func (c *cli) cmdTrustReset(args []string) error {
	fs := c.flagSet("trust reset", "usage.trust")
	if err := c.parse(fs, args); err != nil {
		return err
	}
	l, err := c.loadTrustList()
	if l == nil {
		return err
	}
	l.Reset()
	if err := c.saveTrustList(l); err != nil {
		return err
	}
	fmt.Fprintln(c.stdout, c.t("result.trust-reset", l.Path()))
	return nil
}

// verifyTrust returns the verifier's trust: the workstation's list plus
// the certificates of --trust paths (self-issued ones as anchors, the
// others for chains), and the known but untrusted roots (candidates), so
// that a chain ending at one names it. No anchor at all leaves trust
// "unknown", not "untrusted".
func (c *cli) verifyTrust(paths []string) (anchors, inter, known []*x509.Certificate, err error) {
	l, err := c.loadTrustList()
	if err != nil {
		return nil, nil, nil, err
	}
	anchors, inter, known = l.Anchors(), l.Intermediates(), l.Known()
	if len(paths) > 0 {
		certs, err := trustlist.ReadCertificates(paths...)
		if err != nil {
			return nil, nil, nil, c.inputErr(err, "err.trust", err.Error())
		}
		if len(certs) == 0 {
			return nil, nil, nil, c.inputErr(nil, "err.trust-empty", strings.Join(paths, ", "))
		}
		for _, cert := range certs {
			if role, err := trustlist.Classify(cert); err == nil && role == trustlist.Root {
				anchors = append(anchors, cert)
			} else {
				inter = append(inter, cert)
			}
		}
	}
	return anchors, inter, known, nil
}
