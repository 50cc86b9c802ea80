package app

import (
	"context"
	"errors"

	"github.com/vanthuso/vanthu/app/i18n"
	"github.com/vanthuso/vanthu/internal/demo"
)

// prepareDemo is internal/demo's Prepare; tests replace it.
var prepareDemo = demo.Prepare

// startDemo prepares the demo environment in a goroutine; the banner says
// so meanwhile.
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
		env, err := prepareDemo(context.Background(), dir, demo.WithProgress(mw.showDemoStep))
		if err == nil && env == nil {
			err = errors.New("demo: no environment")
		}
		mw.showDemo(env, err)
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
	runOnUI(func() { mw.onDemoReady(env, err) })
}

// onDemoReady configures signing and verification for the demo tokens
// (in memory only: the user's settings are not changed) and opens the
// sample documents, the first one selected.
func (mw *mainWindow) onDemoReady(env *demo.Env, err error) {
	mw.demoPreparing = false
	if mw.closed {
		if env != nil {
			env.Close()
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
	mw.current.Store(&s)
	mw.fillBanner()
	var views []*docView
	for _, d := range env.Documents {
		if v := mw.openDocument(d, ""); v != nil {
			views = append(views, v)
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
	}
	return i18n.T("app.demo.preparing")
}
