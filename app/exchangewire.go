package app

import (
	"context"
	"crypto"
	"crypto/x509"
	"errors"
	"os"
	"path/filepath"
	"strings"
	gosync "sync"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/vanthuso/vanthu/app/i18n"
	"github.com/vanthuso/vanthu/app/login"
	"github.com/vanthuso/vanthu/app/textindex"
	"github.com/vanthuso/vanthu/edoc"
	"github.com/vanthuso/vanthu/internal/demo"
	"github.com/vanthuso/vanthu/sync/client"
	"github.com/vanthuso/vanthu/sync/engine"
	"github.com/vanthuso/vanthu/sync/profile"
	"github.com/vanthuso/vanthu/sync/protocol"
	"github.com/vanthuso/vanthu/sync/store"
)

// ConnectOptions make the window connect itself to the document server
// (Options.Connect): the server of the settings ("Máy chủ văn bản"), or
// in demo mode the demo's local vanthu-server.
type ConnectOptions struct {
	// DataDir holds one folder per server and user (sync/profile: the
	// cache, the server's address, CA and session, the directory); "" is
	// the user data folder + "vanthu/may-chu". In demo mode the demo
	// folder's nguoi-dung/ is used instead.
	DataDir string
	// DemoUser, in demo mode, is the id of the demo user (demo.Users) to
	// sign in as at once; "" asks which.
	DemoUser string
	// UserAgent of the sync client ("" is vanthu-desktop).
	UserAgent string
}

// exchangeLink is the window's connection to the server: it opens the
// cache of the signed-in user at the server (its own folder, so that two
// users never share one), runs its sync engine until the user or the
// server changes or the window closes, and hands each new Exchange to
// the exchange screens (exchangeUI.replace). Its fields are the UI
// goroutine's, except sessions.
type exchangeLink struct {
	mw   *mainWindow
	o    ConnectOptions
	root string // the folders per server and user

	server string // where sign-ins go; "" when none is configured
	// problem says why there is no server to use (a CA file that cannot
	// be read, the demo server missing), "" otherwise.
	problem string

	demoEnv    *demo.Env    // demo mode, once prepared
	demoServer *demo.Server // demo mode, once started

	conn   *connection
	gen    int // counts switches: a slow open that lost the race is dropped
	closed bool

	// Under mu, for the sign-ins' goroutines: sessions maps a session
	// token to the server that issued it; caPEM is the server's roots
	// (nil: the system's).
	mu       gosync.Mutex
	sessions map[string]string
	caPEM    []byte
}

func (l *exchangeLink) ca() []byte {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.caPEM
}

func (l *exchangeLink) setCA(pem []byte) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.caPEM = pem
}

// connection is one open cache and its running engine.
type connection struct {
	dir, server, user string
	store             *store.Store
	client            *client.Client
	engine            *engine.Engine
	cancel            context.CancelFunc
	done              chan struct{}
	indexed           chan struct{} // the text indexer stopped
}

// engineStopTimeout bounds the wait for the engine's round to stop.
const engineStopTimeout = 10 * time.Second

// close stops the engine and closes the cache; it waits, so call it off
// the UI goroutine (or at exit).
func (c *connection) close() {
	c.cancel()
	deadline := time.After(engineStopTimeout)
	for _, done := range []chan struct{}{c.done, c.indexed} {
		select {
		case <-done:
		case <-deadline:
		}
	}
	c.store.Close()
}

// gatedEngine is the engine as the exchange screens see it: a session
// of another user or another server never reaches it (the sign-in that
// made it switches to that user's own cache instead).
type gatedEngine struct {
	*engine.Engine
	l *exchangeLink
	c *connection
}

// SetSession passes s on when it is this connection's user's at this
// connection's server.
func (g gatedEngine) SetSession(s protocol.Session) {
	if s.User.ID != g.c.user {
		return
	}
	if srv, known := g.l.serverOf(s.Token); known && srv != g.c.server {
		return
	}
	g.Engine.SetSession(s)
}

