package signui

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"

	"github.com/vanthuso/vanthu/internal/samplepdf"
	"github.com/vanthuso/vanthu/internal/testpki"
	"github.com/vanthuso/vanthu/signing/stamp"
	"github.com/vanthuso/vanthu/signing/token"
)

// openDialog shows the sign dialog for path and waits until it has read
// the document and the token. The dialog is closed, and its token
// released, when the test ends.
func openDialog(t *testing.T, q *UIQueue, r pdfRenderer, path string, cfg Config) (*signDialog, fyne.Window, *[]string) {
	t.Helper()
	return openDialogAt(t, q, r, path, cfg, time.Now)
}

// openFixedDialog is openDialog with the clock at fixedNow, for the fake
// token's certificates and golden files.
func openFixedDialog(t *testing.T, q *UIQueue, r pdfRenderer, path string, cfg Config) (*signDialog, fyne.Window, *[]string) {
	t.Helper()
	return openDialogAt(t, q, r, path, cfg, func() time.Time { return fixedNow })
}

func openDialogAt(t *testing.T, q *UIQueue, r pdfRenderer, path string, cfg Config, now func() time.Time) (*signDialog, fyne.Window, *[]string) {
	t.Helper()
	w := newTestWindow(t)
	var signed []string
	d := newSignDialog(w, r, path, 0, cfg, func(s string) { signed = append(signed, s) })
	d.now = now
	d.show()
	t.Cleanup(func() {
		d.onCancel()
		waitFor(t, q, "dialog released", func() bool {
			select {
			case <-d.closed:
				return true
			default:
				return false
			}
		})
	})
	waitFor(t, q, "dialog ready", func() bool {
		return d.docRead && d.key.loaded && d.key.snap.state != stateLoading
	})
	settle(q)
	return d, w, &signed
}

// waitInk waits for the rendered preview of the signature.
func waitInk(t *testing.T, q *UIQueue, d *signDialog) {
	t.Helper()
	waitFor(t, q, "signature preview", func() bool { return d.placer.ink != nil })
	settle(q)
}

// press presses "Ký" and waits for the outcome.
func press(t *testing.T, q *UIQueue, d *signDialog) signOutcome {
	t.Helper()
	test.Tap(d.signBtn)
	if d.attempt == nil {
		t.Fatal("the sign button did nothing")
	}
	var out signOutcome
	got := false
	waitFor(t, q, "signing outcome", func() bool {
		select {
		case out = <-d.attempt:
			got = true
		default:
		}
		return got
	})
	settle(q)
	return out
}

func TestSignDialogGolden(t *testing.T) {
	q := setupUI(t)
	m := newFakeModule(t)
	useFakeModule(t, m)
	dir := t.TempDir()
	in := samplePDF(t, dir, "quyet-dinh.pdf", samplepdf.Options{Pages: 2, Fields: true})
	sig, seal := demoImages(t, dir)
	d, w, _ := openFixedDialog(t, q, whiteRenderer{}, in, Config{SignatureImage: sig, SealImage: seal})

	// The certificate list: the usable one offered, the expired one shown
	// with its reason, the CA certificate left out.
	if len(d.key.certs.Options) != 1 || !strings.HasPrefix(d.key.certs.Options[0], "Nguyễn Văn An — hết hạn 01/03/2045") {
		t.Errorf("certificates offered: %q", d.key.certs.Options)
	}
	if !strings.Contains(d.key.unusable.Text, "Nguyễn Văn An — hết hạn 01/03/2025: không dùng để ký được (chứng thư đã hết hạn)") {
		t.Errorf("unusable certificates: %q", d.key.unusable.Text)
	}
	// Approval goes into the document's empty signature field.
	if d.cur.kind != placeField || d.cur.field != "ChuKyLanhDao" {
		t.Errorf("default placement %+v, want the field ChuKyLanhDao", d.cur)
	}
	// B-T needs a TSA.
	if !d.level.Disabled() || !strings.Contains(d.levelNote.Text, "chưa có địa chỉ TSA") {
		t.Errorf("level without TSA: disabled %v, note %q", d.level.Disabled(), d.levelNote.Text)
	}
	waitInk(t, q, d)
	test.AssertRendersToMarkup(t, "sign/approval.xml", w.Canvas())

	// Attachment: number required, top-right corner of page 1.
	d.profile.SetSelected(i18nProfile(stamp.Attachment))
	settle(q)
	if d.cur.kind != placeCorner {
		t.Errorf("attachment placement %+v, want the corner", d.cur)
	}
	if out := press(t, q, d); out.signed != "" || !strings.Contains(out.msg, "Nhập số và ký hiệu") {
		t.Errorf("attachment without a number: %+v", out)
	}
	if len(m.logins) != 0 {
		t.Errorf("the token was asked for a PIN before the form was complete: %q", m.logins)
	}
	d.attachNumber.SetText("05/QĐ-UBND")
	waitInk(t, q, d)
	test.AssertRendersToMarkup(t, "sign/attachment.xml", w.Canvas())
}

