package signui

import (
	"context"
	"errors"
	"slices"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/vanthuso/vanthu/app/i18n"
	"github.com/vanthuso/vanthu/signing/token"
)

// retryEvery is how long the status waits before looking for a module
// again after none was found or it failed to load.
var retryEvery = 5 * time.Second

// lineKind is what one line of the token status says.
type lineKind int

const (
	lineLoading  lineKind = iota // looking for the module
	lineNoModule                 // no module, or it did not load
	lineNone                     // no token plugged in
	lineRemoved                  // the last token was pulled out
	lineToken                    // a token is present
)

// statusLine is one line of the token status.
type statusLine struct {
	kind   lineKind
	err    error           // lineNoModule
	info   token.TokenInfo // lineToken, lineRemoved
	holder string          // lineToken: CN of the certificate holder
}

// text and icon of a line.
func (l statusLine) view() (string, fyne.Resource) {
	switch l.kind {
	case lineLoading:
		return i18n.T("signui.status.loading"), theme.SearchIcon()
	case lineNoModule:
		text := explain(l.err)
		var missing *moduleMissingError
		if errors.Is(l.err, token.ErrNoModule) && !errors.As(l.err, &missing) {
			text = i18n.T("signui.status.no-module") // the full sentence is the dialogs' to say
		}
		return text, theme.NewErrorThemedResource(theme.ErrorIcon())
	case lineNone:
		return i18n.T("signui.status.none"), theme.NewDisabledResource(theme.MediaRecordIcon())
	case lineRemoved:
		return i18n.T("signui.status.removed", l.info.Label), theme.NewWarningThemedResource(theme.WarningIcon())
	}
	who := i18n.T("signui.status.token", l.info.Label)
	if l.holder != "" {
		who = i18n.T("signui.status.holder", l.holder, l.info.Label)
	}
	st := l.info.PIN
	switch {
	case st.Locked:
		return who + " — " + i18n.T("signui.status.locked"), theme.NewErrorThemedResource(theme.ErrorIcon())
	case st.FinalTry:
		return who + " — " + i18n.T("signui.status.final-try"), theme.NewErrorThemedResource(theme.WarningIcon())
	case st.CountLow:
		return who + " — " + i18n.T("signui.status.count-low"), theme.NewWarningThemedResource(theme.WarningIcon())
	case l.info.ProtectedAuthPath:
		return who + " — " + i18n.T("signui.status.pin-pad"), theme.NewSuccessThemedResource(theme.ConfirmIcon())
	}
	return who, theme.NewSuccessThemedResource(theme.ConfirmIcon())
}

// show moves lines to the UI goroutine.
func (t *TokenStatus) show(lines []statusLine) {
	uiDo(func() { t.render(lines) })
}

// statusMaxLines is the most lines the status shows: with more tokens
// (the demo's six software tokens) it shows the first ones and how many
// more there are, so that the status bar stays a strip of the window.
const statusMaxLines = 3

// render replaces the lines shown.
func (t *TokenStatus) render(lines []statusLine) {
	t.lines = lines
	shown := lines
	if len(shown) > statusMaxLines {
		shown = shown[:statusMaxLines-1]
	}
	objs := make([]fyne.CanvasObject, 0, len(shown)+1)
	for _, l := range shown {
		text, icon := l.view()
		label := widget.NewLabel(text)
		label.Truncation = fyne.TextTruncateEllipsis
		objs = append(objs, container.NewBorder(nil, nil, widget.NewIcon(icon), nil, label))
	}
	if more := len(lines) - len(shown); more > 0 {
		label := widget.NewLabel(i18n.T("signui.status.more", more))
		label.Truncation = fyne.TextTruncateEllipsis
		objs = append(objs, container.NewBorder(nil, nil, widget.NewIcon(theme.MoreHorizontalIcon()), nil, label))
	}
	t.box.Objects = objs
	t.box.Refresh()
	t.BaseWidget.Refresh()
}

// Refresh draws the status again, in the language now chosen.
func (t *TokenStatus) Refresh() {
	t.render(t.lines)
}

// Text returns the lines shown, one per token (for tests and accessibility).
func (t *TokenStatus) text() []string {
	var out []string
	for _, l := range t.lines {
		s, _ := l.view()
		out = append(out, s)
	}
	return out
}

