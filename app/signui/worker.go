package signui

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/vanthuso/vanthu/signing/token"
)

// watchEvery is how often token presence is polled (module rescans
// included, which are slow on some modules). Tests shorten it.
var watchEvery = 2 * time.Second

// tokenState is where a dialog stands with its token.
type tokenState int

const (
	stateLoading tokenState = iota // module being loaded, tokens listed
	stateFailed                    // no module, or it failed to load or list
	stateNone                      // no token plugged in
	stateRemoved                   // the chosen token was pulled out
	stateReady                     // a session is open on the chosen token
)

// tokenSnapshot is what a tokenWorker reports to its dialog.
type tokenSnapshot struct {
	state   tokenState
	err     error             // stateFailed: why; stateReady: listing certificates failed
	tokens  []token.TokenInfo // initialised tokens present
	current token.TokenInfo   // the chosen token (stateReady), or the one removed
	creds   []token.Credential
	module  string // module path
}

// tokenWorker owns a dialog's PKCS#11 module and its session on the
// chosen token: one goroutine (run) opens them, follows plugging and
// unplugging, and runs the dialog's requests (choose a token, log in), so
// that no two of them touch the token at once and the UI goroutine never
// waits on a token. It reports through update, called on its goroutine.
type tokenWorker struct {
	cfg    Config
	update func(tokenSnapshot)
	reqs   chan func()
	cancel context.CancelFunc
	done   chan struct{}

	// Owned by run.
	m       tokenModule
	toks    []token.TokenInfo
	cur     token.TokenInfo
	sess    tokenSession
	creds   []token.Credential
	state   tokenState
	lastErr error
}

// startTokenWorker starts the worker; Stop ends it.
func startTokenWorker(cfg Config, update func(tokenSnapshot)) *tokenWorker {
	ctx, cancel := context.WithCancel(context.Background())
	w := &tokenWorker{cfg: cfg, update: update, reqs: make(chan func()), cancel: cancel, done: make(chan struct{})}
	go w.run(ctx)
	return w
}

// Stop closes the session and the module and waits for the worker to end.
func (w *tokenWorker) Stop() {
	w.cancel()
	<-w.done
}

// errWorkerStopped is returned by requests made after Stop.
var errWorkerStopped = errors.New("token worker stopped")

// do runs f on the worker's goroutine and waits for it.
func (w *tokenWorker) do(f func()) error {
	ran := make(chan struct{})
	select {
	case w.reqs <- func() { f(); close(ran) }:
		<-ran
		return nil
	case <-w.done:
		return errWorkerStopped
	}
}

func (w *tokenWorker) run(ctx context.Context) {
	defer close(w.done)
	m, err := openModule(w.cfg)
	if err != nil {
		w.state, w.lastErr = stateFailed, err
		w.report()
		w.idle(ctx)
		return
	}
	w.m = m
	defer func() {
		w.closeSession()
		m.Close()
	}()
	toks, err := m.Tokens()
	if err != nil {
		w.state, w.lastErr = stateFailed, fmt.Errorf("list tokens: %w", err)
		w.report()
	} else {
		w.toks = ready(toks)
		w.state = stateNone
		w.openBest()
		w.report()
	}
	events := m.Watch(ctx, watchEvery)
	for {
		select {
		case <-ctx.Done():
			if events != nil {
				for range events { // Watch ends with ctx; let it finish first
				}
			}
			return
		case ev, ok := <-events:
			if !ok {
				events = nil
				continue
			}
			w.onEvent(ev)
		case f := <-w.reqs:
			f()
		}
	}
}

// idle serves requests (which find no token) until ctx ends.
func (w *tokenWorker) idle(ctx context.Context) {
	for {
		select {
		case <-ctx.Done():
			return
		case f := <-w.reqs:
			f()
		}
	}
}

func tokenKey(t token.TokenInfo) string {
	if t.Serial != "" {
		return "serial:" + t.Manufacturer + "/" + t.Model + "/" + t.Serial
	}
	return fmt.Sprintf("slot:%d", t.SlotID)
}

