package main

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/vanthuso/vanthu/signing/stamp"
	"github.com/vanthuso/vanthu/signing/token"
)

// tokenReport is what `vanthuctl token list` finds, as printed and as
// written with --json.
type tokenReport struct {
	Probes []probeJSON `json:"modules_probed"`
	Module *moduleJSON `json:"module,omitempty"`
	Tokens []tokenJSON `json:"tokens"`
	Note   string      `json:"note"`
	Error  string      `json:"error,omitempty"`
}

type probeJSON struct {
	Path   string `json:"path"`
	Source string `json:"source"`
	Found  bool   `json:"found"`
	Vendor string `json:"vendor,omitempty"`
	Error  string `json:"error,omitempty"`
	Used   bool   `json:"used"`
}

type moduleJSON struct {
	Path            string `json:"path"`
	Manufacturer    string `json:"manufacturer"`
	Description     string `json:"description"`
	LibraryVersion  string `json:"library_version"`
	CryptokiVersion string `json:"cryptoki_version"`
	Vendor          string `json:"vendor,omitempty"`
}

type tokenJSON struct {
	Slot         uint       `json:"slot"`
	Label        string     `json:"label"`
	Serial       string     `json:"serial"`
	Manufacturer string     `json:"manufacturer"`
	Model        string     `json:"model"`
	Initialized  bool       `json:"initialized"`
	PIN          pinJSON    `json:"pin"`
	LoggedIn     bool       `json:"logged_in"`
	Certificates []certJSON `json:"certificates"`
	Error        string     `json:"error,omitempty"`
}

type pinJSON struct {
	CountLow    bool   `json:"count_low"`
	FinalTry    bool   `json:"final_try"`
	Locked      bool   `json:"locked"`
	ToBeChanged bool   `json:"to_be_changed"`
	PINPad      bool   `json:"pin_pad"`
	TriesLeft   int    `json:"tries_left"` // -1: the token does not say
	State       string `json:"state"`
}

type certJSON struct {
	Label     string    `json:"label"`
	SubjectCN string    `json:"subject_cn"`
	SubjectO  string    `json:"subject_o,omitempty"`
	IssuerCN  string    `json:"issuer_cn"`
	Serial    string    `json:"serial"`
	NotBefore time.Time `json:"not_before"`
	NotAfter  time.Time `json:"not_after"`
	SHA256    string    `json:"sha256"`
	CA        bool      `json:"ca"`
	// Usable is true only when the private key was found (after login)
	// and the certificate can sign now. KeyChecked is false before
	// login: private keys are not visible then.
	Usable     bool   `json:"usable"`
	KeyChecked bool   `json:"key_checked"`
	Problem    string `json:"problem,omitempty"`
	Reason     string `json:"reason"`
}

type listFlags struct {
	module, label  string
	json, pinStdin bool
}

// cmdTokenList is `vanthuctl token list`.
func (c *cli) cmdTokenList(ctx context.Context, args []string) error {
	var f listFlags
	fs := c.flagSet("token list", "usage.token-list")
	fs.StringVar(&f.module, "module", "", c.t("flag.module"))
	fs.StringVar(&f.label, "token", "", c.t("flag.list-token"))
	fs.BoolVar(&f.pinStdin, "pin-stdin", false, c.t("flag.list-pin-stdin"))
	fs.BoolVar(&f.json, "json", false, c.t("flag.json"))
	if err := c.parse(fs, args); err != nil {
		return err
	}
	pin, err := c.readPIN(f.pinStdin)
	if err != nil {
		return err
	}
	rep, err := c.tokenReport(f, pin)
	if err != nil {
		_, rep.Error = c.explain(err)
	}
	if f.json {
		c.writeJSON(rep)
	} else {
		c.printTokenReport(rep)
	}
	return err
}