func (l *exchangeLink) noteSession(server string, s protocol.Session) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.sessions == nil {
		l.sessions = map[string]string{}
	}
	l.sessions[s.Token] = server
}

func (l *exchangeLink) serverOf(token string) (string, bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	s, ok := l.sessions[token]
	return s, ok
}

// newLink makes the window's link and its (empty) exchange screens;
// start connects.
func (mw *mainWindow) newLink(o ConnectOptions) {
	l := &exchangeLink{mw: mw, o: o, root: o.DataDir}
	if l.o.UserAgent == "" {
		l.o.UserAgent = "vanthu-desktop"
	}
	mw.link = l
	mw.x = newExchangeUI(mw, l.emptyExchange(nil))
	mw.x.notReady = l.notReadyView
	if mw.opts.Demo {
		mw.x.showLogin = l.showDemoLogin
	}
}

// emptyExchange is the exchange before a user's cache is open.
func (l *exchangeLink) emptyExchange(s *protocol.Session) *Exchange {
	return &Exchange{Address: l.server, Login: l.login, OnSignedIn: l.onSignedIn, Session: s}
}

// start connects to the server of the settings (outside demo mode: the
// demo connects once its server runs, startDemo).
func (l *exchangeLink) start() {
	if l.mw.opts.Demo {
		return
	}
	if l.root == "" {
		d, err := userDataDir()
		if err != nil {
			l.problem = i18n.T("app.xw.no-data-dir", err.Error())
			return
		}
		l.root = filepath.Join(d, "may-chu")
	}
	l.fromSettings()
}

// userDataDir is the user data folder + "vanthu" (demo.DefaultDir's
// folder, beside vanthu-demo).
func userDataDir() (string, error) {
	d, err := demo.DefaultDir()
	if err != nil {
		return "", err
	}
	return filepath.Join(filepath.Dir(d), "vanthu"), nil
}

// fromSettings takes the server and CA of the settings and opens the
// cache of the last user who signed in there, if any: documents can be
// read offline, and the engine asks for a sign-in when the saved session
// is gone.
func (l *exchangeLink) fromSettings() {
	s := l.mw.settings()
	l.server, l.problem = s.ServerAddress, ""
	var ca []byte
	if s.ServerCA != "" {
		pem, err := os.ReadFile(s.ServerCA)
		if err == nil {
			_, err = profile.CAPool(pem)
		}
		if err != nil {
			l.problem = i18n.T("app.xw.bad-ca", s.ServerCA, err.Error())
			l.server = ""
		}
		ca = pem
	}
	l.setCA(ca)
	l.mw.x.replace(l.emptyExchange(nil))
	if l.server == "" {
		return
	}
	if l.mw.prefs.String(prefLastUserServer) != l.server {
		return
	}
	if user := l.mw.prefs.String(prefLastUser); user != "" {
		l.switchTo(l.server, user, nil)
	}
}

// reconfigure follows a change of the server settings.
func (l *exchangeLink) reconfigure() {
	l.closeConn()
	l.fromSettings()
}

// startDemo uses the demo's server (started by startDemo in demo.go):
// its address and certificate, the demo directory; then it signs in as
// ConnectOptions.DemoUser, or asks which demo user.
func (l *exchangeLink) startDemo(env *demo.Env, srv *demo.Server, srvErr error) {
	l.demoEnv, l.demoServer = env, srv
	l.root = filepath.Join(env.Dir, "nguoi-dung")
	if srvErr != nil {
		if errors.Is(srvErr, demo.ErrNoServerBinary) {
			l.problem = i18n.T("app.xw.demo-no-server")
		} else {
			l.problem = i18n.T("app.xw.demo-server-failed", srvErr.Error())
		}
		l.mw.x.replace(l.emptyExchange(nil))
		l.mw.fillBanner()
		return
	}
	l.server = srv.URL
	l.setCA(srv.CA)
	l.mw.x.replace(l.emptyExchange(nil))
	if l.o.DemoUser != "" {
		u, ok := demo.UserByID(l.o.DemoUser)
		if !ok {
			l.mw.showError(i18n.T("app.xw.demo-no-user", l.o.DemoUser, demoUserIDs()))
			return
		}
		l.signInDemo(u)
		return
	}
	l.showDemoLogin("")
}