// run is the status's service loop: find and load the module, follow its
// tokens, start again when the configured module changes.
func (t *TokenStatus) run(ctx context.Context) {
	defer close(t.done)
	var seen *seenTokens
	lastPath := ""
	for ctx.Err() == nil {
		cfg := t.cfg()
		if seen == nil || cfg.ModulePath != lastPath {
			// Another module: what the last one had says nothing.
			seen, lastPath = &seenTokens{tokens: map[string]statusLine{}}, cfg.ModulePath
		}
		m, err := openModule(cfg)
		if err != nil {
			t.show([]statusLine{{kind: lineNoModule, err: err}})
			t.waitForRetry(ctx, cfg)
			continue
		}
		t.follow(ctx, m, cfg, seen)
		m.Close()
	}
}

// seenTokens is what the status knows of a module's tokens; it outlives
// a restart of the watching (a module that stopped answering), so a token
// pulled out meanwhile is still reported as pulled out.
type seenTokens struct {
	tokens  map[string]statusLine // by tokenKey
	removed *token.TokenInfo      // the last token pulled out, while none is present
}

// lines is what the status shows for s.
func (s *seenTokens) lines() []statusLine {
	var lines []statusLine
	for _, l := range s.tokens {
		lines = append(lines, l)
	}
	slices.SortFunc(lines, func(a, b statusLine) int { return int(a.info.SlotID) - int(b.info.SlotID) })
	switch {
	case len(lines) > 0:
	case s.removed != nil:
		lines = []statusLine{{kind: lineRemoved, info: *s.removed}}
	default:
		lines = []statusLine{{kind: lineNone}}
	}
	return lines
}

// gone records that the token with key is no longer there.
func (s *seenTokens) gone(key string) {
	if old, ok := s.tokens[key]; ok {
		delete(s.tokens, key)
		info := old.info
		s.removed = &info
	}
}

// waitForRetry waits retryEvery, or less when the module setting changes.
func (t *TokenStatus) waitForRetry(ctx context.Context, cfg Config) {
	retry := time.NewTimer(retryEvery)
	defer retry.Stop()
	tick := time.NewTicker(watchEvery)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-retry.C:
			return
		case <-tick.C:
			if t.cfg().ModulePath != cfg.ModulePath {
				return
			}
		}
	}
}

// follow shows m's tokens until ctx ends, the module setting changes or
// the module stops answering.
func (t *TokenStatus) follow(ctx context.Context, m tokenModule, cfg Config, seen *seenTokens) {
	wctx, cancel := context.WithCancel(ctx)
	defer cancel()
	if toks, err := m.Tokens(); err == nil {
		present := map[string]bool{}
		for _, tk := range ready(toks) {
			key := tokenKey(tk)
			present[key] = true
			holder := seen.tokens[key].holder
			if holder == "" {
				holder = readHolder(m, tk)
			}
			seen.tokens[key] = statusLine{kind: lineToken, info: tk, holder: holder}
			seen.removed = nil
		}
		for key := range seen.tokens {
			if !present[key] {
				seen.gone(key)
			}
		}
	}
	t.show(seen.lines())
	events := m.Watch(wctx, watchEvery)
	tick := time.NewTicker(watchEvery)
	defer tick.Stop()
	for {
		select {
		case <-tick.C:
			if t.cfg().ModulePath != cfg.ModulePath {
				cancel()
			}
		case ev, ok := <-events:
			if !ok {
				return // ctx ended, the setting changed, or the module closed
			}
			key := tokenKey(ev.Token)
			if ev.Kind == token.TokenRemoved || !ev.Token.Initialized {
				seen.gone(key)
			} else {
				holder := seen.tokens[key].holder
				if holder == "" {
					holder = readHolder(m, ev.Token)
				}
				seen.tokens[key] = statusLine{kind: lineToken, info: ev.Token, holder: holder}
				seen.removed = nil
			}
			t.show(seen.lines())
		}
	}
}

// readHolder reads the certificate holder's name (CN) from the token;
// certificates are public, no login needed. "" when it cannot be read.
func readHolder(m tokenModule, t token.TokenInfo) string {
	s, err := m.OpenSession(t.SlotID)
	if err != nil {
		return ""
	}
	defer s.Close()
	creds, err := s.Credentials()
	if err != nil {
		return ""
	}
	return holderName(creds, time.Now())
}
