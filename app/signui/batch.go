package signui

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync/atomic"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/widget"

	"github.com/vanthuso/vanthu/app/i18n"
	"github.com/vanthuso/vanthu/signing/cms"
	"github.com/vanthuso/vanthu/signing/pades"
	"github.com/vanthuso/vanthu/signing/stamp"
	"github.com/vanthuso/vanthu/signing/token"
)

// batchStatus is where one file of a batch stands.
type batchStatus int

const (
	batchPending batchStatus = iota
	batchSigning
	batchSigned
	batchFailed
	batchSkipped // not attempted: the batch was stopped
)

// batchRow is one PDF of the folder.
type batchRow struct {
	path   string
	check  *widget.Check
	result *widget.Label
	status batchStatus
	out    string // the signed copy
	msg    string // why it failed
}

// batchDialog signs many PDFs with one PIN entry.
type batchDialog struct {
	win fyne.Window
	dlg *dialog.CustomDialog
	cfg Config
	now func() time.Time
	key *keyPanel

	folderLabel  *widget.Label
	folderBtn    *widget.Button
	all          *widget.Check
	list         *fyne.Container
	profile      *widget.RadioGroup
	profileNote  *widget.Label
	number       *widget.Entry
	numberBox    *fyne.Container
	copyForm     *widget.Select
	copyAgency   *widget.Entry
	copyBox      *fyne.Container
	form         *fyne.Container
	level        *widget.RadioGroup
	progress     *widget.ProgressBar
	summary      *widget.Label
	startBtn     *widget.Button
	stopBtn      *widget.Button
	closeBtn     *widget.Button
	profileNames map[string]stamp.Profile

	// State, on the UI goroutine.
	ctx       context.Context
	cancel    context.CancelFunc
	folder    string
	rows      []*batchRow
	sealImage []byte
	busy      bool
	stopFlag  *atomic.Bool
	run       chan struct{} // closed when the running batch has finished
	closing   bool
	closed    chan struct{}
}

func newBatchDialog(win fyne.Window, cfg Config) *batchDialog {
	b := &batchDialog{win: win, cfg: cfg, now: time.Now, closed: make(chan struct{})}
	b.ctx, b.cancel = context.WithCancel(context.Background())
	b.key = newKeyPanel(func() time.Time { return b.now() })
	return b
}

func (b *batchDialog) show() {
	content := b.build()
	b.dlg = dialog.NewCustomWithoutButtons(i18n.T("signui.batch.title"), content, b.win)
	b.dlg.SetButtons([]fyne.CanvasObject{b.closeBtn, b.stopBtn, b.startBtn})
	b.dlg.Resize(fyne.NewSize(1000, 720))
	b.dlg.SetOnClosed(b.teardown)
	openBatches.add(b.win, b)
	b.dlg.Show()
	b.key.start(b.cfg)
}