// userDir is the folder of user at server.
func (l *exchangeLink) userDir(server, user string) string {
	if l.demoEnv != nil {
		return demo.ClientDir(l.demoEnv.Dir, user)
	}
	return profile.UserDir(l.root, server, user)
}

// login is Exchange.Login: a client of the address, then the signed
// challenge. It runs on the login dialog's goroutine.
func (l *exchangeLink) login(ctx context.Context, address string, signer crypto.Signer, cert *x509.Certificate) (protocol.Session, error) {
	cl, err := l.clientFor(address)
	if err != nil {
		return protocol.Session{}, err
	}
	s, err := cl.Login(ctx, signer, cert)
	if err == nil {
		l.noteSession(address, s)
	}
	return s, err
}

// clientFor is a client of address trusting the configured CA (else
// the system's roots), through the system's proxy; safe from any
// goroutine.
func (l *exchangeLink) clientFor(address string) (*client.Client, error) {
	ca := l.ca()
	var roots *x509.CertPool
	if ca != nil {
		p, err := profile.CAPool(ca)
		if err != nil {
			return nil, err
		}
		roots = p
	}
	return client.New(client.Config{BaseURL: address, RootCAs: roots, Proxy: client.SystemProxy(), UserAgent: l.o.UserAgent})
}

// onSignedIn is Exchange.OnSignedIn (UI goroutine): the session is
// saved with the user's cache; another user, or another server, gets
// their own cache.
func (l *exchangeLink) onSignedIn(address string, s protocol.Session) {
	if !l.mw.opts.Demo && address != l.mw.settings().ServerAddress {
		st := l.mw.settings()
		st.ServerAddress = address
		l.mw.current.Store(&st)
		if l.mw.persist {
			l.mw.prefs.SetString(prefServerAddress, address)
		}
	}
	l.server = address
	if l.mw.persist {
		l.mw.prefs.SetString(prefLastUser, s.User.ID)
		l.mw.prefs.SetString(prefLastUserServer, address)
	}
	if c := l.conn; c != nil && c.server == address && c.user == s.User.ID {
		ca := l.ca()
		go func() {
			l.saveSession(c.dir, address, ca, s)
			l.fetchDirectory(c)
		}()
		return
	}
	l.switchTo(address, s.User.ID, &s)
}

// switchTo closes the open cache (the screens show none meanwhile) and
// opens user's at server, with s when given.
func (l *exchangeLink) switchTo(server, user string, s *protocol.Session) {
	old := l.conn
	l.conn = nil
	l.gen++
	gen := l.gen
	l.mw.x.replace(l.emptyExchange(s))
	ca := l.ca()
	go func() {
		if old != nil {
			old.close()
		}
		c, x, err := l.open(server, ca, user, s)
		runOnUI(func() { l.opened(gen, c, x, err) })
	}()
}

// opened hands a newly opened cache to the screens.
func (l *exchangeLink) opened(gen int, c *connection, x *Exchange, err error) {
	if l.closed || gen != l.gen {
		if c != nil {
			go c.close()
		}
		return
	}
	if err != nil {
		msg := i18n.T("app.xw.open-failed", err.Error())
		if errors.Is(err, store.ErrAlreadyOpen) {
			msg = i18n.T("app.xw.cache-busy")
		}
		l.problem = msg
		l.mw.x.replace(l.emptyExchange(nil))
		l.mw.showError(msg)
		return
	}
	l.problem = ""
	l.conn = c
	l.mw.x.replace(x)
	if r := c.store.Recovered(); r != nil {
		l.mw.setStatus(i18n.T("app.xw.recovered", r.Outbox))
	}
	if x.Session != nil && l.demoEnv == nil {
		go l.fetchDirectory(c)
	}
}

