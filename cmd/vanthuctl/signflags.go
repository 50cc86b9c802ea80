package main

import (
	"flag"
	"fmt"
	"os"
	"strconv"
	"strings"

	"github.com/vanthuso/vanthu/signing/pades"
	"github.com/vanthuso/vanthu/signing/pdf"
	"github.com/vanthuso/vanthu/signing/stamp"
)

// signFlags are the command-line flags of `vanthuctl sign`, as given.
type signFlags struct {
	tokenFlags
	in, out, batch, outDir string
	force, json            bool
	profile, level, sub    string
	tsa                    string
	page                   int
	rect, field, mode      string
	signatureImage         string
	sealImage              string
	number, reason         string
	location, contact      string
	copyForm, copyAgency   string
	numberRect, dateRect   string
}

func (c *cli) signFlagSet(f *signFlags) *flag.FlagSet {
	fs := c.flagSet("sign", "usage.sign")
	fs.StringVar(&f.in, "in", "", c.t("flag.in"))
	fs.StringVar(&f.out, "out", "", c.t("flag.out"))
	fs.StringVar(&f.batch, "batch", "", c.t("flag.batch"))
	fs.StringVar(&f.outDir, "out-dir", "", c.t("flag.out-dir"))
	fs.BoolVar(&f.force, "force", false, c.t("flag.force"))
	fs.StringVar(&f.module, "module", "", c.t("flag.module"))
	fs.StringVar(&f.label, "token", "", c.t("flag.token"))
	fs.StringVar(&f.cert, "cert", "", c.t("flag.cert"))
	fs.BoolVar(&f.pinStdin, "pin-stdin", false, c.t("flag.pin-stdin"))
	fs.StringVar(&f.profile, "profile", "approval", c.t("flag.profile"))
	fs.StringVar(&f.level, "level", "", c.t("flag.level"))
	fs.StringVar(&f.sub, "subfilter", "pades", c.t("flag.subfilter"))
	fs.StringVar(&f.tsa, "tsa", "", c.t("flag.tsa"))
	fs.IntVar(&f.page, "page", 0, c.t("flag.page"))
	fs.StringVar(&f.rect, "rect", "", c.t("flag.rect"))
	fs.StringVar(&f.field, "field", "", c.t("flag.field"))
	fs.StringVar(&f.mode, "mode", "", c.t("flag.mode"))
	fs.StringVar(&f.signatureImage, "signature-image", "", c.t("flag.signature-image"))
	fs.StringVar(&f.sealImage, "seal-image", "", c.t("flag.seal-image"))
	fs.StringVar(&f.number, "number", "", c.t("flag.number"))
	fs.StringVar(&f.numberRect, "number-rect", "", c.t("flag.number-rect"))
	fs.StringVar(&f.dateRect, "date-rect", "", c.t("flag.date-rect"))
	fs.StringVar(&f.reason, "reason", "", c.t("flag.reason"))
	fs.StringVar(&f.location, "location", "", c.t("flag.location"))
	fs.StringVar(&f.contact, "contact", "", c.t("flag.contact"))
	fs.StringVar(&f.copyForm, "copy-form", "SAO Y", c.t("flag.copy-form"))
	fs.StringVar(&f.copyAgency, "copy-agency", "", c.t("flag.copy-agency"))
	fs.BoolVar(&f.json, "json", false, c.t("flag.json"))
	return fs
}

// signRequest is what to do to every document, checked and loaded from
// the flags before any token is touched.
type signRequest struct {
	profile   stamp.Profile
	level     pades.Level
	subFilter pades.SubFilter
	tsaURL    string
	page      int       // 0 = not given
	rect      *pdf.Rect // --rect
	field     string    // --field
	mode      stamp.Mode

	signatureImage, sealImage []byte
	numberRect, dateRect      *pdf.Rect

	number, reason, location, contact string
	copyForm, copyAgency              string
}

// newSignRequest checks the flags against each other and reads the
// images. Conflicts are usage errors; an image that cannot be read is an
// input error.
func (c *cli) newSignRequest(f signFlags) (signRequest, error) {
	var r signRequest
	var err error
	if r.profile, err = stamp.ParseProfile(f.profile); err != nil {
		return r, c.usageErr("usage.bad-profile", f.profile)
	}
	if r.subFilter, err = parseSubFilter(f.sub); err != nil {
		return r, c.usageErr("usage.bad-subfilter", f.sub)
	}
	if r.level, err = c.parseLevel(f.level, f.tsa); err != nil {
		return r, err
	}
	r.tsaURL = strings.TrimSpace(f.tsa)
	if r.mode, err = parseMode(f.mode); err != nil {
		return r, c.usageErr("usage.bad-mode", f.mode)
	}
	if err := c.checkPlacement(f); err != nil {
		return r, err
	}
	r.page, r.field = f.page, strings.TrimSpace(f.field)
	for _, p := range []struct {
		flag, val string
		dst       **pdf.Rect
	}{{"rect", f.rect, &r.rect}, {"number-rect", f.numberRect, &r.numberRect}, {"date-rect", f.dateRect, &r.dateRect}} {
		if p.val == "" {
			continue
		}
		rect, ok := parseRect(p.val)
		if !ok {
			return r, c.usageErr("usage.bad-rect", p.flag, p.val)
		}
		*p.dst = &rect
	}
	if r.signatureImage, err = c.readImage("signature-image", f.signatureImage); err != nil {
		return r, err
	}
	if r.sealImage, err = c.readImage("seal-image", f.sealImage); err != nil {
		return r, err
	}
	r.number, r.reason = strings.TrimSpace(f.number), f.reason
	r.location, r.contact = f.location, f.contact
	r.copyForm, r.copyAgency = strings.TrimSpace(f.copyForm), strings.TrimSpace(f.copyAgency)
	return r, c.checkProfileFlags(f, r)
}

