package signui

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"fyne.io/fyne/v2"

	"github.com/vanthuso/vanthu/app/i18n"

	"github.com/vanthuso/vanthu/signing/pdf"
	"github.com/vanthuso/vanthu/signing/stamp"
)

// This file holds the test drivers: what the package's tests use to drive
// the dialogs as a user would, without a screen. It is a _test.go file so
// that the application carries none of it; the dialogs only register
// themselves by window (open.go) for SignDialogOf and BatchDialogOf.

// UIQueue collects the widget changes the package makes from its
// background goroutines, for a test to run on its own goroutine.
//
// Under Fyne's test driver fyne.Do runs its function at once on the
// calling goroutine, so a background goroutine would change widgets while
// the test reads them, and the race detector would rightly complain.
// With a UIQueue every such change waits in the queue until the test runs
// it (Run, RunUntil, or any waiting method of the drivers), so widgets
// are only ever touched by the test goroutine.
type UIQueue struct {
	mu   sync.Mutex
	fs   []func()
	wake chan struct{}
}

var (
	queueMu     sync.Mutex
	activeQueue *UIQueue
)

// UseUIQueue makes the package queue its widget changes instead of
// calling fyne.Do, until the returned function restores fyne.Do. Call it
// before creating the token status or showing a dialog, from a test only.
func UseUIQueue() (*UIQueue, func()) {
	q := &UIQueue{wake: make(chan struct{}, 1)}
	queueMu.Lock()
	activeQueue = q
	queueMu.Unlock()
	prev := uiDo
	uiDo = q.push
	return q, func() {
		uiDo = prev
		queueMu.Lock()
		activeQueue = nil
		queueMu.Unlock()
	}
}

func (q *UIQueue) push(f func()) {
	q.mu.Lock()
	q.fs = append(q.fs, f)
	q.mu.Unlock()
	select {
	case q.wake <- struct{}{}:
	default:
	}
}

// Run runs the queued changes (and those they queue) and returns how many
// ran.
func (q *UIQueue) Run() int {
	n := 0
	for {
		q.mu.Lock()
		fs := q.fs
		q.fs = nil
		q.mu.Unlock()
		if len(fs) == 0 {
			return n
		}
		for _, f := range fs {
			f()
		}
		n += len(fs)
	}
}

// RunUntil runs queued changes as they come until cond holds (checked
// after each batch, on the calling goroutine) or ctx ends.
func (q *UIQueue) RunUntil(ctx context.Context, cond func() bool) error {
	for {
		q.Run()
		if cond() {
			return nil
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("waiting for the UI: %w", ctx.Err())
		case <-q.wake:
		case <-time.After(20 * time.Millisecond):
		}
	}
}

// waitUI runs queued changes until cond holds: through the active queue,
// else by polling (fyne.Do already ran the changes).
func waitUI(ctx context.Context, cond func() bool) error {
	queueMu.Lock()
	q := activeQueue
	queueMu.Unlock()
	if q != nil {
		return q.RunUntil(ctx, cond)
	}
	for !cond() {
		select {
		case <-ctx.Done():
			return fmt.Errorf("waiting for the UI: %w", ctx.Err())
		case <-time.After(20 * time.Millisecond):
		}
	}
	return nil
}

// SignDriver drives an open sign dialog as a user would. Its methods must
// be called on the goroutine that drives the UI (a test's own goroutine
// under Fyne's test driver); the Wait and Sign methods run queued UI
// changes while they wait (see UseUIQueue).
type SignDriver struct{ d *signDialog }

// SignDialogOf returns a driver for the sign dialog open over win, nil
// when there is none.
func SignDialogOf(win fyne.Window) *SignDriver {
	if d, ok := openDialogs.get(win); ok {
		return &SignDriver{d}
	}
	return nil
}

// WaitReady waits until the document and the token have been read
// (successfully or not).
func (s *SignDriver) WaitReady(ctx context.Context) error {
	return waitUI(ctx, func() bool { return s.d.docRead && s.d.key.loaded && s.d.key.snap.state != stateLoading })
}