// open opens user's folder at server: the cache, the client with the
// saved (or given) session, the engine running; off the UI goroutine.
func (l *exchangeLink) open(server string, ca []byte, user string, s *protocol.Session) (*connection, *Exchange, error) {
	dir := l.userDir(server, user)
	cfg, err := profile.Load(dir)
	if err != nil || cfg.Server != server {
		cfg = profile.Config{Server: server}
	}
	if s != nil {
		cfg.Session = *s
	}
	cfg.CA = ca != nil
	if ca != nil {
		if err := profile.SaveCA(dir, ca); err != nil {
			return nil, nil, err
		}
	}
	if err := profile.Save(dir, cfg); err != nil {
		return nil, nil, err
	}
	st, err := profile.OpenStore(dir, store.Options{Timeout: time.Second, User: user})
	if err != nil {
		return nil, nil, err
	}
	cl, err := profile.NewClient(dir, cfg, l.o.UserAgent)
	if err != nil {
		st.Close()
		return nil, nil, err
	}
	eng := engine.New(engine.Config{Store: st, Client: cl})
	ctx, cancel := context.WithCancel(context.Background())
	c := &connection{dir: dir, server: server, user: user, store: st, client: cl, engine: eng, cancel: cancel, done: make(chan struct{})}
	go func() {
		defer close(c.done)
		eng.Run(ctx)
	}()
	c.indexed = make(chan struct{})
	go func() {
		defer close(c.indexed)
		l.indexText(ctx, st, eng)
	}()
	x := &Exchange{Store: st, Engine: gatedEngine{Engine: eng, l: l, c: c}, Address: server, Login: l.login, OnSignedIn: l.onSignedIn,
		Staff: cl.Staff}
	if l.demoEnv != nil {
		x.Directory = edoc.DemoDirectory()
	} else if d, err := profile.ReadDirectory(dir); err == nil {
		x.Directory = d
	}
	if profile.Valid(cfg.Session, time.Now(), time.Minute) {
		sess := cfg.Session
		x.Session = &sess
	}
	return c, x, nil
}

// indexText extracts the text of the cache's PDFs in the background
// (app/textindex), once the page renderer has started, at its lowest
// priority: new documents show at once, their text is searchable a
// moment later. Documents the engine brings wake it.
func (l *exchangeLink) indexText(ctx context.Context, st *store.Store, eng *engine.Engine) {
	rs := l.mw.render
	if rs == nil {
		return
	}
	select {
	case <-rs.ready:
	case <-ctx.Done():
		return
	}
	if rs.eng == nil {
		return // no renderer: search keeps to the metadata
	}
	ix := textindex.New(st, textindex.FromRender(rs.eng))
	events, stop := eng.Subscribe()
	defer stop()
	go func() {
		for ev := range events {
			if _, ok := ev.(engine.Received); ok {
				ix.Wake()
			}
		}
	}()
	ix.Run(ctx)
}

// saveSession records s in the user's folder.
func (l *exchangeLink) saveSession(dir, server string, ca []byte, s protocol.Session) {
	cfg := profile.Config{Server: server, CA: ca != nil, Session: s}
	if err := profile.Save(dir, cfg); err != nil {
		runOnUI(func() { l.mw.setStatus(i18n.T("app.xw.save-failed", err.Error())) })
	}
}

// directoryTimeout bounds the directory's download.
const directoryTimeout = 2 * time.Minute

// fetchDirectory downloads the server's agency directory and keeps it
// next to the cache (for sending offline); outside demo mode, off the UI
// goroutine. A failure keeps the directory saved before.
func (l *exchangeLink) fetchDirectory(c *connection) {
	if l.demoEnv != nil {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), directoryTimeout)
	defer cancel()
	d, err := profile.FetchDirectory(ctx, c.client)
	if err == nil {
		err = profile.WriteDirectory(c.dir, d)
	}
	runOnUI(func() {
		if err != nil {
			l.mw.setStatus(i18n.T("app.xw.directory-failed", err.Error()))
			return
		}
		if l.conn == c && l.mw.x != nil {
			l.mw.x.x.Directory = d
		}
	})
}

