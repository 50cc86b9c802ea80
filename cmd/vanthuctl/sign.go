package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"

	"github.com/vanthuso/vanthu/signing/pades"
	"github.com/vanthuso/vanthu/signing/stamp"
)

// cmdSign is `vanthuctl sign`: one document (--in/--out) or every PDF of
// a folder (--batch/--out-dir).
func (c *cli) cmdSign(ctx context.Context, args []string) error {
	var f signFlags
	fs := c.signFlagSet(&f)
	if err := c.parse(fs, args); err != nil {
		return err
	}
	req, err := c.newSignRequest(f)
	if err != nil {
		return err
	}
	if f.batch != "" {
		return c.signBatch(ctx, f, req)
	}
	return c.signSingle(ctx, f, req)
}

func (c *cli) signSingle(ctx context.Context, f signFlags, req signRequest) error {
	if err := c.checkOutput(f.in, f.out, f.force); err != nil {
		return err
	}
	// A document that cannot be signed is refused before the PIN is used.
	if err := c.checkInput(f.in); err != nil {
		return err
	}
	pin, err := c.readPIN(f.pinStdin)
	if err != nil {
		return err
	}
	key, err := c.openSigningKey(f.tokenFlags, pin)
	if err != nil {
		return err
	}
	defer key.Close()
	res, err := c.signDocument(ctx, key, req, req.timestamper(), f.in, f.out)
	if err != nil {
		_, res.Error = c.explain(err)
	}
	if f.json {
		c.writeJSON(res)
	} else if err == nil {
		c.printResult(res)
	}
	if err != nil {
		return fileError(err, f.in)
	}
	return nil
}

// fileError puts the file name in front of err's message, keeping its
// exit code.
func fileError(err error, path string) error {
	return &fileErr{path: filepath.Base(path), err: err}
}

type fileErr struct {
	path string
	err  error
}

func (e *fileErr) Error() string { return e.path + ": " + e.err.Error() }
func (e *fileErr) Unwrap() error { return e.err }

// checkInput reads the document's structure so that a file that is not a
// PDF, is encrypted or is certified against changes fails before the
// token is asked for anything.
func (c *cli) checkInput(in string) error {
	doc, err := pades.Inspect(in)
	if err != nil {
		return fileError(err, in)
	}
	defer doc.Close()
	if err := checkSignable(doc); err != nil {
		return fileError(err, in)
	}
	return nil
}

// checkOutput refuses to replace a file by accident: the input itself, or
// any existing file, unless --force. The output's folder must exist.
func (c *cli) checkOutput(in, out string, force bool) error {
	if _, err := os.Stat(in); err != nil {
		return c.inputErr(err, "err.file-missing", in)
	}
	if samePath(in, out) {
		if !force {
			return c.usageErr("usage.out-is-in", out)
		}
		return nil
	}
	if _, err := os.Stat(out); err == nil && !force {
		return c.usageErr("usage.out-exists", out)
	}
	if fi, err := os.Stat(filepath.Dir(out)); err != nil || !fi.IsDir() {
		return c.usageErr("usage.out-dir-missing", filepath.Dir(out))
	}
	return nil
}

// samePath reports whether a and b name the same file: the same absolute
// path, or the same file through links.
func samePath(a, b string) bool {
	aa, err1 := filepath.Abs(a)
	bb, err2 := filepath.Abs(b)
	if err1 == nil && err2 == nil && aa == bb {
		return true
	}
	fa, err1 := os.Stat(a)
	fb, err2 := os.Stat(b)
	return err1 == nil && err2 == nil && os.SameFile(fa, fb)
}

func (c *cli) writeJSON(v any) {
	enc := json.NewEncoder(c.stdout)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	enc.Encode(v)
}

// printResult describes a signed document for people.
func (c *cli) printResult(r fileResult) {
	w := c.stdout
	fmt.Fprintln(w, c.t("result.signed", r.Output))
	fmt.Fprintln(w, c.t("result.signer", r.Signer))
	fmt.Fprintln(w, c.t("result.cert", r.Certificate))
	fmt.Fprintln(w, c.t("result.token", r.Token, r.Module))
	fmt.Fprintln(w, c.t("result.kind", c.t("profile."+r.Profile), r.Level, r.SubFilter))
	if r.Visible {
		fmt.Fprintln(w, c.t("result.visible", r.Page, rectString(r.Rect)))
	} else {
		fmt.Fprintln(w, c.t("result.invisible"))
	}
	fmt.Fprintln(w, c.t("result.field", r.Field))
	fmt.Fprintln(w, c.t("result.reason", r.Reason))
	if r.Chain == 0 {
		fmt.Fprintln(w, c.t("result.chain-none"))
	} else {
		fmt.Fprintln(w, c.t("result.chain", r.Chain))
	}
	fmt.Fprintln(w, c.t("result.time", stamp.FormatTime(r.at, "")))
	fmt.Fprintln(w, c.t("result.size", r.Size))
}
