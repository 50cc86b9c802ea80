package signui

import (
	"context"
	"errors"
	"fmt"
	"image"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/widget"

	"github.com/vanthuso/vanthu/app/i18n"
	"github.com/vanthuso/vanthu/signing/pades"
	"github.com/vanthuso/vanthu/signing/pdf"
	"github.com/vanthuso/vanthu/signing/stamp"
	"github.com/vanthuso/vanthu/signing/token"
	"github.com/vanthuso/vanthu/signing/verify"
)

// Sizes of the sign dialog, in Fyne units.
const (
	previewMaxW  = 440
	previewMaxH  = 600
	renderFactor = 2 // pages are rendered at twice their on-screen size
)

// previewDelay lets typing settle before the appearance is laid out and
// rendered again.
var previewDelay = 150 * time.Millisecond

// profiles in the order the dialog lists them.
var profiles = []stamp.Profile{stamp.Approval, stamp.Issue, stamp.Attachment, stamp.Copy}

// signOutcome is how one press of "Ký" ended.
type signOutcome struct {
	signed string // the output file, "" when it failed
	msg    string // what the dialog says
	err    error
}

// signDialog is the sign dialog: one document, one signature.
type signDialog struct {
	win        fyne.Window
	pinFocused bool // the PIN entry got the focus once
	dlg        *dialog.CustomDialog
	cfg        Config
	path       string
	done       func(signed string)
	now        func() time.Time
	renderer   pdfRenderer

	key    *keyPanel
	placer *pagePlacer

	pageLabel      *widget.Label
	prevBtn        *widget.Button
	nextBtn        *widget.Button
	placeHint      *widget.Label
	profile        *widget.RadioGroup
	mode           *widget.Select
	approvalBox    *fyne.Container
	number         *widget.Entry
	date           *widget.Entry
	numberMark     *widget.Check
	dateMark       *widget.Check
	issueBox       *fyne.Container
	attachmentBox  *fyne.Container
	attachNumber   *widget.Entry
	copyForm       *widget.Select
	copyAgency     *widget.Entry
	copyBox        *fyne.Container
	place          *widget.Select
	form           *fyne.Container
	footer         *fyne.Container
	right          *fyne.Container
	level          *widget.RadioGroup
	levelNote      *widget.Label
	overwrite      *widget.Check
	outLabel       *widget.Label
	status         *widget.Label
	progress       *widget.ProgressBarInfinite
	signBtn        *widget.Button
	cancelBtn      *widget.Button
	profileOptions map[string]stamp.Profile
	modeOptions    map[string]stamp.Mode
	placeOptions   map[string]placement

	// State, on the UI goroutine.
	ctx        context.Context
	cancel     context.CancelFunc
	doc        *docFacts
	docErr     error
	docRead    bool
	pages      pageImages
	shown      int // 0-based page shown
	pageImg    image.Image
	cur        placement // where the signature goes
	numberRect *pdf.Rect // issue marks, user space of page 1
	dateRect   *pdf.Rect
	sigImage   []byte
	sealImage  []byte
	imageErr   string
	busy       bool
	formErr    bool // the status shows what the form lacks
	closing    bool
	previewGen int
	previewT   *time.Timer
	bg         sync.WaitGroup   // the dialog's goroutines, waited for by teardown
	attempt    chan signOutcome // the running press of "Ký", for the test drivers
	closed     chan struct{}    // teardown finished: token and files released
	updating   bool             // widgets being set by code, not by the user
	report     *verify.Report   // the document's verification (Config.Verify), nil until known
	proposing  bool             // the profile is being set by proposeProfile
	profileSet bool             // the user chose a profile: nothing is proposed any more
}

func newSignDialog(win fyne.Window, r pdfRenderer, path string, page int, cfg Config, done func(string)) *signDialog {
	d := &signDialog{win: win, cfg: cfg, path: path, done: done, now: time.Now, renderer: r,
		shown: max(page, 0), closed: make(chan struct{})}
	d.ctx, d.cancel = context.WithCancel(context.Background())
	d.key = newKeyPanel(func() time.Time { return d.now() })
	return d
}