// Certificates returns the SHA-256 fingerprints of the certificates the
// dialog offers for signing, in the order listed.
func (s *SignDriver) Certificates() []string {
	var out []string
	for _, o := range s.d.key.certs.Options {
		out = append(out, s.d.key.certFPs[o])
	}
	return out
}

// SelectCertificate chooses the certificate with the given SHA-256
// fingerprint (token.Fingerprint).
func (s *SignDriver) SelectCertificate(fingerprint string) error {
	for o, fp := range s.d.key.certFPs {
		if fp == fingerprint {
			s.d.key.certs.SetSelected(o)
			return nil
		}
	}
	return fmt.Errorf("certificate %s is not offered", fingerprint)
}

// SelectProfile chooses "approval", "issue", "attachment" or "copy".
func (s *SignDriver) SelectProfile(name string) error {
	p, err := stamp.ParseProfile(name)
	if err != nil {
		return err
	}
	s.d.profile.SetSelected(i18nProfile(p))
	return nil
}

// Place puts the signature in rectangle r (PDF user space) of page
// (1-based), as a click or drag on the preview would.
func (s *SignDriver) Place(page int, r pdf.Rect) error {
	d := s.d
	if d.doc == nil || page < 1 || page > d.doc.pages {
		return fmt.Errorf("no page %d", page)
	}
	d.onPageChanged(page - 1)
	d.placeAt(r.Normalize())
	return nil
}

// SetNumber types the document number (issue, attachment).
func (s *SignDriver) SetNumber(number string) {
	s.d.number.SetText(number)
	s.d.attachNumber.SetText(number)
}

// SetLevel chooses "B-B" or "B-T".
func (s *SignDriver) SetLevel(level string) error {
	switch level {
	case "B-B":
		s.d.level.SetSelected(s.d.level.Options[0])
	case "B-T":
		if s.d.level.Disabled() {
			return errors.New("B-T is disabled: no TSA configured")
		}
		s.d.level.SetSelected(s.d.level.Options[1])
	default:
		return fmt.Errorf("unknown level %q", level)
	}
	return nil
}

// EnterPIN types the PIN into the PIN entry.
func (s *SignDriver) EnterPIN(pin string) { s.d.key.pin.SetText(pin) }

// Sign presses "Ký" and waits for the outcome: the signed file, or the
// sentence the dialog shows as an error. A disabled button is an error.
func (s *SignDriver) Sign(ctx context.Context) (signed string, err error) {
	d := s.d
	if d.signBtn.Disabled() {
		return "", fmt.Errorf("the sign button is disabled: %s", s.Status())
	}
	d.onSign()
	attempt := d.attempt
	var out signOutcome
	got := false
	werr := waitUI(ctx, func() bool {
		select {
		case out = <-attempt:
			got = true
		default:
		}
		return got
	})
	if werr != nil {
		return "", werr
	}
	if out.signed == "" {
		return "", errors.New(out.msg)
	}
	return out.signed, nil
}

// Status is the sentence under the form ("" when none).
func (s *SignDriver) Status() string { return s.d.status.Text }

// PINNote is what the dialog says about the PIN: tries left, locked, PIN
// pad, or why the last PIN was refused.
func (s *SignDriver) PINNote() string { return s.d.key.pinNote.Text }

// TokenNote is what the dialog says about the token.
func (s *SignDriver) TokenNote() string { return s.d.key.tokenNote.Text }

// Cancel presses "Hủy" and waits until the token and files are released.
func (s *SignDriver) Cancel(ctx context.Context) error {
	s.d.onCancel()
	return s.WaitClosed(ctx)
}

// WaitClosed waits until the dialog has closed and released the token.
func (s *SignDriver) WaitClosed(ctx context.Context) error {
	return waitUI(ctx, func() bool {
		select {
		case <-s.d.closed:
			return true
		default:
			return false
		}
	})
}

// BatchDriver drives an open batch dialog; the same rules as SignDriver.
type BatchDriver struct{ b *batchDialog }

// BatchDialogOf returns a driver for the batch dialog open over win, nil
// when there is none.
func BatchDialogOf(win fyne.Window) *BatchDriver {
	if b, ok := openBatches.get(win); ok {
		return &BatchDriver{b}
	}
	return nil
}

