//go:build screenshots

package work

import (
	"image/png"
	"os"
	"path/filepath"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/theme"

	"github.com/vanthuso/vanthu/sync/protocol"
)

// TestScreenshots draws the screens at 1366×768 with Fyne's software
// painter into $VANTHU_WORK_SHOTS (screenshots/ in `make screenshots`):
// Việc của tôi for each role, the Vào sổ and Phân công dialogs, Sổ văn
// bản; into a temporary folder when none is named (the drawing is
// still tested).
func TestScreenshots(t *testing.T) {
	dir := os.Getenv("VANTHU_WORK_SHOTS")
	if dir == "" {
		dir = t.TempDir()
	}
	shot := func(h *harness, name string) {
		t.Helper()
		h.q.Settle()
		time.Sleep(100 * time.Millisecond)
		img := h.win.Canvas().Capture()
		f, err := os.Create(filepath.Join(dir, "1366x768-"+name+".png"))
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		if err := png.Encode(f, img); err != nil {
			t.Fatal(err)
		}
	}
	open := func(u protocol.User, key string) *harness {
		st := workStore(t)
		h := newHarness(t, st, u)
		fyne.CurrentApp().Settings().SetTheme(theme.LightTheme())
		h.win.SetPadded(false)
		h.win.Resize(fyne.NewSize(1366, 768))
		h.selectItem(key)
		return h
	}
	h := open(clerk, "m-new")
	shot(h, "work-clerk")
	h.press(protocol.ActionRegister).d.Show()
	shot(h, "work-register")
	h = open(leader, "c-presented")
	shot(h, "work-leader")
	h.press(protocol.ActionAssign)
	h.q.Settle()
	shot(h, "work-assign")
	h = open(officer, "c-assigned")
	shot(h, "work-officer")
	// The clerk answering a revocation; the leader's Ký duyệt.
	h = newHarness(t, revokeStore(t), clerk)
	fyne.CurrentApp().Settings().SetTheme(theme.LightTheme())
	h.win.SetPadded(false)
	h.win.Resize(fyne.NewSize(1366, 768))
	h.selectItem("m-rev")
	shot(h, "work-revoke")
	h.press(ActionRefuseRevoke).d.Show()
	shot(h, "work-refuse-revoke")
	st, _ := draftStore(t, false)
	h = newHarness(t, st, leader)
	fyne.CurrentApp().Settings().SetTheme(theme.LightTheme())
	h.scr.o.Sign = func(string, func(string)) {}
	h.win.SetPadded(false)
	h.win.Resize(fyne.NewSize(1366, 768))
	h.selectItem("d-bao-cao")
	shot(h, "work-approve")
	b := NewBook(BookOptions{Options: Options{Store: bookStore(t), Now: func() time.Time { return now }}})
	h.win.SetContent(b.Build())
	h.win.Resize(fyne.NewSize(1366, 768))
	shot(h, "work-book")
}