// show builds the dialog, shows it and starts the background work.
func (d *signDialog) show() {
	content := d.build()
	d.dlg = dialog.NewCustomWithoutButtons(i18n.T("signui.sign.title", filepath.Base(d.path)), content, d.win)
	d.dlg.SetButtons([]fyne.CanvasObject{d.cancelBtn, d.signBtn})
	d.dlg.Resize(fyne.NewSize(1040, 760))
	d.dlg.SetOnClosed(d.teardown)
	openDialogs.add(d.win, d)
	d.dlg.Show()
	d.start()
}

// build makes the widgets.
func (d *signDialog) build() fyne.CanvasObject {
	d.updating = true // widgets' callbacks wait until all exist
	defer func() { d.updating = false }()
	tokenPart, certPart, pinPart := d.key.build()
	d.key.onChanged = d.onKeyChanged
	d.key.onSubmit = d.onSign

	d.placer = newPagePlacer(previewMaxW, previewMaxH)
	d.placer.onTapped = d.onPageTapped
	d.placer.onPlaced = d.onBoxPlaced
	d.pageLabel = widget.NewLabel(i18n.T("signui.doc.loading"))
	d.prevBtn = widget.NewButton("◀", func() { d.onPageChanged(d.shown - 1) })
	d.nextBtn = widget.NewButton("▶", func() { d.onPageChanged(d.shown + 1) })
	d.prevBtn.Disable()
	d.nextBtn.Disable()
	d.placeHint = widget.NewLabel(i18n.T("signui.place.hint"))
	d.placeHint.Wrapping = fyne.TextWrapWord
	left := container.NewBorder(
		container.NewHBox(d.prevBtn, d.pageLabel, d.nextBtn), d.placeHint, nil, nil,
		container.NewCenter(d.placer))

	d.profile, d.profileOptions = newProfileRadio(d.onProfileChanged)

	d.modeOptions = map[string]stamp.Mode{}
	var mopts []string
	for _, m := range []stamp.Mode{stamp.ImageAndText, stamp.ImageOnly, stamp.TextOnly} {
		o := i18n.T("signui.mode." + m.String())
		d.modeOptions[o] = m
		mopts = append(mopts, o)
	}
	d.mode = widget.NewSelect(mopts, func(string) { d.onJobChanged() })
	d.approvalBox = container.NewVBox(widget.NewLabel(i18n.T("signui.mode.label")), d.mode)

	d.number = widget.NewEntry()
	d.number.SetPlaceHolder(i18n.T("signui.number.placeholder"))
	d.number.OnChanged = func(string) { d.onJobChanged() }
	d.date = widget.NewEntry()
	d.date.OnChanged = func(string) { d.onJobChanged() }
	d.numberMark = widget.NewCheck(i18n.T("signui.issue.number-mark"), func(bool) { d.onMarksChanged() })
	d.dateMark = widget.NewCheck(i18n.T("signui.issue.date-mark"), func(bool) { d.onMarksChanged() })
	d.issueBox = container.NewVBox(
		widget.NewLabel(i18n.T("signui.number.label")), d.number, d.numberMark,
		widget.NewLabel(i18n.T("signui.date.label")), d.date, d.dateMark)

	d.attachNumber = widget.NewEntry()
	d.attachNumber.SetPlaceHolder(i18n.T("signui.number.placeholder"))
	d.attachNumber.OnChanged = func(string) { d.onJobChanged() }
	d.attachmentBox = container.NewVBox(widget.NewLabel(i18n.T("signui.number.main-label")), d.attachNumber)

	d.copyForm = widget.NewSelect(copyForms, func(string) { d.onJobChanged() })
	d.copyForm.SetSelectedIndex(0)
	d.copyAgency = widget.NewEntry()
	d.copyAgency.OnChanged = func(string) { d.onJobChanged() }
	d.copyBox = container.NewVBox(widget.NewLabel(i18n.T("signui.copy.form")), d.copyForm,
		widget.NewLabel(i18n.T("signui.copy.agency")), d.copyAgency)

	d.place = widget.NewSelect(nil, d.onPlaceChosen)

	d.level = widget.NewRadioGroup([]string{i18n.T("signui.level.bb"), i18n.T("signui.level.bt")}, func(string) {})
	d.level.Required = true
	d.levelNote = widget.NewLabel("")
	d.levelNote.Wrapping = fyne.TextWrapWord
	d.levelNote.Importance = widget.LowImportance

	d.overwrite = widget.NewCheck(i18n.T("signui.out.overwrite"), func(bool) { d.showOutput() })
	d.outLabel = widget.NewLabel("")
	d.outLabel.Wrapping = fyne.TextWrapWord

	d.status = widget.NewLabel("")
	d.status.Wrapping = fyne.TextWrapWord
	d.status.Hide()
	d.progress = widget.NewProgressBarInfinite()
	d.progress.Stop()
	d.progress.Hide()
	d.signBtn = widget.NewButtonWithIcon(i18n.T("signui.sign.button"), nil, d.onSign)
	d.signBtn.Importance = widget.HighImportance
	d.signBtn.Disable()
	d.cancelBtn = widget.NewButton(i18n.T("signui.cancel"), d.onCancel)

	heading := func(key string) fyne.CanvasObject {
		l := widget.NewLabel(i18n.T(key))
		l.TextStyle = fyne.TextStyle{Bold: true}
		return l
	}
	d.form = container.NewVBox(
		heading("signui.section.token"), tokenPart,
		heading("signui.section.cert"), certPart,
		heading("signui.section.profile"), d.profile,
		d.approvalBox, d.issueBox, d.attachmentBox, d.copyBox,
		heading("signui.section.place"), d.place,
		heading("signui.section.level"), d.level, d.levelNote,
		heading("signui.section.output"), d.outLabel, d.overwrite,
		heading("signui.section.pin"), pinPart,
	)
	d.footer = container.NewVBox(d.progress, d.status)
	d.right = container.NewBorder(nil, d.footer, nil, nil, container.NewVScroll(d.form))

	d.initValues()
	split := container.NewHSplit(left, d.right)
	split.Offset = 0.5
	return split
}