// closeConn closes the open cache (off the UI goroutine) and empties the
// screens.
func (l *exchangeLink) closeConn() {
	if c := l.conn; c != nil {
		l.conn = nil
		l.gen++
		go c.close()
	}
}

// close ends everything at exit: the engine, the cache, the demo server
// this window started. It waits (bounded).
func (l *exchangeLink) close() {
	if l.closed {
		return
	}
	l.closed = true
	l.gen++
	if c := l.conn; c != nil {
		l.conn = nil
		c.close()
	}
	if l.demoServer != nil {
		l.demoServer.Close()
	}
}

// mainWindows maps the windows NewMainWindow made to their screens, for
// Release.
var mainWindows gosync.Map // fyne.Window → *mainWindow

// Release releases what the main window w holds once the application
// stopped (after ShowAndRun returned, whichever way it ended: the window
// closed, Quit, SIGTERM): the sync engine stops, the cache is closed, the
// demo's server (when this window started it) is stopped. It waits for
// them, seconds at most. A window closed before already released them;
// Release is then a no-op, as for a window NewMainWindow did not make.
func Release(w fyne.Window) {
	v, ok := mainWindows.LoadAndDelete(w)
	if !ok {
		return
	}
	mw := v.(*mainWindow)
	if mw.link != nil {
		mw.link.close()
	}
	if mw.demoEnv != nil {
		mw.demoEnv.Close()
	}
}

// The demo's sign-in.

// demoSignInTimeout bounds one demo sign-in.
const demoSignInTimeout = 30 * time.Second

// showDemoLogin offers the demo users (one per demo token), and the
// regular sign-in for another token.
func (l *exchangeLink) showDemoLogin(reason string) {
	if l.demoEnv == nil || l.server == "" {
		l.mw.showError(l.notReadyText())
		return
	}
	dir := edoc.DemoDirectory()
	var d *dialog.CustomDialog
	box := container.NewVBox()
	if reason != "" {
		r := wrapLabel(reason)
		r.Importance = widget.WarningImportance
		box.Add(r)
	}
	box.Add(wrapLabel(i18n.T("app.xw.demo-login.intro")))
	for _, u := range demo.Users {
		agency := u.Agency
		if e, ok := dir.Lookup(u.Agency); ok {
			agency = e.Name
		}
		b := widget.NewButtonWithIcon(i18n.T("app.xw.demo-login.user", u.Name, u.Position, agency), theme.AccountIcon(), func() {
			d.Hide()
			l.signInDemo(u)
		})
		b.Alignment = widget.ButtonAlignLeading
		box.Add(b)
	}
	other := widget.NewButton(i18n.T("app.xw.demo-login.other"), func() {
		d.Hide()
		l.mw.x.openLogin(reason)
	})
	other.Importance = widget.LowImportance
	box.Add(container.NewHBox(other))
	d = dialog.NewCustom(i18n.T("app.xw.demo-login.title"), i18n.T("app.xw.cancel"), container.New(&fixedWidthLayout{width: 560}, box), l.mw.win)
	d.Show()
}

// signInDemo signs in as a demo user with their token and the demo PIN.
func (l *exchangeLink) signInDemo(u demo.DemoUser) {
	env, server := l.demoEnv, l.server
	l.mw.setStatus(i18n.T("app.xw.demo-login.busy", u.Name))
	go func() {
		s, cert, err := func() (protocol.Session, *x509.Certificate, error) {
			signer, closer, id, err := env.Signer(u)
			if err != nil {
				return protocol.Session{}, nil, err
			}
			defer closer.Close()
			cl, err := l.clientFor(server)
			if err != nil {
				return protocol.Session{}, id.Cert, err
			}
			ctx, cancel := context.WithTimeout(context.Background(), demoSignInTimeout)
			defer cancel()
			s, err := cl.Login(ctx, signer, id.Cert)
			return s, id.Cert, err
		}()
		if err == nil {
			l.noteSession(server, s)
		}
		runOnUI(func() {
			if l.closed {
				return
			}
			if err != nil {
				l.mw.showError(login.Explain(err, server, cert))
				return
			}
			l.mw.x.onSignedIn(server, s)
		})
	}()
}