// tokenReport probes the modules, opens the one to use and describes its
// tokens. With a PIN it logs in to one token only, the one named with
// --token or the only one present: one PIN is never tried on several
// tokens, which could lock tokens whose PIN differs.
func (c *cli) tokenReport(f listFlags, pin pinSource) (tokenReport, error) {
	rep := tokenReport{Tokens: []tokenJSON{}}
	path, _, findErr := c.findModule(f.module)
	for _, p := range token.DiscoverAll(f.module) {
		rep.Probes = append(rep.Probes, probeJSON{Path: p.Path, Source: p.Source, Found: p.Found,
			Vendor: p.Vendor, Error: p.Err, Used: p.Found && p.Path == path})
	}
	if findErr != nil {
		return rep, findErr
	}
	m, err := c.openModule(path)
	if err != nil {
		return rep, err
	}
	defer m.Close()
	info := m.Info()
	rep.Module = &moduleJSON{Path: info.Path, Manufacturer: info.Manufacturer, Description: info.Description,
		LibraryVersion: info.LibraryVersion, CryptokiVersion: info.CryptokiVersion, Vendor: info.Vendor}
	toks, err := m.Tokens()
	if err != nil {
		return rep, c.tokenErr(err, "err.tokens", path, err.Error())
	}
	target, login, err := c.loginTarget(toks, f.label, pin)
	if err != nil {
		return rep, err
	}
	rep.Note = c.t("note.list-keys", envPIN)
	var loginErr error
	for _, t := range toks {
		tj, err := c.describeToken(m, t, pin, login && t.Initialized && t.SlotID == target)
		rep.Tokens = append(rep.Tokens, tj)
		if err != nil && loginErr == nil {
			loginErr = err
		}
	}
	if pin.ok && !login {
		rep.Note = c.t("note.list-several", envPIN)
	}
	if loginErr != nil {
		return rep, loginErr
	}
	if _, err := c.chooseToken(toks, f.label); err != nil && !isUsage(err) {
		return rep, err
	}
	return rep, nil
}

func isUsage(err error) bool {
	e, ok := err.(*exitError)
	return ok && e.code == exitUsage
}

// loginTarget is the slot of the token to log in to when a PIN was
// given: the one named by label, or the only initialised one. login is
// false when no PIN was given or the choice is ambiguous.
func (c *cli) loginTarget(toks []token.TokenInfo, label string, pin pinSource) (slot uint, login bool, err error) {
	if !pin.ok {
		return 0, false, nil
	}
	t, err := c.chooseToken(toks, label)
	if err != nil {
		if isUsage(err) {
			return 0, false, nil // several tokens: log in to none
		}
		return 0, false, err
	}
	return t.SlotID, true, nil
}

// describeToken lists one token's certificates, logging in first when
// login is set (never on a PIN-pad token: a listing does not prompt).
func (c *cli) describeToken(m *token.Module, t token.TokenInfo, pin pinSource, login bool) (tokenJSON, error) {
	tj := tokenJSON{Slot: t.SlotID, Label: t.Label, Serial: t.Serial, Manufacturer: t.Manufacturer,
		Model: t.Model, Initialized: t.Initialized, Certificates: []certJSON{}}
	tj.PIN = pinJSON{CountLow: t.PIN.CountLow, FinalTry: t.PIN.FinalTry, Locked: t.PIN.Locked,
		ToBeChanged: t.PIN.ToBeChanged, PINPad: t.ProtectedAuthPath, TriesLeft: t.PIN.Remaining()}
	tj.PIN.State = c.pinState(t)
	if !t.Initialized {
		return tj, nil
	}
	s, err := m.OpenSession(t.SlotID)
	if err != nil {
		_, tj.Error = c.explain(err)
		return tj, nil
	}
	defer s.Close()
	var loginErr error
	if login && !t.ProtectedAuthPath {
		if loginErr = s.Login(pin.value); loginErr == nil {
			tj.LoggedIn = true
			defer s.Logout()
		} else {
			_, tj.Error = c.explain(loginErr)
		}
	}
	creds, err := s.Credentials()
	if err != nil {
		_, tj.Error = c.explain(err)
		return tj, err
	}
	now := c.now()
	for _, cr := range creds {
		tj.Certificates = append(tj.Certificates, c.describeCredential(cr, tj.LoggedIn, now))
	}
	return tj, loginErr
}