// initValues sets the widgets' first values from the configuration.
func (d *signDialog) initValues() {
	d.profile.SetSelected(i18n.T("signui.profile." + string(stamp.Approval)))
	d.date.SetText(stamp.FormatVietnameseDate("", d.now()))
	if d.cfg.TSAURL == "" {
		d.level.SetSelected(i18n.T("signui.level.bb"))
		d.level.Disable()
		d.levelNote.SetText(i18n.T("signui.level.no-tsa"))
	} else {
		if strings.EqualFold(d.cfg.Level, string(pades.LevelB)) {
			d.level.SetSelected(i18n.T("signui.level.bb"))
		} else {
			d.level.SetSelected(i18n.T("signui.level.bt"))
		}
		d.levelNote.SetText(i18n.T("signui.level.tsa", d.cfg.TSAURL))
	}
	d.loadImages()
	d.showProfileBoxes()
	d.showOutput()
}

// loadImages reads the signature and seal images named in the settings.
func (d *signDialog) loadImages() {
	var bad []string
	read := func(path string) []byte {
		if path == "" {
			return nil
		}
		b, err := os.ReadFile(path)
		if err != nil {
			bad = append(bad, i18n.T("signui.err.image-read", path))
			return nil
		}
		return b
	}
	d.sigImage, d.sealImage = read(d.cfg.SignatureImage), read(d.cfg.SealImage)
	d.imageErr = strings.Join(bad, " ")
	mode := stamp.TextOnly
	if d.sigImage != nil {
		mode = stamp.ImageAndText
	} else {
		d.mode.Disable()
	}
	d.mode.SetSelected(i18n.T("signui.mode." + mode.String()))
}

