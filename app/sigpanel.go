package app

import (
	"errors"
	"strconv"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/vanthuso/vanthu/app/i18n"
	"github.com/vanthuso/vanthu/signing/stamp"
	"github.com/vanthuso/vanthu/signing/verify"
)

// sigPanelWidth is the width of the signatures panel.
const sigPanelWidth = 340

// signaturesPanel shows the verification report of one document: a
// summary and one card per signature, coloured by verdict (green valid,
// red invalid, amber indeterminate), in plain words.
type signaturesPanel struct {
	checking bool
	report   *verify.Report
	err      error
	// timeLayout formats signing times (the stamp pattern setting).
	timeLayout string

	box *fyne.Container

	// onViewRevision opens the revision signature i signed.
	onViewRevision func(i int)
	// onRecheck verifies the document again.
	onRecheck func()
}

func newSignaturesPanel(timeLayout string) *signaturesPanel {
	if timeLayout == "" {
		timeLayout = stamp.DefaultTimeLayout
	}
	return &signaturesPanel{checking: true, timeLayout: timeLayout}
}

// build returns the panel's widget tree, showing the current state.
func (p *signaturesPanel) build() fyne.CanvasObject {
	p.box = container.NewVBox()
	p.fill()
	title := widget.NewLabelWithStyle(i18n.T("app.sig.title"), fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	recheck := widget.NewButtonWithIcon("", theme.ViewRefreshIcon(), p.onRecheckTapped)
	recheck.Importance = widget.LowImportance
	header := container.NewBorder(nil, nil, nil, recheck, title)
	body := container.NewVScroll(p.box)
	bg := canvas.NewRectangle(theme.Color(theme.ColorNameHeaderBackground))
	panel := container.NewBorder(container.NewVBox(header, widget.NewSeparator()), nil, nil, nil, body)
	return container.New(&fixedWidthLayout{width: sigPanelWidth}, bg, panel)
}

func (p *signaturesPanel) onRecheckTapped() {
	if p.onRecheck != nil && !p.checking {
		p.onRecheck()
	}
}

// showChecking says the verification is running.
func (p *signaturesPanel) showChecking() {
	p.checking, p.report, p.err = true, nil, nil
	p.fill()
}

// showReport shows a verification result (UI goroutine).
func (p *signaturesPanel) showReport(rep *verify.Report, err error) {
	p.checking, p.report, p.err = false, rep, err
	p.fill()
}

// fill rebuilds the panel's content from its state.
func (p *signaturesPanel) fill() {
	if p.box == nil {
		return
	}
	var objs []fyne.CanvasObject
	switch {
	case p.checking:
		bar := widget.NewProgressBarInfinite()
		objs = append(objs, wrapLabel(i18n.T("app.sig.checking")), bar)
	case p.err != nil:
		objs = append(objs, p.summary(theme.ColorNameError, theme.NewErrorThemedResource(theme.ErrorIcon()), verifyErrorText(p.err)))
	case p.report != nil:
		objs = append(objs, p.reportObjects(p.report)...)
	}
	p.box.Objects = objs
	// Wrapped text knows its height only once it has its width: lay out
	// twice so the second pass uses the real heights.
	p.box.Refresh()
	p.box.Refresh()
}

func (p *signaturesPanel) reportObjects(rep *verify.Report) []fyne.CanvasObject {
	var objs []fyne.CanvasObject
	n := len(rep.Signatures)
	var text string
	switch {
	case n == 0:
		text = i18n.T("app.sig.none")
	case rep.Verdict == verify.Valid && n == 1:
		text = i18n.T("app.sig.summary.valid-one")
	case rep.Verdict == verify.Valid:
		text = i18n.T("app.sig.summary.valid", n)
	case rep.Verdict == verify.Invalid:
		text = i18n.T("app.sig.summary.invalid", n)
	default:
		text = i18n.T("app.sig.summary.indeterminate", n)
	}
	cn, icon := verdictStyle(rep.Verdict)
	if n == 0 {
		cn, icon = theme.ColorNameForeground, theme.InfoIcon()
	}
	objs = append(objs, p.summary(cn, icon, text))
	var reasons []string
	for _, r := range rep.Reasons {
		if r.Code != "no-signatures" {
			reasons = append(reasons, "• "+reasonText(r))
		}
	}
	if len(reasons) > 0 {
		objs = append(objs, paragraphs(reasons))
	}
	for i, s := range rep.Signatures {
		objs = append(objs, p.card(i, s))
	}
	return objs
}

// summary is the coloured line at the top of the panel.
func (p *signaturesPanel) summary(cn fyne.ThemeColorName, icon fyne.Resource, text string) fyne.CanvasObject {
	rt := widget.NewRichText(&widget.TextSegment{Text: text, Style: widget.RichTextStyle{ColorName: cn, TextStyle: fyne.TextStyle{Bold: true}}})
	rt.Wrapping = fyne.TextWrapWord
	return container.NewBorder(nil, nil, container.NewVBox(widget.NewIcon(icon)), nil, rt)
}

// card shows one signature: a coloured bar and header, then its facts
// as paragraphs of one rich text, then the button to see what it signed.
func (p *signaturesPanel) card(i int, s verify.Signature) fyne.CanvasObject {
	cn, icon := verdictStyle(s.Verdict)
	kind := "app.sig.signature"
	if s.IsDocumentTimestamp {
		kind = "app.sig.doc-timestamp"
	}
	head := widget.NewRichText(&widget.TextSegment{
		Text:  i18n.T(kind, i+1) + " — " + verdictText(s.Verdict),
		Style: widget.RichTextStyle{ColorName: cn, TextStyle: fyne.TextStyle{Bold: true}},
	})
	head.Wrapping = fyne.TextWrapWord

	var paras []string
	add := func(key string, args ...any) { paras = append(paras, i18n.T(key, args...)) }
	cnName, org := dnField(s.Signer.Subject, "CN"), dnField(s.Signer.Subject, "O")
	if s.IsDocumentTimestamp {
		add("app.sig.tsa", orUnknown(cnName))
	} else {
		add("app.sig.signer", orUnknown(cnName))
		if org != "" {
			add("app.sig.org", org)
		}
	}
	if !s.SigningTime.IsZero() {
		add("app.sig.time", s.SigningTime.In(stamp.Vietnam).Format(p.timeLayout))
		if s.ProvenByTimestamp || s.IsDocumentTimestamp {
			add("app.sig.time.proven")
		} else {
			add("app.sig.time.claimed")
		}
	} else {
		add("app.sig.time.none")
	}
	if !s.IsDocumentTimestamp {
		switch {
		case s.Trust == verify.TrustTrusted && s.Anchor != nil:
			add("app.sig.trust.anchor", s.Anchor.Name)
		case s.UnknownRoot != nil:
			add("app.sig.trust.unknown-root", s.UnknownRoot.Name, s.UnknownRoot.SHA256)
		default:
			add(trustKey(s.Trust))
		}
		// Unknown under a policy that accepts it: a note below says so.
		add(revocationKey(s.Revocation.Status))
	}
	if s.Level != "" {
		add("app.sig.level", levelName(s.Level))
	}
	paras = append(paras, changeLines(s)...)
	for _, r := range s.Reasons {
		paras = append(paras, "• "+reasonText(r))
		if a := adviceText(r); a != "" {
			paras = append(paras, "   → "+a)
		}
	}
	for _, n := range s.Notes {
		paras = append(paras, "ⓘ "+reasonText(n))
	}
	body := paragraphs(paras)

	rows := []fyne.CanvasObject{container.NewBorder(nil, nil, widget.NewIcon(icon), nil, head), body}
	if len(s.ByteRange) == 4 {
		idx := i
		b := widget.NewButtonWithIcon(i18n.T("app.sig.view-revision"), theme.DocumentIcon(), func() {
			if p.onViewRevision != nil {
				p.onViewRevision(idx)
			}
		})
		rows = append(rows, b)
	}
	bar := canvas.NewRectangle(theme.Color(cn))
	bar.SetMinSize(fyne.NewSize(4, 4))
	bg := canvas.NewRectangle(theme.Color(theme.ColorNameBackground))
	bg.CornerRadius = theme.InputRadiusSize()
	inner := container.NewBorder(nil, nil, bar, nil, container.NewVBox(rows...))
	return container.NewPadded(container.NewStack(bg, container.NewPadded(inner)))
}

// paragraphs is one wrapping rich text with a paragraph per line.
func paragraphs(lines []string) *widget.RichText {
	var segs []widget.RichTextSegment
	for _, l := range lines {
		segs = append(segs, &widget.TextSegment{Text: l, Style: widget.RichTextStyleParagraph})
	}
	rt := widget.NewRichText(segs...)
	rt.Wrapping = fyne.TextWrapWord
	return rt
}

// changeLines lists what changed after signing: each change that is not
// allowed, and a count of the allowed ones.
func changeLines(s verify.Signature) []string {
	if !s.ModifiedAfterSigning && len(s.Changes) == 0 {
		if s.Coverage == verify.CoverageWholeRevision && s.Integrity == verify.IntegrityOK {
			return []string{i18n.T("app.sig.changes.none")}
		}
		return nil
	}
	var out, bad []string
	allowed := 0
	for _, c := range s.Changes {
		if c.Allowed {
			allowed++
			continue
		}
		bad = append(bad, changeText(c))
	}
	if len(bad) > 0 {
		out = append(out, i18n.T("app.sig.changes.bad"))
		const maxShown = 8
		for i, t := range bad {
			if i == maxShown {
				out = append(out, "   "+i18n.T("app.sig.changes.more", len(bad)-maxShown))
				break
			}
			out = append(out, "   • "+t)
		}
	}
	if allowed > 0 {
		out = append(out, i18n.T("app.sig.changes.allowed", allowed))
	}
	return out
}

// verdictStyle is the colour and icon of a verdict.
func verdictStyle(v string) (fyne.ThemeColorName, fyne.Resource) {
	switch v {
	case verify.Valid:
		return theme.ColorNameSuccess, theme.NewSuccessThemedResource(theme.ConfirmIcon())
	case verify.Invalid:
		return theme.ColorNameError, theme.NewErrorThemedResource(theme.CancelIcon())
	default:
		return theme.ColorNameWarning, theme.NewWarningThemedResource(theme.WarningIcon())
	}
}

func verdictText(v string) string {
	switch v {
	case verify.Valid:
		return i18n.T("app.verdict.valid")
	case verify.Invalid:
		return i18n.T("app.verdict.invalid")
	default:
		return i18n.T("app.verdict.indeterminate")
	}
}

func trustKey(t string) string {
	switch t {
	case verify.TrustTrusted:
		return "app.sig.trust.trusted"
	case verify.TrustUntrusted:
		return "app.sig.trust.untrusted"
	default:
		return "app.sig.trust.unknown"
	}
}

func revocationKey(s string) string {
	switch s {
	case "good":
		return "app.sig.revocation.good"
	case "revoked":
		return "app.sig.revocation.revoked"
	default:
		return "app.sig.revocation.unknown"
	}
}

func levelName(l string) string {
	if l == verify.LevelLegacy {
		return i18n.T("app.sig.level.legacy")
	}
	return "PAdES " + l
}

// changeKinds maps verify.Change kinds to sentences.
var changeKinds = map[string]string{
	"page":             "app.change.page",
	"page-content":     "app.change.page-content",
	"page-resources":   "app.change.page-resources",
	"resources":        "app.change.resources",
	"pages":            "app.change.pages",
	"annotation":       "app.change.annotation",
	"widget":           "app.change.widget",
	"form-field":       "app.change.form-field",
	"form-fill":        "app.change.form-fill",
	"locked-field":     "app.change.locked-field",
	"signature-field":  "app.change.signature-field",
	"signature-dict":   "app.change.signature-dict",
	"signature-widget": "app.change.signature-widget",
	"catalog":          "app.change.catalog",
	"acroform":         "app.change.acroform",
	"dss":              "app.change.dss",
	"info":             "app.change.info",
	"metadata":         "app.change.metadata",
	"structure":        "app.change.structure",
	"object-deleted":   "app.change.object-deleted",
}

// changeText describes one change, with its page when it has one.
func changeText(c verify.Change) string {
	key, ok := changeKinds[c.Kind]
	if !ok {
		key = "app.change.object"
	}
	t := i18n.T(key)
	if c.Page > 0 {
		t = i18n.T("app.change.on-page", c.Page, t)
	}
	return t
}

// reasonText is a reason in the current language.
func reasonText(r verify.Reason) string {
	if i18n.Current() == i18n.English {
		return r.EN
	}
	return r.VI
}

// adviceText is what the reader can do about r, in the current language.
func adviceText(r verify.Reason) string {
	if i18n.Current() == i18n.English {
		return r.AdviceEN
	}
	return r.AdviceVI
}

// verifyErrorText says why verification could not run and what to do.
func verifyErrorText(err error) string {
	var te *trustError
	if errors.As(err, &te) {
		return i18n.T("app.sig.err.trust", te.err.Error())
	}
	return i18n.T("app.sig.err", err.Error())
}

func orUnknown(s string) string {
	if s == "" {
		return i18n.T("app.sig.unknown-name")
	}
	return s
}

// dnField returns the first value of attribute typ (e.g. "CN", "O") in a
// distinguished name as crypto/x509/pkix.Name.String writes it
// (RFC 2253: "CN=Nguyễn Văn An,OU=Văn phòng,O=UBND tỉnh Nghệ An,C=VN",
// with "\," escapes and "+" joining multi-valued names).
func dnField(dn, typ string) string {
	var (
		parts []string
		cur   strings.Builder
	)
	for i := 0; i < len(dn); i++ {
		c := dn[i]
		switch {
		case c == '\\' && i+1 < len(dn):
			if i+2 < len(dn) && isHex(dn[i+1]) && isHex(dn[i+2]) {
				if v, err := strconv.ParseUint(dn[i+1:i+3], 16, 8); err == nil {
					cur.WriteByte(byte(v))
					i += 2
					continue
				}
			}
			i++
			cur.WriteByte(dn[i])
		case c == ',' || c == '+':
			parts = append(parts, cur.String())
			cur.Reset()
		default:
			cur.WriteByte(c)
		}
	}
	parts = append(parts, cur.String())
	for _, p := range parts {
		k, v, ok := strings.Cut(p, "=")
		if ok && strings.EqualFold(strings.TrimSpace(k), typ) {
			return strings.TrimSpace(v)
		}
	}
	return ""
}

func isHex(c byte) bool {
	return ('0' <= c && c <= '9') || ('a' <= c && c <= 'f') || ('A' <= c && c <= 'F')
}

// wrapLabel is a label that wraps at word boundaries.
func wrapLabel(text string) *widget.Label {
	l := widget.NewLabel(text)
	l.Wrapping = fyne.TextWrapWord
	return l
}

// fixedWidthLayout stacks its objects at a fixed width.
type fixedWidthLayout struct{ width float32 }

func (l *fixedWidthLayout) Layout(objs []fyne.CanvasObject, size fyne.Size) {
	for _, o := range objs {
		o.Move(fyne.NewPos(0, 0))
		o.Resize(size)
	}
}

func (l *fixedWidthLayout) MinSize(objs []fyne.CanvasObject) fyne.Size {
	h := float32(0)
	for _, o := range objs {
		h = max(h, o.MinSize().Height)
	}
	return fyne.NewSize(l.width, h)
}
