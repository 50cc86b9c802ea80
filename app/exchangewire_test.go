package app

import (
	"context"
	"crypto"
	"crypto/x509"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/vanthuso/vanthu/app/exchange/exchangetest"
	"github.com/vanthuso/vanthu/app/i18n"
	"github.com/vanthuso/vanthu/server"
	"github.com/vanthuso/vanthu/signing/token"
	"github.com/vanthuso/vanthu/signing/verify"
	"github.com/vanthuso/vanthu/sync/client"
	"github.com/vanthuso/vanthu/sync/engine"
	"github.com/vanthuso/vanthu/sync/profile"
	"github.com/vanthuso/vanthu/sync/protocol"
)

// caFile is a CA certificate file: the one a fresh vanthu-server data
// directory generates.
func caFile(t *testing.T) string {
	t.Helper()
	res, err := server.Init(t.TempDir(), nil)
	if err != nil {
		t.Fatal(err)
	}
	return res.CertFile
}

// The settings' Máy chủ văn bản: what the client would refuse is refused
// at Save, with the field's sentence; a bare host becomes https.
func TestSettingsServer(t *testing.T) {
	fakeDiscovery(t, []token.Probe{})
	for _, c := range []struct {
		addr, ca string
		problem  string // a word of the problem, "" for accepted
		want     string
	}{
		{addr: "http://vanthu.example.gov.vn", problem: "http"},
		{addr: "ftp://vanthu.example.gov.vn", problem: "https://"},
		{addr: "https://", problem: "https://"},
		{addr: "vanthu.example.gov.vn", want: "https://vanthu.example.gov.vn"},
		{addr: "http://127.0.0.1:8443", want: "http://127.0.0.1:8443"},
		{addr: "https://vanthu.example.gov.vn", ca: "garbage", problem: "PEM"},
		{addr: "https://vanthu.example.gov.vn", ca: "missing", problem: "PEM"},
		{addr: "https://vanthu.example.gov.vn", ca: "good", want: "https://vanthu.example.gov.vn"},
		{addr: "", want: ""},
	} {
		sc, _, saved, _ := newTestSettings(t, settings{Lang: i18n.Vietnamese, StampTimeLayout: stampTimeLayouts[0]})
		ca := ""
		switch c.ca {
		case "garbage":
			ca = filepath.Join(t.TempDir(), "x.pem")
			os.WriteFile(ca, []byte("not a certificate"), 0o644)
		case "missing":
			ca = filepath.Join(t.TempDir(), "none.pem")
		case "good":
			ca = caFile(t)
		}
		sc.serverAddr.SetText(c.addr)
		sc.serverCA.SetText(ca)
		sc.onSave()
		if c.problem != "" {
			if len(*saved) != 0 || !sc.problem.Visible() || !strings.Contains(sc.problem.Text, c.problem) {
				t.Errorf("%q with CA %s: saved %d, problem %q; want refused saying %q", c.addr, c.ca, len(*saved), sc.problem.Text, c.problem)
			}
			continue
		}
		if len(*saved) != 1 || (*saved)[0].ServerAddress != c.want || (*saved)[0].ServerCA != ca {
			t.Errorf("%q with CA %s: saved %+v (problem %q), want %q", c.addr, c.ca, *saved, sc.problem.Text, c.want)
		}
	}
}

// A session of another user, or one issued by another server, never
// reaches the engine of this user's cache: a sign-in switches caches
// instead, so that one agency's feed is never pulled into another's.
func TestGatedEngineRefusesOtherSessions(t *testing.T) {
	cl, err := client.New(client.Config{BaseURL: "https://127.0.0.1:1"})
	if err != nil {
		t.Fatal(err)
	}
	eng := engine.New(engine.Config{Store: exchangetest.OpenStore(t), Client: cl})
	l := &exchangeLink{}
	g := gatedEngine{Engine: eng, l: l, c: &connection{server: "https://a.example", user: "van-thu-ubnd"}}
	mine := protocol.Session{Token: "mine", ExpiresAt: time.Now().Add(time.Hour), User: protocol.User{ID: "van-thu-ubnd"}}
	other := protocol.Session{Token: "other", ExpiresAt: time.Now().Add(time.Hour), User: protocol.User{ID: "van-thu-stc"}}
	elsewhere := protocol.Session{Token: "elsewhere", ExpiresAt: time.Now().Add(time.Hour), User: protocol.User{ID: "van-thu-ubnd"}}
	l.noteSession("https://b.example", elsewhere)
	l.noteSession("https://a.example", mine)
	g.SetSession(other)
	g.SetSession(elsewhere)
	if tok := cl.Session().Token; tok != "" {
		t.Fatalf("the engine took the session %q of another user or server", tok)
	}
	g.SetSession(mine)
	if tok := cl.Session().Token; tok != "mine" {
		t.Fatalf("the engine has session %q, want its user's", tok)
	}
}

// labelsOf are the texts of the labels under o.
func labelsOf(o fyne.CanvasObject) string {
	var b strings.Builder
	var visit func(o fyne.CanvasObject)
	visit = func(o fyne.CanvasObject) {
		switch x := o.(type) {
		case *widget.Label:
			b.WriteString(x.Text + "\n")
		case *widget.Button:
			b.WriteString("[" + x.Text + "]\n")
		case *fyne.Container:
			for _, c := range x.Objects {
				visit(c)
			}
		}
	}
	visit(o)
	return b.String()
}