// start reads the token and the document in the background.
func (d *signDialog) start() {
	d.key.start(d.cfg)
	d.bg.Add(1)
	go func() {
		defer d.bg.Done()
		d.readDocument(d.ctx)
	}()
}

// readDocument inspects the PDF, checks its signatures (for the
// proposed profile), then opens it for rendering.
func (d *signDialog) readDocument(ctx context.Context) {
	doc, err := readDocFacts(d.path)
	uiDo(func() { d.showDocument(doc, err) })
	if err != nil || doc.refusal() != nil {
		return
	}
	if d.cfg.Verify != nil {
		d.bg.Add(1)
		go func() {
			defer d.bg.Done()
			rep, err := d.cfg.Verify(ctx, d.path)
			if err != nil {
				return // nothing proven: ký duyệt stays proposed
			}
			uiDo(func() { d.showReport(rep) })
		}()
	}
	if d.renderer == nil {
		return
	}
	pages, openErr := d.renderer.open(d.path)
	if openErr == nil && ctx.Err() != nil {
		pages.Close() // the dialog closed meanwhile
		return
	}
	uiDo(func() { d.showPagesOpened(pages, openErr) })
}

// showDocument takes the document's facts (or why it cannot be read).
func (d *signDialog) showDocument(doc *docFacts, err error) {
	d.doc, d.docErr, d.docRead = doc, err, true
	if err == nil {
		err = doc.refusal()
	}
	if err == nil && doc.pages == 0 {
		err = fmt.Errorf("no pages: %w", pades.ErrMalformed)
	}
	if err != nil {
		d.doc, d.docErr = nil, err
		d.showStatus(explain(err), widget.DangerImportance)
		d.pageLabel.SetText("")
		d.updateSignButton()
		return
	}
	d.shown = min(d.shown, doc.pages-1)
	d.showPlaceOptions(true)
	d.showPageBlank()
	d.updateSignButton()
}

// showPagesOpened takes the rendering document and renders the page shown.
func (d *signDialog) showPagesOpened(pages pageImages, err error) {
	if d.closing {
		if pages != nil {
			go pages.Close()
		}
		return
	}
	if err != nil {
		d.placeHint.SetText(i18n.T("signui.doc.no-preview", err.Error()))
		return
	}
	d.pages = pages
	d.renderPage()
}

// showPageBlank shows the page shown at its size, without its image yet.
func (d *signDialog) showPageBlank() {
	g := d.doc.geoms[d.shown]
	w, h := newPageView(g).size()
	d.pageImg = nil
	d.placer.setPage(w, h, nil)
	d.pageLabel.SetText(i18n.T("signui.doc.page", d.shown+1, d.doc.pages))
	if d.shown > 0 {
		d.prevBtn.Enable()
	} else {
		d.prevBtn.Disable()
	}
	if d.shown < d.doc.pages-1 {
		d.nextBtn.Enable()
	} else {
		d.nextBtn.Disable()
	}
	d.renderPage()
	d.refreshPreview()
}

// renderPage renders the page shown in the background.
func (d *signDialog) renderPage() {
	if d.pages == nil || d.doc == nil {
		return
	}
	i, pages, ctx := d.shown, d.pages, d.ctx
	px := int(d.placer.MinSize().Width) * renderFactor
	d.bg.Add(1)
	go func() {
		defer d.bg.Done()
		img, err := pages.Render(ctx, i, px)
		uiDo(func() { d.showPageImage(i, img, err) })
	}()
}

func (d *signDialog) showPageImage(i int, img image.Image, err error) {
	if i != d.shown || d.closing {
		return
	}
	if err != nil {
		if !errors.Is(err, context.Canceled) {
			d.placeHint.SetText(i18n.T("signui.doc.no-preview", err.Error()))
		}
		return
	}
	d.pageImg = img
	w, h := newPageView(d.doc.geoms[i]).size()
	d.placer.setPage(w, h, img)
	d.refreshPreview()
}