func (b *batchDialog) build() fyne.CanvasObject {
	tokenPart, certPart, pinPart := b.key.build()
	b.key.onChanged = b.onKeyChanged
	b.key.onSubmit = b.onStart

	b.folderLabel = widget.NewLabel(i18n.T("signui.batch.no-folder"))
	b.folderLabel.Truncation = fyne.TextTruncateEllipsis
	b.folderBtn = widget.NewButton(i18n.T("signui.batch.choose-folder"), b.onChooseFolder)
	b.all = widget.NewCheck(i18n.T("signui.batch.all"), b.onAllChanged)
	b.all.Disable()
	b.list = container.NewVBox()
	b.progress = widget.NewProgressBar()
	b.summary = widget.NewLabel("")
	b.summary.Wrapping = fyne.TextWrapWord
	files := container.NewBorder(
		container.NewVBox(container.NewBorder(nil, nil, b.folderBtn, nil, b.folderLabel), b.all), nil, nil, nil,
		container.NewVScroll(b.list))

	b.profile, b.profileNames = newProfileRadio(b.onProfileChanged)
	b.profileNote = widget.NewLabel("")
	b.profileNote.Wrapping = fyne.TextWrapWord
	b.profileNote.Importance = widget.LowImportance
	b.number = widget.NewEntry()
	b.number.SetPlaceHolder(i18n.T("signui.number.placeholder"))
	b.numberBox = container.NewVBox(widget.NewLabel(i18n.T("signui.number.main-label")), b.number)
	b.copyForm = widget.NewSelect(copyForms, nil)
	b.copyForm.SetSelectedIndex(0)
	b.copyAgency = widget.NewEntry()
	b.copyBox = container.NewVBox(widget.NewLabel(i18n.T("signui.copy.form")), b.copyForm,
		widget.NewLabel(i18n.T("signui.copy.agency")), b.copyAgency)
	b.level = widget.NewRadioGroup([]string{i18n.T("signui.level.bb"), i18n.T("signui.level.bt")}, nil)
	b.level.Required = true
	levelNote := widget.NewLabel("")
	levelNote.Wrapping = fyne.TextWrapWord
	levelNote.Importance = widget.LowImportance
	if b.cfg.TSAURL == "" {
		b.level.SetSelected(i18n.T("signui.level.bb"))
		b.level.Disable()
		levelNote.SetText(i18n.T("signui.level.no-tsa"))
	} else {
		b.level.SetSelected(i18n.T("signui.level.bt"))
		if strings.EqualFold(b.cfg.Level, string(pades.LevelB)) {
			b.level.SetSelected(i18n.T("signui.level.bb"))
		}
		levelNote.SetText(i18n.T("signui.level.tsa", b.cfg.TSAURL))
	}
	if b.cfg.SealImage != "" {
		b.sealImage, _ = os.ReadFile(b.cfg.SealImage) // unreadable: issue signatures are invisible
	}

	b.startBtn = widget.NewButton(i18n.T("signui.batch.start"), b.onStart)
	b.startBtn.Importance = widget.HighImportance
	b.startBtn.Disable()
	b.stopBtn = widget.NewButton(i18n.T("signui.batch.stop"), b.onStop)
	b.stopBtn.Disable()
	b.closeBtn = widget.NewButton(i18n.T("signui.close"), func() { b.dlg.Hide() })

	heading := func(key string) fyne.CanvasObject {
		l := widget.NewLabel(i18n.T(key))
		l.TextStyle = fyne.TextStyle{Bold: true}
		return l
	}
	b.form = container.NewVBox(
		heading("signui.section.token"), tokenPart,
		heading("signui.section.cert"), certPart,
		heading("signui.section.profile"), b.profile, b.profileNote, b.numberBox, b.copyBox,
		heading("signui.section.level"), b.level, levelNote,
		heading("signui.section.pin"), pinPart,
	)
	b.profile.SetSelected(b.profile.Options[0])
	split := container.NewHSplit(
		container.NewBorder(nil, container.NewVBox(b.progress, b.summary), nil, nil, files),
		container.NewVScroll(b.form))
	split.Offset = 0.55
	return split
}

func (b *batchDialog) chosenProfile() stamp.Profile {
	if p, ok := b.profileNames[b.profile.Selected]; ok {
		return p
	}
	return stamp.Approval
}

func (b *batchDialog) onProfileChanged() {
	p := b.chosenProfile()
	showIf(b.numberBox, p == stamp.Attachment || p == stamp.Issue)
	showIf(b.copyBox, p == stamp.Copy)
	if b.form != nil {
		b.form.Refresh()
	}
	note := i18n.T("signui.batch.place." + string(p))
	if p == stamp.Issue && b.sealImage == nil {
		note = i18n.T("signui.batch.place.issue-no-seal")
	}
	b.profileNote.SetText(note)
}

func (b *batchDialog) onKeyChanged() {
	if b.form != nil {
		b.form.Refresh()
	}
	if c := b.key.cert(); c != nil && b.copyAgency.Text == "" {
		b.copyAgency.SetText(stamp.Organization(c))
	}
	b.updateStart()
}

func (b *batchDialog) onChooseFolder() {
	fd := dialog.NewFolderOpen(func(u fyne.ListableURI, err error) {
		if err != nil || u == nil {
			return
		}
		b.setFolder(u.Path())
	}, b.win)
	fd.Show()
}

func showIf(o fyne.CanvasObject, show bool) {
	if show {
		o.Show()
	} else {
		o.Hide()
	}
}

// enableIf enables or disables every widget of ws.
func enableIf(on bool, ws ...fyne.Disableable) {
	for _, w := range ws {
		if on {
			w.Enable()
		} else {
			w.Disable()
		}
	}
}