func demoUserIDs() string {
	var ids string
	for i, u := range demo.Users {
		if i > 0 {
			ids += ", "
		}
		ids += u.ID
	}
	return ids
}

// The screens before a cache is open.

// notReadyText says why there are no documents yet and what to do.
func (l *exchangeLink) notReadyText() string {
	switch {
	case l.problem != "":
		return l.problem
	case l.mw.opts.Demo && l.server == "":
		return i18n.T("app.xw.demo-starting")
	case l.server == "":
		return i18n.T("app.xw.no-server")
	case l.mw.x != nil && l.mw.x.session != nil:
		return i18n.T("app.xw.opening")
	}
	return i18n.T("app.xw.sign-in", l.server)
}

// notReadyView is the content of Văn bản đến and Văn bản đi without a
// cache: the sentence, and the button that does what it says.
func (l *exchangeLink) notReadyView() fyne.CanvasObject {
	text := wrapLabel(l.notReadyText())
	text.Alignment = fyne.TextAlignCenter
	var btn *widget.Button
	switch {
	case l.mw.opts.Demo && l.server == "":
	case l.server == "" || (l.problem != "" && !l.mw.opts.Demo):
		btn = widget.NewButtonWithIcon(i18n.T("app.xw.open-settings"), theme.SettingsIcon(), l.mw.showSettings)
	case l.mw.x.session == nil:
		btn = widget.NewButtonWithIcon(i18n.T("app.menu.login"), theme.LoginIcon(), func() { l.mw.x.showLogin("") })
	}
	objs := []fyne.CanvasObject{widget.NewIcon(theme.MailComposeIcon()), text}
	if btn != nil {
		btn.Importance = widget.HighImportance
		objs = append(objs, container.NewCenter(btn))
	}
	return container.NewCenter(container.New(&fixedWidthLayout{width: 520}, container.NewVBox(objs...)))
}

// notReadyView of the exchange screens: the link's, or a plain sentence.
func (e *exchangeUI) notReadyContent() fyne.CanvasObject {
	if e.notReady != nil {
		return e.notReady()
	}
	return container.NewCenter(wrapLabel(i18n.T("app.xw.not-connected")))
}

// placeholderTab is a tab whose content says why it is empty.
func (e *exchangeUI) placeholderTab(title string, icon fyne.Resource) *container.TabItem {
	return container.NewTabItemWithIcon(title, icon, e.notReadyContent())
}

// explainNotReady answers Gửi văn bản without a cache.
func (e *exchangeUI) explainNotReady() {
	text := i18n.T("app.xw.not-connected")
	if e.mw.link != nil {
		text = e.mw.link.notReadyText()
	}
	e.mw.showError(text)
}

// replace puts another exchange (another user's cache, or none) behind
// the screens: the old subscription ends (its late events are dropped),
// the tabs that were open are opened again on the new one.
func (e *exchangeUI) replace(x *Exchange) {
	inboxOpen, outboxOpen := e.tabsOpen()
	selected := e.mw.tabs != nil && e.mw.tabs.Selected() != nil &&
		(e.mw.tabs.Selected() == e.inboxTab || e.mw.tabs.Selected() == e.outTab)
	if e.cancel != nil {
		e.cancel()
		e.cancel = nil
	}
	e.gen++
	for _, it := range []*container.TabItem{e.inboxTab, e.outTab, e.workTab, e.bookTab} {
		if it != nil && e.mw.tabs != nil {
			e.mw.tabs.Remove(it)
		}
	}
	e.x, e.session = x, x.Session
	e.inbox, e.outbox, e.inboxTab, e.outTab = nil, nil, nil, nil
	e.work, e.workTab, e.book, e.bookTab = nil, nil, nil, nil
	e.state, e.unread = engine.State{}, 0
	if x.Engine != nil {
		e.state = x.Engine.State()
	}
	e.showCounts(store.Counts{})
	e.start()
	e.showState()
	cur := e.mw.currentDoc()
	if inboxOpen {
		e.onInbox()
	}
	if outboxOpen {
		e.onOutbox()
	}
	if !selected && cur != nil && e.mw.items[cur] != nil {
		e.mw.tabs.Select(e.mw.items[cur])
	}
	if e.mw.center != nil {
		e.mw.fillCenter()
	}
}