func (d *signDialog) onPageChanged(i int) {
	if d.doc == nil || i < 0 || i >= d.doc.pages || i == d.shown {
		return
	}
	d.shown = i
	d.showPageBlank()
}

// chosenProfile is the profile selected.
func (d *signDialog) chosenProfile() stamp.Profile {
	if p, ok := d.profileOptions[d.profile.Selected]; ok {
		return p
	}
	return stamp.Approval
}

func (d *signDialog) onProfileChanged() {
	d.showProfileBoxes()
	if d.updating {
		return
	}
	if !d.proposing {
		d.profileSet = true
	}
	d.showPlaceOptions(true)
	d.refreshPreview()
	d.updateSignButton()
}

// showProfileBoxes shows the fields of the profile chosen.
func (d *signDialog) showProfileBoxes() {
	p := d.chosenProfile()
	for box, prof := range map[*fyne.Container]stamp.Profile{
		d.approvalBox: stamp.Approval, d.issueBox: stamp.Issue,
		d.attachmentBox: stamp.Attachment, d.copyBox: stamp.Copy,
	} {
		if prof == p {
			box.Show()
		} else {
			box.Hide()
		}
	}
	d.relayout()
}

// relayout lays the form out again after parts of it appeared,
// disappeared or changed height.
func (d *signDialog) relayout() {
	for _, c := range []*fyne.Container{d.form, d.footer, d.right} {
		if c != nil {
			c.Refresh()
		}
	}
}

func (d *signDialog) onJobChanged() {
	if d.updating {
		return
	}
	d.refreshPreview()
	d.updateSignButton()
}

// showReport takes the document's verification report.
func (d *signDialog) showReport(rep *verify.Report) {
	if d.closing {
		return
	}
	d.report = rep
	d.proposeProfile()
}

// proposeProfile selects the profile the document and the certificate
// call for (proposedProfile), until the user chose one.
func (d *signDialog) proposeProfile() {
	if d.profileSet || d.busy || d.closing {
		return
	}
	p := proposedProfile(d.report, d.key.cert())
	if p == d.chosenProfile() {
		return
	}
	d.proposing = true
	d.profile.SetSelected(i18n.T("signui.profile." + string(p)))
	d.proposing = false
}

func (d *signDialog) onKeyChanged() {
	d.proposeProfile()
	d.relayout()
	if d.copyAgency.Text == "" {
		if c := d.key.cert(); c != nil {
			d.updating = true
			d.copyAgency.SetText(stamp.Organization(c))
			d.updating = false
		}
	}
	d.refreshPreview()
	d.updateSignButton()
	// Once a certificate can sign, the PIN is all that is missing: put the
	// cursor there, so that typing the PIN and Enter signs.
	if !d.pinFocused && d.key.ready() && !d.key.pinPad() && d.key.pin.Visible() {
		d.pinFocused = true
		d.win.Canvas().Focus(d.key.pin)
	}
}

// job gathers what the widgets say.
func (d *signDialog) job() signJob {
	p := d.chosenProfile()
	j := signJob{
		timeLayout: d.cfg.TimeLayout,
		in:         d.path, profile: p, level: pades.LevelB, tsaURL: d.cfg.TSAURL, location: d.cfg.Location,
		place: d.cur, mode: stamp.DefaultMode,
		signatureImage: d.sigImage, sealImage: d.sealImage,
	}
	if d.level.Selected == i18n.T("signui.level.bt") && d.cfg.TSAURL != "" {
		j.level = pades.LevelT
	}
	switch p {
	case stamp.Approval:
		j.mode = d.modeOptions[d.mode.Selected]
		if d.sigImage == nil {
			j.mode = stamp.TextOnly
		}
		if j.place.kind == placeInvisible {
			j.mode = stamp.DefaultMode // nothing is drawn
		}
	case stamp.Issue:
		j.number, j.dateText = strings.TrimSpace(d.number.Text), strings.TrimSpace(d.date.Text)
		if d.numberMark.Checked {
			j.numberMark = d.numberRect
		}
		if d.dateMark.Checked {
			j.dateMark = d.dateRect
		}
	case stamp.Attachment:
		j.number = strings.TrimSpace(d.attachNumber.Text)
	case stamp.Copy:
		j.copyForm, j.copyAgency = d.copyForm.Selected, strings.TrimSpace(d.copyAgency.Text)
	}
	if d.overwrite.Checked {
		j.out = d.path
	} else {
		j.out = signedName(d.path, i18n.T("signui.file.suffix"))
	}
	return j
}