// Without a server in the settings the window is the reader, and the
// exchange tabs say how to configure one; with a server and nobody
// signed in yet, they say to sign in.
func TestConnectWithoutServer(t *testing.T) {
	mw, q, _ := newTestMainWindow(t, Options{Size: fyne.NewSize(1366, 768), Connect: &ConnectOptions{DataDir: t.TempDir()}}, 3)
	q.settle()
	if mw.x == nil || mw.x.x.Store != nil {
		t.Fatal("no exchange screens, or a cache without a server")
	}
	mw.x.onInbox()
	q.settle()
	if got := labelsOf(mw.x.inboxTab.Content); !strings.Contains(got, i18n.T("app.xw.no-server")) || !strings.Contains(got, i18n.T("app.xw.open-settings")) {
		t.Errorf("Văn bản đến without a server shows:\n%s", got)
	}
	mw.x.onOutbox()
	q.settle()
	if got := labelsOf(mw.x.outTab.Content); !strings.Contains(got, i18n.T("app.xw.no-server")) {
		t.Errorf("Văn bản đi without a server shows:\n%s", got)
	}

	s := mw.settings()
	s.ServerAddress = "https://127.0.0.1:1"
	mw.onSettingsSaved(s)
	q.settle()
	mw.x.onInbox()
	q.settle()
	if got := labelsOf(mw.x.inboxTab.Content); !strings.Contains(got, i18n.T("app.xw.sign-in", "https://127.0.0.1:1")) || !strings.Contains(got, i18n.T("app.menu.login")) {
		t.Errorf("Văn bản đến with a server, nobody signed in, shows:\n%s", got)
	}
}

// At start the cache of the last user signed in to the server of the
// settings opens (offline reading), with the saved session while it is
// valid; closing the window stops its engine and closes the cache.
func TestConnectOpensLastUsersCache(t *testing.T) {
	root := t.TempDir()
	server := "https://127.0.0.1:1"
	user := "van-thu-ubnd"
	sess := protocol.Session{Token: "tok", ExpiresAt: time.Now().Add(time.Hour), User: protocol.User{ID: user, Name: "Văn thư"}}
	dir := profile.UserDir(root, server, user)
	if err := profile.Save(dir, profile.Config{Server: server, Session: sess}); err != nil {
		t.Fatal(err)
	}
	a := test.NewTempApp(t)
	a.Preferences().SetString(prefServerAddress, server)
	a.Preferences().SetString(prefLastUser, user)
	a.Preferences().SetString(prefLastUserServer, server)
	q := useUIQueue(t)
	mw := newMainWindow(a, Options{Size: fyne.NewSize(1366, 768), Connect: &ConnectOptions{DataDir: root}}, fakeServices(t, 3, &verify.Report{Verdict: verify.Indeterminate}), (&fakeSigning{}).ui())
	q.until(t, "the cache open", func() bool { return mw.x.x.Store != nil })
	if mw.x.session == nil || mw.x.session.Token != "tok" {
		t.Errorf("the saved session is not used: %+v", mw.x.session)
	}
	if _, err := os.Stat(filepath.Join(dir, profile.CacheFile)); err != nil {
		t.Errorf("the cache is not in the user's folder: %v", err)
	}
	st := mw.x.x.Store
	mw.win.Close()
	q.settle()
	if _, err := st.Counts(); err == nil {
		t.Error("the cache is still open after the window closed")
	}
	// A second window takes the same cache: it was released.
	mw2 := newMainWindow(a, Options{Size: fyne.NewSize(1366, 768), Connect: &ConnectOptions{DataDir: root}}, fakeServices(t, 3, &verify.Report{Verdict: verify.Indeterminate}), (&fakeSigning{}).ui())
	q.until(t, "the cache open again", func() bool { return mw2.x.x.Store != nil })
	mw2.win.Close()
	q.settle()
}

// The sign-in dialog stays open until the user closes it or signs in
// (it was hidden as soon as it was shown), and it may be opened again
// once closed.
func TestLoginDialogStaysOpen(t *testing.T) {
	mw, q, _ := newTestMainWindow(t, Options{Size: fyne.NewSize(1366, 768), Exchange: &Exchange{Address: "https://127.0.0.1:1",
		Login: func(context.Context, string, crypto.Signer, *x509.Certificate) (protocol.Session, error) {
			return protocol.Session{}, errors.New("not in this test")
		}}}, 3)
	q.settle()
	mw.x.openLogin("")
	q.settle()
	time.Sleep(200 * time.Millisecond)
	q.settle()
	if mw.x.loginDlg == nil || len(mw.win.Canvas().Overlays().List()) == 0 {
		t.Fatal("the sign-in dialog closed by itself")
	}
	d := mw.x.loginDlg
	go d.Close() // the user's Để sau
	q.until(t, "the dialog forgotten once closed", func() bool { return mw.x.loginDlg == nil })
	mw.x.openLogin("")
	q.settle()
	if mw.x.loginDlg == nil || mw.x.loginDlg == d {
		t.Fatal("the sign-in dialog does not open again")
	}
	go mw.x.loginDlg.Close()
	q.until(t, "the second dialog closed", func() bool { return mw.x.loginDlg == nil })
}