func (c *cli) parseLevel(level, tsa string) (pades.Level, error) {
	tsa = strings.TrimSpace(tsa)
	switch strings.ToUpper(strings.TrimSpace(level)) {
	case "":
		if tsa != "" {
			return pades.LevelT, nil // a TSA given means a timestamp wanted
		}
		return pades.LevelB, nil
	case "B-B", "B", "BB":
		if tsa != "" {
			return "", c.usageErr("usage.tsa-with-bb")
		}
		return pades.LevelB, nil
	case "B-T", "T", "BT":
		if tsa == "" {
			return "", c.usageErr("usage.bt-needs-tsa")
		}
		return pades.LevelT, nil
	}
	return "", c.usageErr("usage.bad-level", level)
}

func parseSubFilter(s string) (pades.SubFilter, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "", "pades", "cades", strings.ToLower(string(pades.PAdES)):
		return pades.PAdES, nil
	case "adbe", "pkcs7", strings.ToLower(string(pades.PKCS7)):
		return pades.PKCS7, nil
	}
	return "", fmt.Errorf("unknown subfilter %q", s)
}

// parseMode accepts the short names of the issue (image, text,
// image+text) and stamp's own names.
func parseMode(s string) (stamp.Mode, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "image":
		return stamp.ImageOnly, nil
	case "text":
		return stamp.TextOnly, nil
	case "image+text", "text+image":
		return stamp.ImageAndText, nil
	}
	return stamp.ParseMode(s)
}

// parseRect parses "x1,y1,x2,y2" (points, PDF user space of the page,
// origin bottom-left).
func parseRect(s string) (pdf.Rect, bool) {
	parts := strings.Split(s, ",")
	if len(parts) != 4 {
		return pdf.Rect{}, false
	}
	var v [4]float64
	for i, p := range parts {
		f, err := strconv.ParseFloat(strings.TrimSpace(p), 64)
		if err != nil {
			return pdf.Rect{}, false
		}
		v[i] = f
	}
	r := pdf.Rect{LLX: v[0], LLY: v[1], URX: v[2], URY: v[3]}.Normalize()
	return r, r.Width() > 0 && r.Height() > 0
}

// checkPlacement checks --page, --rect and --field against each other
// and against single or batch mode.
func (c *cli) checkPlacement(f signFlags) error {
	switch {
	case f.batch == "" && (f.in == "" || f.out == ""):
		return c.usageErr("usage.need-in-out")
	case f.batch != "" && (f.in != "" || f.out != ""):
		return c.usageErr("usage.batch-in-out")
	case f.batch != "" && f.outDir == "":
		return c.usageErr("usage.batch-needs-out-dir")
	case f.batch == "" && f.outDir != "":
		return c.usageErr("usage.out-dir-without-batch")
	case f.rect != "" && f.field != "":
		return c.usageErr("usage.rect-and-field")
	case f.page != 0 && f.field != "":
		return c.usageErr("usage.page-and-field")
	case f.page < 0:
		return c.usageErr("usage.bad-page", f.page)
	}
	return nil
}

// checkProfileFlags refuses flags that the profile would silently ignore.
func (c *cli) checkProfileFlags(f signFlags, r signRequest) error {
	placed := r.rect != nil || r.field != ""
	p := r.profile
	switch {
	case r.signatureImage != nil && p != stamp.Approval:
		return c.usageErr("usage.only-for", "--signature-image", stamp.Approval)
	case r.sealImage != nil && p != stamp.Issue:
		return c.usageErr("usage.only-for", "--seal-image", stamp.Issue)
	case f.mode != "" && p != stamp.Approval:
		return c.usageErr("usage.only-for", "--mode", stamp.Approval)
	case (r.numberRect != nil || r.dateRect != nil) && p != stamp.Issue:
		return c.usageErr("usage.only-for", "--number-rect/--date-rect", stamp.Issue)
	case (r.numberRect != nil || r.dateRect != nil) && r.sealImage == nil:
		return c.usageErr("usage.issue-needs-seal")
	case r.numberRect != nil && r.number == "":
		return c.usageErr("usage.number-rect-needs-number")
	case p == stamp.Approval && r.signatureImage != nil && !placed:
		return c.usageErr("usage.image-needs-place")
	case p == stamp.Approval && f.mode != "" && !placed:
		return c.usageErr("usage.mode-needs-place")
	case p == stamp.Approval && f.page != 0 && r.rect == nil:
		return c.usageErr("usage.page-needs-rect")
	case p == stamp.Approval && (r.mode == stamp.ImageOnly || r.mode == stamp.ImageAndText) && r.signatureImage == nil:
		return c.usageErr("usage.mode-needs-image", f.mode)
	case p == stamp.Issue && r.rect != nil && r.sealImage == nil:
		return c.usageErr("usage.issue-needs-seal")
	case p == stamp.Issue && f.page != 0 && r.rect == nil:
		return c.usageErr("usage.page-needs-rect")
	case p == stamp.Attachment && r.number == "":
		return c.usageErr("usage.attachment-needs-number")
	case p == stamp.Copy && r.copyForm == "":
		return c.usageErr("usage.copy-needs-form")
	}
	return nil
}

// readImage reads the PNG named by a flag; "" gives nil.
func (c *cli) readImage(flagName, path string) ([]byte, error) {
	if path == "" {
		return nil, nil
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, c.inputErr(err, "err.image-read", "--"+flagName, path, err.Error())
	}
	return data, nil
}