// WaitReady waits until the token has been read.
func (bd *BatchDriver) WaitReady(ctx context.Context) error {
	return waitUI(ctx, func() bool { return bd.b.key.loaded && bd.b.key.snap.state != stateLoading })
}

// SetFolder lists the PDFs of dir, as choosing it in the folder dialog
// would, and returns their names with whether each is ticked.
func (bd *BatchDriver) SetFolder(dir string) map[string]bool {
	bd.b.setFolder(dir)
	out := map[string]bool{}
	for _, r := range bd.b.rows {
		out[r.check.Text] = r.check.Checked
	}
	return out
}

// SelectProfile chooses the profile, as SignDriver.SelectProfile.
func (bd *BatchDriver) SelectProfile(name string) error {
	p, err := stamp.ParseProfile(name)
	if err != nil {
		return err
	}
	bd.b.profile.SetSelected(i18nProfile(p))
	return nil
}

// SetNumber types the main document's number (attachment, issue).
func (bd *BatchDriver) SetNumber(number string) { bd.b.number.SetText(number) }

// EnterPIN types the PIN.
func (bd *BatchDriver) EnterPIN(pin string) { bd.b.key.pin.SetText(pin) }

// Start presses the sign button; it returns at once.
func (bd *BatchDriver) Start() error {
	if bd.b.startBtn.Disabled() {
		return fmt.Errorf("the start button is disabled: %s", bd.b.summary.Text)
	}
	bd.b.onStart()
	if !bd.b.busy {
		return errors.New(bd.b.summary.Text)
	}
	return nil
}

// Stop presses "Dừng": the batch stops after the file being signed.
func (bd *BatchDriver) Stop() { bd.b.onStop() }

// WaitRow waits until the file named name is being signed or done.
func (bd *BatchDriver) WaitRow(ctx context.Context, name string) error {
	return waitUI(ctx, func() bool {
		for _, r := range bd.b.rows {
			if r.check.Text == name && r.status != batchPending {
				return true
			}
		}
		return false
	})
}

// BatchResult is the outcome of one file of a batch.
type BatchResult struct {
	Name    string // file name in the folder
	Status  string // "signed", "failed", "skipped" (the batch stopped), "pending" (not ticked)
	Output  string // the signed copy's path
	Message string // what the dialog says about it
}

// Wait waits for the running batch to finish and returns every file's
// result and the summary line.
func (bd *BatchDriver) Wait(ctx context.Context) ([]BatchResult, string, error) {
	b := bd.b
	run := b.run
	err := waitUI(ctx, func() bool {
		if run == nil {
			return true
		}
		select {
		case <-run:
			return !b.busy
		default:
			return false
		}
	})
	if err != nil {
		return nil, "", err
	}
	var out []BatchResult
	for _, r := range b.rows {
		st := map[batchStatus]string{batchPending: "pending", batchSigning: "signing", batchSigned: "signed",
			batchFailed: "failed", batchSkipped: "skipped"}[r.status]
		out = append(out, BatchResult{Name: r.check.Text, Status: st, Output: r.out, Message: r.result.Text})
	}
	return out, b.summary.Text, nil
}

// Close presses "Đóng" and waits until the token is released.
func (bd *BatchDriver) Close(ctx context.Context) error {
	bd.b.dlg.Hide()
	return waitUI(ctx, func() bool {
		select {
		case <-bd.b.closed:
			return true
		default:
			return false
		}
	})
}

// StatusText returns the lines the token status shows, one per token.
func (t *TokenStatus) StatusText() []string { return t.text() }

// WaitStatus waits until the token status shows a line containing want.
func (t *TokenStatus) WaitStatus(ctx context.Context, want string) error {
	return waitUI(ctx, func() bool {
		for _, l := range t.text() {
			if containsFold(l, want) {
				return true
			}
		}
		return false
	})
}

func i18nProfile(p stamp.Profile) string { return i18n.T("signui.profile." + string(p)) }

func containsFold(s, sub string) bool {
	return strings.Contains(strings.ToLower(s), strings.ToLower(sub))
}