// signedCopy matches the names this program gives signed copies, in
// either language, so a folder signed once is not signed twice by
// default.
var signedCopy = regexp.MustCompile(`(?i) \((đã ký|signed)( \d+)?\)\.pdf$`)

// setFolder lists the PDFs of dir (sorted, not recursive).
func (b *batchDialog) setFolder(dir string) {
	if b.busy {
		return
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		b.folder, b.rows = "", nil
		b.folderLabel.SetText(dir)
		b.summary.SetText(i18n.T("signui.batch.err.folder", dir))
		b.summary.Importance = widget.DangerImportance
		b.summary.Refresh()
		b.showRows()
		return
	}
	var names []string
	for _, e := range entries {
		if e.Type().IsRegular() && strings.EqualFold(filepath.Ext(e.Name()), ".pdf") {
			names = append(names, e.Name())
		}
	}
	slices.Sort(names)
	b.folder = dir
	b.folderLabel.SetText(dir)
	b.rows = nil
	for _, n := range names {
		r := &batchRow{path: filepath.Join(dir, n), result: widget.NewLabel("")}
		r.check = widget.NewCheck(n, func(bool) { b.updateStart() })
		r.check.Checked = !signedCopy.MatchString(n)
		r.result.Wrapping = fyne.TextWrapWord
		b.rows = append(b.rows, r)
	}
	b.all.Checked = len(b.rows) > 0 && len(b.chosen()) == len(b.rows)
	b.all.Refresh()
	b.summary.Importance = widget.MediumImportance
	if len(names) == 0 {
		b.summary.SetText(i18n.T("signui.batch.empty", dir))
	} else {
		b.summary.SetText(i18n.T("signui.batch.listed", len(names)))
	}
	b.progress.SetValue(0)
	b.showRows()
}

func (b *batchDialog) showRows() {
	objs := make([]fyne.CanvasObject, 0, len(b.rows))
	for _, r := range b.rows {
		objs = append(objs, container.NewGridWithColumns(2, r.check, r.result))
	}
	b.list.Objects = objs
	b.list.Refresh()
	if len(b.rows) > 0 {
		b.all.Enable()
	} else {
		b.all.Disable()
	}
	b.updateStart()
}

func (b *batchDialog) onAllChanged(on bool) {
	for _, r := range b.rows {
		r.check.SetChecked(on)
	}
}

// chosen are the rows ticked.
func (b *batchDialog) chosen() []*batchRow {
	var out []*batchRow
	for _, r := range b.rows {
		if r.check.Checked {
			out = append(out, r)
		}
	}
	return out
}

func (b *batchDialog) updateStart() {
	n := len(b.chosen())
	b.startBtn.SetText(i18n.T("signui.batch.start-n", n))
	if !b.busy && n > 0 && b.key.ready() {
		b.startBtn.Enable()
	} else {
		b.startBtn.Disable()
	}
}

// baseJob is the part of every file's job the form gives.
func (b *batchDialog) baseJob() signJob {
	j := signJob{timeLayout: b.cfg.TimeLayout, profile: b.chosenProfile(), level: pades.LevelB, tsaURL: b.cfg.TSAURL,
		location: b.cfg.Location, sealImage: b.sealImage, mode: stamp.TextOnly}
	if b.level.Selected == i18n.T("signui.level.bt") && b.cfg.TSAURL != "" {
		j.level = pades.LevelT
	}
	switch j.profile {
	case stamp.Attachment, stamp.Issue:
		j.number = strings.TrimSpace(b.number.Text)
	case stamp.Copy:
		j.copyForm, j.copyAgency = b.copyForm.Selected, strings.TrimSpace(b.copyAgency.Text)
	}
	return j
}

// batchPlacement is where a batch puts each file's signature: approval in
// the first empty visible signature field, else invisible; issue over the
// leader's signature when there is one and a seal image, else invisible;
// attachment and copy top-right of page 1.
func batchPlacement(p stamp.Profile, doc *docFacts, seal bool) placement {
	switch p {
	case stamp.Attachment, stamp.Copy:
		return placement{kind: placeCorner}
	case stamp.Issue:
		if seal && doc.hasLeader {
			return placement{kind: placeLeader}
		}
	case stamp.Approval:
		for _, f := range doc.fields {
			if f.Visible() {
				return placement{kind: placeField, field: f.Name}
			}
		}
	}
	return placement{kind: placeInvisible}
}

