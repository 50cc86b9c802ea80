package signui

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/vanthuso/vanthu/app/i18n"

	"github.com/vanthuso/vanthu/internal/testpki"
	"github.com/vanthuso/vanthu/signing/token"
)

// TestTokenStatus follows one SoftHSM2 token through the states the main
// window shows: present with its holder, PIN flags, pulled out, none.
func TestTokenStatus(t *testing.T) {
	cases := []struct {
		name   string
		pin    token.PINState
		want   string
		golden string
	}{
		{"present", token.PINState{}, "Nguyễn Văn An — thiết bị “Nguyen Van An”", "status/present.xml"},
		{"count-low", token.PINState{CountLow: true}, "còn ít lần nhập mã PIN", "status/count_low.xml"},
		{"final-try", token.PINState{CountLow: true, FinalTry: true}, "chỉ còn 1 lần nhập mã PIN", "status/final_try.xml"},
		{"locked", token.PINState{Locked: true}, "mã PIN đã bị khóa", "status/locked.xml"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			q := setupUI(t)
			p := testpki.New(t)
			onlyTokens(t, testpki.LeaderToken)
			if c.pin != (token.PINState{}) {
				if err := p.SetPINState(testpki.LeaderToken, c.pin); err != nil {
					t.Fatal(err)
				}
			}
			st := NewTokenStatus(func() Config { return Config{ModulePath: p.Module} })
			defer st.Stop()
			w := test.NewTempWindow(t, st)
			w.Resize(fyne.NewSize(560, 60))
			waitFor(t, q, "status "+c.name, func() bool { return hasLine(st, c.want) })
			test.AssertRendersToMarkup(t, c.golden, w.Canvas())
			if c.name != "present" {
				return
			}
			// Another language: the status speaks it at once.
			i18n.SetLang(i18n.English)
			st.Refresh()
			if !hasLine(st, "Nguyễn Văn An — token “Nguyen Van An”") {
				t.Errorf("English status: %q", st.StatusText())
			}
			i18n.SetLang(i18n.Vietnamese)
			st.Refresh()
			// Pulled out while watched: the status says so.
			deleteToken(t, testpki.LeaderToken)
			waitFor(t, q, "status removed", func() bool {
				if hasLine(st, "Đã rút thiết bị ký số “Nguyen Van An”") {
					return true
				}
				t.Logf("status: %q", st.StatusText())
				return false
			})
			test.AssertRendersToMarkup(t, "status/removed.xml", w.Canvas())
		})
	}
	t.Run("none", func(t *testing.T) {
		q := setupUI(t)
		p := testpki.New(t)
		onlyTokens(t)
		st := NewTokenStatus(func() Config { return Config{ModulePath: p.Module} })
		defer st.Stop()
		w := test.NewTempWindow(t, st)
		w.Resize(fyne.NewSize(560, 60))
		waitFor(t, q, "status none", func() bool { return hasLine(st, "Chưa cắm thiết bị ký số") })
		test.AssertRendersToMarkup(t, "status/none.xml", w.Canvas())
	})
	t.Run("several", func(t *testing.T) {
		q := setupUI(t)
		p := testpki.New(t)
		onlyTokens(t, testpki.LeaderToken, testpki.AgencyToken)
		st := NewTokenStatus(func() Config { return Config{ModulePath: p.Module} })
		defer st.Stop()
		waitFor(t, q, "two tokens", func() bool { return len(st.StatusText()) == 2 })
		got := strings.Join(st.StatusText(), "\n")
		for _, want := range []string{"Nguyễn Văn An — thiết bị “Nguyen Van An”", "UBND tỉnh Nghệ An (thử nghiệm) — thiết bị “UBND Nghe An”"} {
			if !strings.Contains(got, want) {
				t.Errorf("status %q lacks %q", got, want)
			}
		}
	})
	t.Run("many", func(t *testing.T) {
		// The demo's six tokens: two lines shown and how many more; the
		// text (accessibility, tests) keeps every token.
		q := setupUI(t)
		p := testpki.New(t)
		st := NewTokenStatus(func() Config { return Config{ModulePath: p.Module} })
		defer st.Stop()
		all := len(testpki.TokenLabels())
		waitFor(t, q, "every token", func() bool { return len(st.StatusText()) == all })
		var shown []string
		test.NewTempWindow(t, st)
		for _, o := range st.box.Objects {
			for _, w := range test.LaidOutObjects(o) {
				if l, ok := w.(*widget.Label); ok {
					shown = append(shown, l.Text)
				}
			}
		}
		want := fmt.Sprintf("… và %d thiết bị ký số khác", all-2)
		if len(shown) != 3 || shown[2] != want {
			t.Fatalf("the status shows %q, want two tokens and %q", shown, want)
		}
	})
	t.Run("no-module", func(t *testing.T) {
		q := setupUI(t)
		old := openModule
		openModule = func(Config) (tokenModule, error) {
			return nil, fmt.Errorf("probed 12 paths: %w", token.ErrNoModule)
		}
		defer func() { openModule = old }()
		st := NewTokenStatus(func() Config { return Config{} })
		defer st.Stop()
		waitFor(t, q, "status no module", func() bool { return hasLine(st, "Chưa cài driver thiết bị ký số (PKCS#11)") })
	})
}

// A token pulled out while the module stopped answering (its watch
// ended) is reported as pulled out when the status starts again.
func TestTokenStatusModuleRestart(t *testing.T) {
	q := setupUI(t)
	m := newFakeModule(t)
	first, watching := make(chan token.Event), make(chan struct{})
	m.watch = func(ctx context.Context) <-chan token.Event {
		close(watching)
		return first
	}
	useFakeModule(t, m)
	st := NewTokenStatus(func() Config { return Config{} })
	defer st.Stop()
	waitFor(t, q, "present", func() bool { return hasLine(st, "Nguyễn Văn An — thiết bị “Nguyen Van An”") })
	<-watching
	m.mu.Lock()
	m.present = false
	m.watch = nil
	m.mu.Unlock()
	close(first) // the module stops answering
	waitFor(t, q, "removed", func() bool { return hasLine(st, "Đã rút thiết bị ký số “Nguyen Van An”") })
}

// A module path in the settings where there is no file is reported, not
// replaced by another module.
func TestTokenStatusModuleMissing(t *testing.T) {
	q := setupUI(t)
	st := NewTokenStatus(func() Config { return Config{ModulePath: "/khong/co/driver.so"} })
	defer st.Stop()
	waitFor(t, q, "missing module", func() bool { return hasLine(st, "Không có driver thiết bị ký số tại /khong/co/driver.so") })
}

func hasLine(st *TokenStatus, want string) bool {
	for _, l := range st.StatusText() {
		if strings.Contains(l, want) {
			return true
		}
	}
	return false
}