// showOutput says where the signed file goes.
func (d *signDialog) showOutput() {
	if d.overwrite.Checked {
		d.outLabel.SetText(i18n.T("signui.out.replace", filepath.Base(d.path)))
		d.outLabel.Importance = widget.WarningImportance
	} else {
		d.outLabel.SetText(i18n.T("signui.out.next-to", filepath.Base(signedName(d.path, i18n.T("signui.file.suffix")))))
		d.outLabel.Importance = widget.MediumImportance
	}
	d.outLabel.Refresh()
}

// updateSignButton enables "Ký" when there is something to sign with.
func (d *signDialog) updateSignButton() {
	ok := !d.busy && d.doc != nil && d.docErr == nil && d.key.ready()
	if ok {
		d.signBtn.Enable()
	} else {
		d.signBtn.Disable()
	}
}

// showStatus shows a sentence under the form.
func (d *signDialog) showStatus(text string, importance widget.Importance) {
	d.status.SetText(text)
	d.status.Importance = importance
	showIf(d.status, text != "")
	d.status.Refresh()
	d.relayout()
}

// onSign checks the form, then logs in and signs in the background. It
// never retries anything on its own: a refused PIN is shown and the
// dialog waits for the user.
func (d *signDialog) onSign() {
	if d.busy {
		return
	}
	d.attempt = make(chan signOutcome, 1)
	job := d.job()
	cert := d.key.cert()
	fail := func(msg string) {
		d.showStatus(msg, widget.DangerImportance)
		d.formErr = true
		d.attempt <- signOutcome{msg: msg}
	}
	switch {
	case d.docErr != nil:
		fail(explain(d.docErr))
		return
	case d.doc == nil || cert == nil:
		fail(i18n.T("signui.need.cert"))
		return
	case d.key.locked():
		fail(i18n.T("signui.err.pin-locked"))
		return
	case job.problem(d.doc) != "":
		fail(i18n.T(job.problem(d.doc)))
		return
	case !d.key.pinPad() && d.key.pin.Text == "":
		fail(i18n.T("signui.need.pin"))
		return
	}
	pin := d.key.pin.Text
	fp := token.Fingerprint(cert)
	d.key.pinError = ""
	d.setBusy(true)
	if d.key.pinPad() {
		d.showStatus(i18n.T("signui.pin.pad"), widget.HighImportance)
	} else {
		d.showStatus(i18n.T("signui.sign.login"), widget.MediumImportance)
	}
	ctx, attempt := d.ctx, d.attempt
	d.bg.Add(1)
	go func() {
		defer d.bg.Done()
		d.sign(ctx, job, pin, fp, attempt)
	}()
}

// sign runs on its own goroutine: log in once, then sign.
func (d *signDialog) sign(ctx context.Context, job signJob, pin, fp string, attempt chan signOutcome) {
	key, err := d.key.worker.unlock(pin, fp)
	if err != nil {
		uiDo(func() { d.showLoginFailed(err, attempt) })
		return
	}
	uiDo(func() { d.showStatus(i18n.T("signui.sign.signing", filepath.Base(job.out)), widget.MediumImportance) })
	_, err = signDocument(ctx, key, job, d.now())
	if errors.Is(err, token.ErrTokenRemoved) {
		d.key.worker.sessionLost()
	}
	uiDo(func() { d.showSigned(job.out, err, attempt) })
}