// onStart checks the form and signs the ticked files in the background.
func (b *batchDialog) onStart() {
	if b.busy {
		return
	}
	rows := b.chosen()
	cert := b.key.cert()
	job := b.baseJob()
	fail := func(msg string) {
		b.summary.SetText(msg)
		b.summary.Importance = widget.DangerImportance
		b.summary.Refresh()
	}
	switch {
	case len(rows) == 0:
		fail(i18n.T("signui.batch.none-chosen"))
		return
	case cert == nil:
		fail(i18n.T("signui.need.cert"))
		return
	case b.key.locked():
		fail(i18n.T("signui.err.pin-locked"))
		return
	case job.profile == stamp.Attachment && job.number == "":
		fail(i18n.T("signui.need.number"))
		return
	case job.profile == stamp.Copy && job.copyForm == "":
		fail(i18n.T("signui.need.copy-form"))
		return
	case !b.key.pinPad() && b.key.pin.Text == "":
		fail(i18n.T("signui.need.pin"))
		return
	}
	pin, fp := b.key.pin.Text, token.Fingerprint(cert)
	b.key.pinError = ""
	for _, r := range b.rows {
		r.status, r.out, r.msg = batchPending, "", ""
		b.showRow(r)
	}
	b.stopFlag = &atomic.Bool{}
	b.run = make(chan struct{})
	b.setBusy(true)
	b.progress.Max = float64(len(rows))
	b.progress.SetValue(0)
	if b.key.pinPad() {
		b.summary.SetText(i18n.T("signui.pin.pad"))
	} else {
		b.summary.SetText(i18n.T("signui.sign.login"))
	}
	b.summary.Importance = widget.MediumImportance
	b.summary.Refresh()
	paths := make([]string, len(rows))
	for i, r := range rows {
		paths[i] = r.path
	}
	go b.signAll(b.ctx, b.stopFlag, b.run, job, pin, fp, rows, paths)
}

// batchFileHook, when set by a test, runs on the batch goroutine after
// file i is marked as being signed and before it is signed.
var batchFileHook func(i int)

// signAll runs on its own goroutine: one login, then every file in turn.
// stop is checked between files; ctx (the dialog closing) also cancels
// the file being signed, which then leaves no output.
func (b *batchDialog) signAll(ctx context.Context, stop *atomic.Bool, finished chan struct{}, base signJob, pin, fp string, rows []*batchRow, paths []string) {
	defer close(finished)
	key, err := b.key.worker.unlock(pin, fp)
	if err != nil {
		uiDo(func() { b.showLoginFailed(err) })
		return
	}
	suffix := i18n.T("signui.file.suffix")
	var stopped error
	for i, in := range paths {
		if stopped == nil && (stop.Load() || ctx.Err() != nil) {
			stopped = context.Canceled
		}
		row := rows[i]
		if stopped != nil {
			uiDo(func() { b.showResult(row, batchSkipped, "", "", i) })
			continue
		}
		uiDo(func() { b.showResult(row, batchSigning, "", "", i) })
		if batchFileHook != nil {
			batchFileHook(i)
		}
		out, err := b.signOne(ctx, key, base, in, suffix)
		if err != nil {
			msg := explain(err)
			uiDo(func() { b.showResult(row, batchFailed, "", msg, i+1) })
			var tsaErr *cms.TSAError
			if isTokenProblem(err) || errors.As(err, &tsaErr) { // every later file would fail alike
				stopped = err
				if errors.Is(err, token.ErrTokenRemoved) {
					b.key.worker.sessionLost()
				}
			}
			continue
		}
		uiDo(func() { b.showResult(row, batchSigned, out, "", i+1) })
	}
	uiDo(func() { b.showFinished(stopped) })
}