func (c *cli) describeCredential(cr token.Credential, loggedIn bool, now time.Time) certJSON {
	cert := cr.Certificate
	cj := certJSON{Label: cr.Label, SubjectCN: cert.Subject.CommonName, SubjectO: stamp.Organization(cert),
		IssuerCN: cert.Issuer.CommonName, Serial: serialHex(cert), NotBefore: cert.NotBefore,
		NotAfter: cert.NotAfter, SHA256: token.Fingerprint(cert), CA: cert.IsCA,
		Usable: cr.Usable, KeyChecked: loggedIn}
	cj.Problem = credentialProblem(cr, now)
	switch {
	case cj.Problem == token.ProblemNotLoggedIn:
		cj.Reason = c.t("cert.key-unchecked")
	case cj.Problem == "":
		cj.Reason = c.t("cert.usable")
	default:
		cj.Reason = c.t("cert.unusable", c.problemText(cj.Problem))
	}
	return cj
}

// pinState words a token's PIN flags.
func (c *cli) pinState(t token.TokenInfo) string {
	var parts []string
	switch {
	case t.PIN.Locked:
		parts = append(parts, c.t("pin.locked"))
	case t.PIN.FinalTry:
		parts = append(parts, c.t("pin.final-try"))
	case t.PIN.CountLow:
		parts = append(parts, c.t("pin.count-low"))
	default:
		parts = append(parts, c.t("pin.ok"))
	}
	if t.PIN.ToBeChanged {
		parts = append(parts, c.t("pin.to-be-changed"))
	}
	if t.ProtectedAuthPath {
		parts = append(parts, c.t("pin.pad"))
	}
	return strings.Join(parts, "; ")
}

// printTokenReport writes the report for people.
func (c *cli) printTokenReport(rep tokenReport) {
	w := c.stdout
	fmt.Fprintln(w, c.t("list.probes"))
	for _, p := range rep.Probes {
		mark := "[ ]"
		if p.Used {
			mark = "[*]"
		} else if p.Found {
			mark = "[+]"
		}
		fmt.Fprintf(w, "  %s %s\n", mark, c.probeLine(token.Probe{Path: p.Path, Source: p.Source, Found: p.Found, Err: p.Error, Vendor: p.Vendor}))
	}
	if rep.Module == nil {
		return
	}
	mi := rep.Module
	fmt.Fprintln(w, c.t("list.module", mi.Path, mi.Manufacturer, mi.Description, mi.LibraryVersion, mi.CryptokiVersion))
	fmt.Fprintln(w)
	fmt.Fprintln(w, c.t("list.tokens", len(rep.Tokens)))
	for i, t := range rep.Tokens {
		c.printToken(i+1, t)
	}
	if rep.Note != "" {
		fmt.Fprintln(w)
		fmt.Fprintln(w, rep.Note)
	}
}

func (c *cli) printToken(n int, t tokenJSON) {
	w := c.stdout
	if !t.Initialized {
		fmt.Fprintf(w, "\n%d. %s — %s\n", n, c.t("list.blank"), c.t("token.brief-blank", t.Slot, t.Manufacturer, t.Model))
		return
	}
	fmt.Fprintf(w, "\n%d. %q — %s\n", n, t.Label, c.t("token.brief", t.Slot, t.Serial, t.Manufacturer, t.Model))
	fmt.Fprintln(w, "   "+c.t("list.pin", t.PIN.State))
	if t.LoggedIn {
		fmt.Fprintln(w, "   "+c.t("list.logged-in"))
	}
	if t.Error != "" {
		fmt.Fprintln(w, "   "+c.t("list.token-error", t.Error))
	}
	fmt.Fprintln(w, "   "+c.t("list.certs", len(t.Certificates)))
	for _, cj := range t.Certificates {
		fmt.Fprintf(w, "   - %s\n", cj.SubjectCN)
		row := func(key, val string) { fmt.Fprintf(w, "       %-14s %s\n", c.t(key), val) }
		if cj.SubjectO != "" {
			row("list.cert.o", cj.SubjectO)
		}
		row("list.cert.issuer", cj.IssuerCN)
		row("list.cert.serial", cj.Serial)
		row("list.cert.validity", formatDay(cj.NotBefore)+" – "+formatDay(cj.NotAfter))
		row("list.cert.sha256", cj.SHA256)
		row("list.cert.signing", cj.Reason)
	}
}

func formatDay(t time.Time) string { return t.In(stamp.Vietnam).Format("02/01/2006 15:04") }