// showLoginFailed shows why the token refused, and waits for the user.
func (d *signDialog) showLoginFailed(err error, attempt chan signOutcome) {
	d.setBusy(false)
	msg := explain(err)
	if errors.Is(err, token.ErrPINIncorrect) || errors.Is(err, token.ErrPINLocked) || errors.Is(err, token.ErrPINPad) {
		d.key.refused(msg)
		d.showStatus("", widget.MediumImportance)
	} else {
		d.showStatus(msg, widget.DangerImportance)
	}
	d.updateSignButton()
	attempt <- signOutcome{msg: msg, err: err}
}

// showSigned ends a signing: on success the dialog closes and done gets
// the file; on failure the reason stays on screen.
func (d *signDialog) showSigned(out string, err error, attempt chan signOutcome) {
	if d.closing {
		// Cancelled while signing: a signature that still completed stays
		// on disk under its own name, but the dialog's caller was told
		// "cancelled" and hears nothing more.
		attempt <- signOutcome{signed: "", msg: i18n.T("signui.err.cancelled"), err: context.Canceled}
		return
	}
	if err != nil {
		msg := explain(err)
		if d.key.snap.state == stateRemoved && !errors.Is(err, context.Canceled) {
			msg = i18n.T("signui.err.token-removed")
		}
		d.setBusy(false)
		d.showStatus(msg, widget.DangerImportance)
		d.updateSignButton()
		attempt <- signOutcome{msg: msg, err: err}
		return
	}
	msg := i18n.T("signui.sign.done", filepath.Base(out))
	d.showStatus(msg, widget.SuccessImportance)
	attempt <- signOutcome{signed: out, msg: msg}
	d.close()
	if d.done != nil {
		d.done(out)
	}
}

// setBusy locks the form while signing.
func (d *signDialog) setBusy(busy bool) {
	d.busy = busy
	d.key.setBusy(busy)
	enableIf(!busy, d.profile, d.place, d.mode, d.number, d.date, d.numberMark,
		d.dateMark, d.attachNumber, d.copyForm, d.copyAgency, d.overwrite)
	if !busy && d.sigImage == nil {
		d.mode.Disable()
	}
	enableIf(!busy && d.cfg.TSAURL != "", d.level)
	if busy {
		d.progress.Show()
		d.progress.Start()
		d.signBtn.Disable()
	} else {
		d.progress.Stop()
		d.progress.Hide()
	}
	d.relayout()
}

func (d *signDialog) onCancel() { d.close() }

// close hides the dialog; teardown follows from its OnClosed.
func (d *signDialog) close() {
	if d.closing {
		return
	}
	d.dlg.Hide()
}

// teardown releases everything: the running signature is cancelled (no
// output file appears), the token session and module are closed.
func (d *signDialog) teardown() {
	if d.closing {
		return
	}
	d.closing = true
	d.cancel()
	if d.previewT != nil && d.previewT.Stop() {
		d.bg.Done()
	}
	openDialogs.remove(d.win, d)
	pages := d.pages
	d.pages = nil
	go func() {
		d.bg.Wait() // nothing of the dialog runs after closed
		d.key.stop()
		if pages != nil {
			pages.Close()
		}
		close(d.closed)
	}()
}

// newProfileRadio is the choice of signing profile, one option per
// profile in the run's language, and the profile each option stands for.
func newProfileRadio(onChanged func()) (*widget.RadioGroup, map[string]stamp.Profile) {
	byOption := map[string]stamp.Profile{}
	var opts []string
	for _, p := range profiles {
		o := i18n.T("signui.profile." + string(p))
		byOption[o] = p
		opts = append(opts, o)
	}
	r := widget.NewRadioGroup(opts, func(string) { onChanged() })
	r.Required = true
	return r, byOption
}