func (w *tokenWorker) onEvent(ev token.Event) {
	key := tokenKey(ev.Token)
	var rest []token.TokenInfo
	for _, t := range w.toks {
		if tokenKey(t) != key {
			rest = append(rest, t)
		}
	}
	w.toks = rest
	if ev.Kind != token.TokenRemoved && ev.Token.Initialized {
		w.toks = append(w.toks, ev.Token)
	}
	isCur := w.sess != nil && tokenKey(w.cur) == key
	switch {
	case ev.Kind == token.TokenRemoved && isCur:
		w.closeSession()
		w.state = stateRemoved
	case ev.Kind == token.TokenChanged && isCur:
		if !ev.Token.Initialized {
			w.closeSession()
			w.state = stateRemoved
		} else {
			w.cur = ev.Token
		}
	case ev.Kind == token.TokenInserted && w.sess == nil && ev.Token.Initialized && (w.state == stateNone || w.state == stateRemoved || w.state == stateFailed):
		w.open(ev.Token)
	}
	w.report()
}

// openBest opens the first token with a certificate that can sign, else
// the first token: with several tokens plugged in (or a CA's token
// beside the user's), the user's own comes up first.
func (w *tokenWorker) openBest() {
	for _, t := range w.toks {
		w.open(t)
		if w.state == stateReady && slices.ContainsFunc(w.creds, func(c token.Credential) bool {
			return credentialProblem(c, time.Now()) == ""
		}) {
			return
		}
	}
	if len(w.toks) > 0 {
		w.open(w.toks[0])
	}
}

// open opens a session on t and lists its certificates (no login).
func (w *tokenWorker) open(t token.TokenInfo) {
	w.closeSession()
	w.cur, w.lastErr, w.creds = t, nil, nil
	s, err := w.m.OpenSession(t.SlotID)
	if err != nil {
		if errors.Is(err, token.ErrNoToken) || errors.Is(err, token.ErrTokenRemoved) {
			w.state = stateRemoved
			return
		}
		w.state, w.lastErr = stateFailed, err
		return
	}
	w.sess, w.state = s, stateReady
	if info, err := s.Token(); err == nil {
		w.cur = info
	}
	creds, err := s.Credentials()
	if errors.Is(err, token.ErrTokenRemoved) {
		w.closeSession()
		w.state = stateRemoved
		return
	}
	w.creds, w.lastErr = creds, err
}

func (w *tokenWorker) closeSession() {
	if w.sess != nil {
		w.sess.Close()
		w.sess = nil
	}
}

func (w *tokenWorker) report() {
	s := tokenSnapshot{state: w.state, err: w.lastErr, current: w.cur, creds: w.creds}
	s.tokens = append(s.tokens, w.toks...)
	if w.m != nil {
		s.module = w.m.Path()
	}
	w.update(s)
}

// choose switches to the token with the given key.
func (w *tokenWorker) choose(key string) {
	w.do(func() {
		for _, t := range w.toks {
			if tokenKey(t) == key {
				if w.sess == nil || tokenKey(w.cur) != key {
					w.open(t)
					w.report()
				}
				return
			}
		}
	})
}

// unlock logs in to the chosen token with pin (once) and returns the key
// of the certificate with fingerprint fp. A refused PIN updates the
// token's PIN state in a report before the error comes back; a removed
// token closes the session.
func (w *tokenWorker) unlock(pin, fp string) (key *signingKey, err error) {
	stopped := w.do(func() {
		switch {
		case w.state == stateRemoved:
			err = fmt.Errorf("unlock: %w", token.ErrTokenRemoved)
			return
		case w.sess == nil:
			err = fmt.Errorf("unlock: %w", token.ErrNoToken)
			return
		}
		key, err = unlockKey(w.sess, w.cur, pin, fp)
		var pe *token.PINError
		switch {
		case errors.As(err, &pe):
			w.cur.PIN = pe.State
			w.report()
		case errors.Is(err, token.ErrTokenRemoved):
			w.closeSession()
			w.state = stateRemoved
			w.report()
		}
	})
	if stopped != nil {
		return nil, stopped
	}
	return key, err
}

// sessionLost marks the chosen token's session dead after signing failed
// with ErrTokenRemoved.
func (w *tokenWorker) sessionLost() {
	w.do(func() {
		w.closeSession()
		w.state = stateRemoved
		w.report()
	})
}