// Errors of the wiring, as sentences for the user.
func init() {
	i18n.Register(i18n.Catalog{
		"app.xw.no-server":          {VI: "Chưa cấu hình máy chủ văn bản. Mở Cài đặt → Máy chủ văn bản, nhập địa chỉ máy chủ (và tệp CA nếu cơ quan dùng chứng thư riêng), lưu lại rồi đăng nhập bằng khóa.", EN: "No document server is configured. Open Settings → Document server, enter the server's address (and the CA file if your agency uses its own certificates), save, then sign in with your token."},
		"app.xw.sign-in":            {VI: "Đăng nhập máy chủ %s bằng khóa để nhận và gửi văn bản.", EN: "Sign in to %s with your token to receive and send documents."},
		"app.xw.opening":            {VI: "Đang mở hộp thư của người dùng…", EN: "Opening the user's mailbox…"},
		"app.xw.not-connected":      {VI: "Chưa kết nối máy chủ văn bản.", EN: "Not connected to a document server."},
		"app.xw.open-settings":      {VI: "Mở cài đặt", EN: "Open settings"},
		"app.xw.bad-ca":             {VI: "Không đọc được tệp CA của máy chủ “%s”: %s. Chọn lại tệp .pem trong Cài đặt → Máy chủ văn bản.", EN: "Cannot read the server's CA file “%s”: %s. Choose the .pem file again in Settings → Document server."},
		"app.xw.no-data-dir":        {VI: "Không tìm thấy thư mục dữ liệu người dùng (%s): không lưu được văn bản trao đổi.", EN: "No user data folder (%s): exchanged documents cannot be kept."},
		"app.xw.open-failed":        {VI: "Không mở được hộp thư: %s. Kiểm tra ổ đĩa còn chỗ trống và quyền ghi, rồi mở lại chương trình.", EN: "Cannot open the mailbox: %s. Check that the disk has space and may be written, then start the program again."},
		"app.xw.cache-busy":         {VI: "Hộp thư của người dùng này đang mở trong một cửa sổ Văn Thư Số khác. Dùng cửa sổ đó, hoặc đóng nó rồi đăng nhập lại ở đây.", EN: "This user's mailbox is open in another Văn Thư Số window. Use that window, or close it and sign in again here."},
		"app.xw.recovered":          {VI: "Bộ nhớ đệm bị hỏng đã được dựng lại; giữ lại %d văn bản chưa gửi.", EN: "The damaged cache was rebuilt; %d unsent documents were kept."},
		"app.xw.save-failed":        {VI: "Không lưu được phiên đăng nhập: %s.", EN: "Cannot save the session: %s."},
		"app.xw.directory-failed":   {VI: "Không tải được danh bạ cơ quan (%s); dùng danh bạ đã lưu.", EN: "Cannot download the agency directory (%s); the saved one is used."},
		"app.xw.demo-starting":      {VI: "Đang khởi động máy chủ văn bản trình diễn…", EN: "Starting the demo document server…"},
		"app.xw.demo-no-server":     {VI: "Không tìm thấy chương trình vanthu-server nên chưa thử được gửi, nhận văn bản. Chạy make build (hoặc go build -o bin/ ./cmd/vanthu-server) rồi mở lại vanthu --demo. Đọc và ký số vẫn dùng được.", EN: "vanthu-server was not found, so sending and receiving cannot be tried. Run make build (or go build -o bin/ ./cmd/vanthu-server), then start vanthu --demo again. Reading and signing work."},
		"app.xw.demo-server-failed": {VI: "Máy chủ văn bản trình diễn không chạy được: %s. Đọc và ký số vẫn dùng được.", EN: "The demo document server could not start: %s. Reading and signing work."},
		"app.xw.demo-no-user":       {VI: "Không có người dùng trình diễn “%s”. Chọn một trong: %s.", EN: "There is no demo user “%s”. Choose one of: %s."},
		"app.xw.demo-login.title":   {VI: "Đăng nhập máy chủ trình diễn", EN: "Sign in to the demo server"},
		"app.xw.demo-login.intro":   {VI: "Mỗi khóa mềm của chế độ trình diễn là một người dùng. Chọn người đăng nhập (mã PIN 123456 được nhập sẵn). Mở cửa sổ thứ hai bằng vanthu --demo --demo-user van-thu-stc để nhận văn bản ở Sở Tài chính.", EN: "Each demo software token is a user. Choose who signs in (the PIN 123456 is typed for you). Open a second window with vanthu --demo --demo-user van-thu-stc to receive documents at Sở Tài chính."},
		"app.xw.demo-login.user":    {VI: "%s — %s, %s", EN: "%s — %s, %s"},
		"app.xw.demo-login.other":   {VI: "Dùng khóa khác…", EN: "Use another token…"},
		"app.xw.demo-login.busy":    {VI: "Đang đăng nhập là %s…", EN: "Signing in as %s…"},
		"app.xw.cancel":             {VI: "Đóng", EN: "Close"},
	})
}