// The PIN entry never retries on its own and shows what the token says
// after each refusal: tries left, final try, locked.
func TestSignDialogPINStates(t *testing.T) {
	q := setupUI(t)
	m := newFakeModule(t)
	m.refusals = []error{
		&token.PINError{Err: token.ErrPINIncorrect, State: token.PINState{CountLow: true}, Remaining: 2},
		&token.PINError{Err: token.ErrPINIncorrect, State: token.PINState{CountLow: true, FinalTry: true}, Remaining: 1},
		&token.PINError{Err: token.ErrPINIncorrect, State: token.PINState{Locked: true}, Remaining: 0},
	}
	useFakeModule(t, m)
	dir := t.TempDir()
	in := samplePDF(t, dir, "vb.pdf", samplepdf.Options{})
	d, w, signed := openFixedDialog(t, q, nil, in, Config{})

	steps := []struct {
		name, note string
	}{
		{"wrong", "Mã PIN không đúng. Còn 2 lần thử."},
		{"final", "Mã PIN không đúng. Chỉ còn 1 lần thử"},
		{"locked", "Mã PIN của thiết bị đã bị khóa"},
	}
	for i, s := range steps {
		test.Type(d.key.pin, "111111")
		out := press(t, q, d)
		if out.signed != "" {
			t.Fatalf("%s: signed with a refused PIN", s.name)
		}
		if len(m.logins) != i+1 {
			t.Fatalf("%s: %d logins after %d presses: the dialog retried", s.name, len(m.logins), i+1)
		}
		if !strings.Contains(d.key.pinNote.Text, s.note) {
			t.Errorf("%s: PIN note %q, want %q", s.name, d.key.pinNote.Text, s.note)
		}
		if d.key.pin.Text != "" {
			t.Errorf("%s: the refused PIN stays in the entry", s.name)
		}
	}
	if !d.signBtn.Disabled() || !d.key.pin.Disabled() {
		t.Error("a locked token still lets the user sign")
	}
	test.AssertRendersToMarkup(t, "sign/locked.xml", w.Canvas())
	if len(*signed) != 0 || len(listDir(t, dir)) != 1 {
		t.Errorf("files after refusals: %q, done called with %q", listDir(t, dir), *signed)
	}
}

// A PIN-pad token: no PIN entry, the user types on the device.
func TestSignDialogPINPad(t *testing.T) {
	q := setupUI(t)
	m := newFakeModule(t)
	m.info.ProtectedAuthPath = true
	useFakeModule(t, m)
	dir := t.TempDir()
	in := samplePDF(t, dir, "vb.pdf", samplepdf.Options{})
	m.refusals = []error{nil} // the device accepts whatever Login gets
	d, _, signed := openFixedDialog(t, q, nil, in, Config{})
	if d.key.pin.Visible() || !strings.Contains(d.key.pinNote.Text, "Nhập mã PIN trên thiết bị") {
		t.Errorf("PIN pad: entry visible %v, note %q", d.key.pin.Visible(), d.key.pinNote.Text)
	}
	out := press(t, q, d)
	if out.signed == "" {
		t.Fatalf("PIN pad signing failed: %s", out.msg)
	}
	if len(m.logins) != 1 || m.logins[0] != "" {
		t.Errorf("logins %q, want one with an empty PIN", m.logins)
	}
	if want := filepath.Join(dir, "vb (đã ký).pdf"); out.signed != want || len(*signed) != 1 || (*signed)[0] != want {
		t.Errorf("signed %q, done got %q, want %q", out.signed, *signed, want)
	}
}