// signOne signs one file of the batch next to itself.
func (b *batchDialog) signOne(ctx context.Context, key *signingKey, base signJob, in, suffix string) (string, error) {
	doc, err := readDocFacts(in)
	if err != nil {
		return "", err
	}
	if err := doc.refusal(); err != nil {
		return "", err
	}
	j := base
	j.in, j.out = in, signedName(in, suffix)
	j.place = batchPlacement(j.profile, doc, len(j.sealImage) > 0)
	if j.place.kind == placeInvisible {
		j.sealImage = nil
	}
	if _, err := signDocument(ctx, key, j, b.now()); err != nil {
		return "", err
	}
	return j.out, nil
}

// showResult shows where one file stands; done is how many files are
// finished, for the progress bar.
func (b *batchDialog) showResult(r *batchRow, st batchStatus, out, msg string, done int) {
	r.status, r.out, r.msg = st, out, msg
	b.showRow(r)
	if st != batchSkipped && st != batchSigning {
		b.progress.SetValue(float64(done))
	}
}

func (b *batchDialog) showRow(r *batchRow) {
	switch r.status {
	case batchPending:
		r.result.SetText("")
	case batchSigning:
		r.result.Importance = widget.MediumImportance
		r.result.SetText(i18n.T("signui.batch.row.signing"))
	case batchSigned:
		r.result.Importance = widget.SuccessImportance
		r.result.SetText(i18n.T("signui.batch.row.signed", filepath.Base(r.out)))
	case batchFailed:
		r.result.Importance = widget.DangerImportance
		r.result.SetText(i18n.T("signui.batch.row.failed", r.msg))
	case batchSkipped:
		r.result.Importance = widget.LowImportance
		r.result.SetText(i18n.T("signui.batch.row.skipped"))
	}
	r.result.Refresh()
	b.list.Refresh() // a row may have grown
}

func (b *batchDialog) showLoginFailed(err error) {
	b.setBusy(false)
	msg := explain(err)
	if errors.Is(err, token.ErrPINIncorrect) || errors.Is(err, token.ErrPINLocked) || errors.Is(err, token.ErrPINPad) {
		b.key.refused(msg)
		b.summary.SetText("")
	} else {
		b.summary.SetText(msg)
		b.summary.Importance = widget.DangerImportance
	}
	b.summary.Refresh()
	b.updateStart()
}

// showFinished sums the batch up.
func (b *batchDialog) showFinished(stopped error) {
	b.setBusy(false)
	var ok, failed, skipped int
	for _, r := range b.rows {
		switch r.status {
		case batchSigned:
			ok++
		case batchFailed:
			failed++
		case batchSkipped:
			skipped++
		}
	}
	text := i18n.T("signui.batch.summary", ok, ok+failed+skipped, failed, skipped)
	importance := widget.SuccessImportance
	if failed > 0 || skipped > 0 {
		importance = widget.WarningImportance
	}
	switch {
	case errors.Is(stopped, context.Canceled):
		text = i18n.T("signui.batch.stopped") + " " + text
	case stopped != nil:
		text = i18n.T("signui.batch.token-stopped", explain(stopped)) + " " + text
		importance = widget.DangerImportance
	}
	b.summary.SetText(text)
	b.summary.Importance = importance
	b.summary.Refresh()
	b.updateStart()
}

func (b *batchDialog) onStop() {
	if b.busy && b.stopFlag != nil {
		b.stopFlag.Store(true)
		b.stopBtn.Disable()
		b.summary.SetText(i18n.T("signui.batch.stopping"))
		b.summary.Refresh()
	}
}

func (b *batchDialog) setBusy(busy bool) {
	b.busy = busy
	b.key.setBusy(busy)
	enableIf(!busy, b.folderBtn, b.all, b.profile, b.number, b.copyForm, b.copyAgency)
	for _, r := range b.rows {
		enableIf(!busy, r.check)
	}
	enableIf(!busy && b.cfg.TSAURL != "", b.level)
	if busy {
		b.startBtn.Disable()
		b.stopBtn.Enable()
	} else {
		b.stopBtn.Disable()
		b.updateStart()
	}
}

// teardown cancels a running batch (the file being signed leaves no
// output) and releases the token.
func (b *batchDialog) teardown() {
	if b.closing {
		return
	}
	b.closing = true
	b.cancel()
	openBatches.remove(b.win, b)
	run := b.run
	go func() {
		if run != nil {
			<-run
		}
		b.key.stop()
		close(b.closed)
	}()
}