// checkServerSettings normalises the server address of s ("host" is
// https://host) and checks it as the client will (https, plain http on
// loopback only) and the CA file (PEM certificates); it returns the
// sentence that says what is wrong, "" when nothing is.
func checkServerSettings(s *settings) string {
	if s.ServerAddress != "" {
		addr := s.ServerAddress
		if !strings.Contains(addr, "://") {
			addr = "https://" + addr
		}
		c, err := client.New(client.Config{BaseURL: addr})
		if err != nil {
			return i18n.T("app.set.err.server", s.ServerAddress)
		}
		s.ServerAddress = c.BaseURL()
	}
	if s.ServerCA != "" {
		pem, err := os.ReadFile(s.ServerCA)
		if err == nil {
			_, err = profile.CAPool(pem)
		}
		if err != nil {
			return i18n.T("app.set.err.server-ca", s.ServerCA)
		}
	}
	return ""
}

func init() {
	i18n.Register(i18n.Catalog{
		"app.set.section.server": {VI: "Máy chủ văn bản", EN: "Document server"},
		"app.set.server":         {VI: "Địa chỉ máy chủ", EN: "Server address"},
		"app.set.server.hint":    {VI: "https://vanthu.tinh.gov.vn", EN: "https://vanthu.province.gov.vn"},
		"app.set.server.note":    {VI: "Máy chủ trao đổi văn bản giữa các cơ quan; để trống nếu chỉ đọc và ký số.", EN: "The server documents are exchanged through; leave empty to only read and sign."},
		"app.set.server-ca":      {VI: "Tệp CA của máy chủ", EN: "Server CA file"},
		"app.set.server-ca.hint": {VI: "để trống nếu máy chủ dùng chứng thư công cộng", EN: "empty when the server has a public certificate"},
		"app.set.err.server":     {VI: "Địa chỉ máy chủ “%s” không dùng được: nhập https://tên-máy-chủ[:cổng] (http chỉ dùng với máy chủ trên chính máy này).", EN: "The server address “%s” cannot be used: enter https://host[:port] (http only for a server on this computer)."},
		"app.set.err.server-ca":  {VI: "Tệp CA “%s” không đọc được hoặc không chứa chứng thư PEM nào: chọn tệp .pem quản trị viên đưa.", EN: "The CA file “%s” cannot be read or holds no PEM certificate: choose the .pem file your administrator gave you."},
	})
}