// Clicking and dragging on the page preview places the signature.
func TestSignDialogPlacement(t *testing.T) {
	q := setupUI(t)
	useFakeModule(t, newFakeModule(t))
	dir := t.TempDir()
	in := samplePDF(t, dir, "vb.pdf", samplepdf.Options{Pages: 3})
	d, _, _ := openFixedDialog(t, q, whiteRenderer{}, in, Config{})
	if d.cur.kind != placeRect || d.cur.page != 1 {
		t.Fatalf("default approval placement %+v, want a block on page 1", d.cur)
	}
	v := newPageView(d.doc.geoms[0])
	s, off := d.placer.scale()
	at := func(x, y float64) fyne.Position { // page points → widget position
		return off.Add(fyne.NewPos(s*float32(x), s*float32(y)))
	}

	// A click centres the box there.
	test.TapAt(d.placer, at(150, 200))
	settle(q)
	got := v.rectToDisplay(d.cur.rect)
	if d.cur.kind != placeRect || abs(got.x+got.w/2-150) > 2 || abs(got.y+got.h/2-200) > 2 {
		t.Errorf("after a click at (150,200): %+v", got)
	}

	// A drag from outside the box draws a new one.
	drag(d.placer, at(300, 500), at(500, 580))
	settle(q)
	got = v.rectToDisplay(d.cur.rect)
	if abs(got.x-300) > 2 || abs(got.y-500) > 2 || abs(got.w-200) > 2 || abs(got.h-80) > 2 {
		t.Errorf("after drawing (300,500)+(200×80): %+v", got)
	}

	// A drag from inside the box moves it.
	drag(d.placer, at(350, 520), at(250, 470))
	settle(q)
	got = v.rectToDisplay(d.cur.rect)
	if abs(got.x-200) > 2 || abs(got.y-450) > 2 || abs(got.w-200) > 2 {
		t.Errorf("after moving by (-100,-50): %+v", got)
	}

	// Another page: a click there moves the signature to it.
	test.Tap(d.nextBtn)
	settle(q)
	test.TapAt(d.placer, at(100, 100))
	settle(q)
	if d.cur.page != 2 {
		t.Errorf("signature on page %d after clicking on page 2", d.cur.page)
	}
	if !strings.Contains(d.pageLabel.Text, "Trang 2/3") {
		t.Errorf("page label %q", d.pageLabel.Text)
	}
}

// Documents that cannot be signed are refused when the dialog opens,
// before any PIN is asked for.
func TestSignDialogRefusesEncrypted(t *testing.T) {
	q := setupUI(t)
	m := newFakeModule(t)
	useFakeModule(t, m)
	dir := t.TempDir()
	in := encryptedPDF(t, dir)
	d, _, _ := openFixedDialog(t, q, nil, in, Config{})
	if !d.signBtn.Disabled() || !strings.Contains(d.status.Text, "đặt mật khẩu hoặc mã hóa") {
		t.Errorf("encrypted document: button disabled %v, status %q", d.signBtn.Disabled(), d.status.Text)
	}
	if len(m.logins) != 0 {
		t.Error("PIN asked for an encrypted document")
	}
}

// drag drags on the placer from one position to another in two moves,
// as a driver reports it: the pointer's position and the distance since
// the last event.
func drag(p *pagePlacer, from, to fyne.Position) {
	mid := fyne.NewPos((from.X+to.X)/2, (from.Y+to.Y)/2)
	p.Dragged(&fyne.DragEvent{PointEvent: fyne.PointEvent{Position: mid}, Dragged: fyne.NewDelta(mid.X-from.X, mid.Y-from.Y)})
	p.Dragged(&fyne.DragEvent{PointEvent: fyne.PointEvent{Position: to}, Dragged: fyne.NewDelta(to.X-mid.X, to.Y-mid.Y)})
	p.DragEnd()
}

func listDir(t *testing.T, dir string) []string {
	t.Helper()
	es, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range es {
		if strings.HasSuffix(e.Name(), ".pdf") || strings.Contains(e.Name(), ".tmp") || strings.HasPrefix(e.Name(), ".") {
			names = append(names, e.Name())
		}
	}
	return names
}

var _ = testpki.UserPIN
