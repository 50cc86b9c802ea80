package app

import (
	"context"
	"errors"
	"os"

	"github.com/vanthuso/vanthu/app/i18n"
	"github.com/vanthuso/vanthu/internal/demo"
)

// prepareDemo is internal/demo's Prepare; tests replace it.
var prepareDemo = demo.Prepare

// startDemoServer is internal/demo's Env.StartServer; tests replace it.
var startDemoServer = (*demo.Env).StartServer

// startDemo prepares the demo environment in a goroutine; the banner says
// so meanwhile. With the exchange (Options.Connect) it then starts the
// demo's document server and, the first time, has the clerk issue the
// decision, so that there is a document to send.
func (mw *mainWindow) startDemo() {
	mw.demoPreparing = true
	mw.fillBanner()
	dir := mw.opts.DemoDir
	go func() {
		if dir == "" {
			d, err := demo.DefaultDir()
			if err != nil {
				mw.showDemo(nil, err)
				return
			}
			dir = d
		}
		ctx := context.Background()
		env, err := prepareDemo(ctx, dir, demo.WithProgress(mw.showDemoStep))
		if err == nil && env == nil {
			err = errors.New("demo: no environment")
		}
		var srv *demo.Server
		var srvErr error
		if err == nil && mw.link != nil {
			mw.showDemoStep(demo.StepServer)
			srv, srvErr = startDemoServer(env, ctx)
			if srvErr == nil {
				if _, statErr := os.Stat(env.IssuedDocument()); srv.Owned || statErr != nil {
					mw.showDemoStep(demo.StepIssue)
					if _, ierr := env.Issue(ctx); ierr != nil {
						srvErr = ierr // the exchange can be tried without it: say so
						srv.Close()
						srv = nil
					}
				}
			}
		}
		runOnUI(func() { mw.onDemoReady(env, err, srv, srvErr) })
	}()
}

// showDemoStep shows which step of the preparation is running.
func (mw *mainWindow) showDemoStep(step demo.Step) {
	runOnUI(func() {
		mw.demoStep = step
		mw.fillBanner()
	})
}

// showDemo hands the prepared demo to the UI goroutine.
func (mw *mainWindow) showDemo(env *demo.Env, err error) {
	runOnUI(func() { mw.onDemoReady(env, err, nil, nil) })
}

// onDemoReady configures signing and verification for the demo tokens
// (in memory only: the user's settings are not changed) and opens the
// sample documents, the first one selected; with the exchange, the
// issued decision too, and the window connects to the demo server (srv,
// or srvErr saying why there is none).
func (mw *mainWindow) onDemoReady(env *demo.Env, err error, srv *demo.Server, srvErr error) {
	mw.demoPreparing = false
	if mw.closed {
		if env != nil {
			env.Close()
		}
		if srv != nil {
			srv.Close()
		}
		return
	}
	if err != nil {
		mw.demoErr = err
		mw.fillBanner()
		mw.setStatus(mw.demoErrText())
		return
	}
	mw.demoEnv = env
	s := mw.settings()
	s.Module = env.ModulePath
	s.TSAURL = env.TSAURL
	// The demo PKI has no OCSP responder or CRL: its revocation cannot be
	// checked, and the demo accepts that as an IT policy may (the panel
	// says so on every signature).
	s.AcceptUnknownRevocation = true
	if env.TrustRoot != "" {
		s.TrustFiles = append([]string{env.TrustRoot}, s.TrustFiles...)
	}
	if env.SignatureImage != "" {
		s.SignatureImage = env.SignatureImage
	}
	if env.SealImage != "" {
		s.SealImage = env.SealImage
	}
	if srv != nil {
		s.ServerAddress, s.ServerCA = srv.URL, srv.CAFile
	}
	mw.current.Store(&s)
	mw.fillBanner()
	var views []*docView
	for _, d := range env.Documents {
		if v := mw.openDocument(d, ""); v != nil {
			views = append(views, v)
		}
	}
	if mw.link != nil {
		mw.link.startDemo(env, srv, srvErr)
		if srv != nil {
			mw.openDocument(env.IssuedDocument(), "")
		}
	}
	if len(views) == 0 {
		return
	}
	// Show the decision the leader signed: its signature is checked at
	// once, and it is the one the clerk signs next.
	show := views[0]
	if len(views) == len(env.Documents) && len(views) > demo.DocDecisionSigned {
		show = views[demo.DocDecisionSigned]
	}
	mw.tabs.Select(mw.items[show])
	mw.syncToolbar()
	mw.setStatus(i18n.T("app.status.demo-opened", len(views)))
}

// demoErrText says what failed and what to do.
func (mw *mainWindow) demoErrText() string {
	return i18n.T("app.demo.banner") + " " + i18n.T("app.demo.failed", mw.demoErr.Error())
}

// demoStepText describes a step of the demo's preparation.
func demoStepText(s demo.Step) string {
	switch s {
	case demo.StepPKI:
		return i18n.T("app.demo.step.pki")
	case demo.StepTSA:
		return i18n.T("app.demo.step.tsa")
	case demo.StepDocuments:
		return i18n.T("app.demo.step.documents")
	case demo.StepLeader:
		return i18n.T("app.demo.step.leader")
	case demo.StepServer:
		return i18n.T("app.xw.demo-starting")
	case demo.StepIssue:
		return i18n.T("app.demo.step.issue")
	}
	return i18n.T("app.demo.preparing")
}

func init() {
	i18n.Register(i18n.Catalog{
		"app.demo.step.issue": {VI: "Văn thư đang ký phát hành văn bản mẫu để gửi…", EN: "The clerk is issuing the sample decision, to send it…"},
	})
}
