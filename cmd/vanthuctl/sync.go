package main

import (
	"context"
	"crypto/x509"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/vanthuso/vanthu/edoc"
	"github.com/vanthuso/vanthu/sync/client"
	"github.com/vanthuso/vanthu/sync/engine"
	"github.com/vanthuso/vanthu/sync/protocol"
	"github.com/vanthuso/vanthu/sync/store"
)

// The sync cache folder holds the cache (cache.db and its blobs), the
// server's address and CA and the session (server.json, mode 0600).
const (
	syncCacheFile  = "cache.db"
	syncConfigFile = "server.json"
	syncCAFile     = "server-ca.pem"
	envSyncCache   = "VANTHU_SYNC_DIR"
)

// syncConfig is server.json.
type syncConfig struct {
	Server  string           `json:"server"`
	CA      bool             `json:"ca,omitempty"` // server-ca.pem holds the roots to trust
	Session protocol.Session `json:"session"`
}

// cmdSync is `vanthuctl sync login|send|run|status|list|get`.
func (c *cli) cmdSync(ctx context.Context, args []string) error {
	sub, rest := "", args
	if len(args) > 0 {
		sub, rest = args[0], args[1:]
	}
	switch sub {
	case "login":
		return c.cmdSyncLogin(ctx, rest)
	case "send":
		return c.cmdSyncSend(rest)
	case "run":
		return c.cmdSyncRun(ctx, rest)
	case "status":
		return c.cmdSyncStatus(rest)
	case "list":
		return c.cmdSyncList(rest)
	case "get":
		return c.cmdSyncGet(rest)
	case "-h", "--help", "-help", "help":
		fmt.Fprint(c.stdout, c.t("usage.sync"))
		return nil
	}
	fmt.Fprint(c.stderr, c.t("usage.sync"))
	return c.usageErr("usage.sync-sub")
}

// syncDirFlag adds --cache to fs.
func (c *cli) syncDirFlag(fs *flag.FlagSet) *string {
	return fs.String("cache", "", c.t("flag.sync-cache"))
}

// syncDir is the cache folder: --cache, else $VANTHU_SYNC_DIR, else the
// user cache folder + vanthu/sync.
func (c *cli) syncDir(flagValue string) (string, error) {
	if flagValue != "" {
		return flagValue, nil
	}
	if d := c.getenv(envSyncCache); d != "" {
		return d, nil
	}
	d, err := os.UserCacheDir()
	if err != nil {
		return "", c.usageErr("usage.sync-no-cache", err.Error())
	}
	return filepath.Join(d, "vanthu", "sync"), nil
}

// openSync finds the cache folder and opens its cache.
func (c *cli) openSync(dirFlag string) (string, *store.Store, error) {
	dir, err := c.syncDir(dirFlag)
	if err != nil {
		return "", nil, err
	}
	s, err := c.openSyncStore(dir)
	return dir, s, err
}

// openSyncStore opens the cache of dir. Another process holding it is
// said plainly.
func (c *cli) openSyncStore(dir string) (*store.Store, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, c.inputErr(err, "err.sync-cache", dir, err.Error())
	}
	s, err := store.Open(filepath.Join(dir, syncCacheFile), store.Options{Timeout: time.Second, User: c.getenv("USER")})
	switch {
	case errors.Is(err, store.ErrAlreadyOpen):
		return nil, c.inputErr(err, "err.sync-busy", dir)
	case err != nil:
		return nil, c.inputErr(err, "err.sync-cache", dir, err.Error())
	}
	if r := s.Recovered(); r != nil {
		fmt.Fprintln(c.stderr, c.t("note.sync-recovered", fmt.Sprintf("%+v", *r)))
	}
	return s, nil
}

// syncSetup finds the cache folder and reads its saved sign-in.
func (c *cli) syncSetup(dirFlag string) (string, syncConfig, error) {
	dir, err := c.syncDir(dirFlag)
	if err != nil {
		return "", syncConfig{}, err
	}
	cfg, err := c.loadSyncConfig(dir)
	return dir, cfg, err
}

func (c *cli) loadSyncConfig(dir string) (syncConfig, error) {
	var cfg syncConfig
	data, err := os.ReadFile(filepath.Join(dir, syncConfigFile))
	if errors.Is(err, os.ErrNotExist) {
		return cfg, c.usageErr("usage.sync-not-logged-in", dir)
	}
	if err == nil {
		err = json.Unmarshal(data, &cfg)
	}
	if err != nil || cfg.Server == "" {
		return cfg, c.inputErr(err, "err.sync-config", filepath.Join(dir, syncConfigFile), fmt.Sprint(err))
	}
	return cfg, nil
}

// saveSyncConfig writes server.json atomically, readable by its owner
// only (it holds the session).
func (c *cli) saveSyncConfig(dir string, cfg syncConfig) error {
	data, err := json.MarshalIndent(cfg, "", "  ")
	if err == nil {
		err = writeFileAtomic(filepath.Join(dir, syncConfigFile), data, 0o600)
	}
	if err != nil {
		return c.inputErr(err, "err.sync-config", filepath.Join(dir, syncConfigFile), err.Error())
	}
	return nil
}

// writeFileAtomic writes data to a temporary file next to path, syncs it
// and renames it over path: path is either the old file or the new one.
func writeFileAtomic(path string, data []byte, mode os.FileMode) error {
	tmp, err := writeTemp(filepath.Dir(path), mode, func(w io.Writer) error {
		_, err := w.Write(data)
		return err
	})
	if err != nil {
		return err
	}
	if err := os.Rename(tmp, path); err != nil {
		os.Remove(tmp)
		return err
	}
	return nil
}

// writeTemp writes a temporary file in dir with fill, synced, with mode,
// and returns its name; on error nothing is left.
func writeTemp(dir string, mode os.FileMode, fill func(io.Writer) error) (string, error) {
	f, err := os.CreateTemp(dir, ".vanthu-tmp-*")
	if err != nil {
		return "", err
	}
	err = f.Chmod(mode)
	if err == nil {
		err = fill(f)
	}
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(f.Name())
		return "", err
	}
	return f.Name(), nil
}

// newSyncClient makes the client of a saved configuration.
func (c *cli) newSyncClient(dir string, cfg syncConfig) (*client.Client, error) {
	var roots *x509.CertPool
	if cfg.CA {
		pem, err := os.ReadFile(filepath.Join(dir, syncCAFile))
		if err != nil {
			return nil, c.inputErr(err, "err.sync-ca", filepath.Join(dir, syncCAFile), err.Error())
		}
		if roots, err = caPool(pem); err != nil {
			return nil, c.inputErr(err, "err.sync-ca", filepath.Join(dir, syncCAFile), err.Error())
		}
	}
	cl, err := client.New(client.Config{BaseURL: cfg.Server, RootCAs: roots, UserAgent: "vanthuctl/" + version})
	if err != nil {
		return nil, c.usageErr("usage.sync-bad-server", cfg.Server, err.Error())
	}
	cl.SetSession(cfg.Session)
	return cl, nil
}

func caPool(pem []byte) (*x509.CertPool, error) {
	p := x509.NewCertPool()
	if !p.AppendCertsFromPEM(pem) {
		return nil, errors.New("no PEM certificate in the file")
	}
	return p, nil
}

// cmdSyncLogin is `vanthuctl sync login --server URL [--ca FILE] [--cache DIR]`.
func (c *cli) cmdSyncLogin(ctx context.Context, args []string) error {
	fs := c.flagSet("sync login", "usage.sync")
	server := fs.String("server", "", c.t("flag.sync-server"))
	caFile := fs.String("ca", "", c.t("flag.sync-ca"))
	dirFlag := c.syncDirFlag(fs)
	var tf tokenFlags
	fs.StringVar(&tf.module, "module", "", c.t("flag.module"))
	fs.StringVar(&tf.label, "token", "", c.t("flag.token"))
	fs.StringVar(&tf.cert, "cert", "", c.t("flag.cert"))
	fs.BoolVar(&tf.pinStdin, "pin-stdin", false, c.t("flag.pin-stdin"))
	if err := c.parse(fs, args); err != nil {
		return err
	}
	dir, err := c.syncDir(*dirFlag)
	if err != nil {
		return err
	}
	if *server == "" {
		cfg, err := c.loadSyncConfig(dir)
		if err != nil {
			return c.usageErr("usage.sync-login-server")
		}
		*server = cfg.Server
	}
	var caPEM []byte
	if *caFile != "" {
		if caPEM, err = os.ReadFile(*caFile); err != nil {
			return c.inputErr(err, "err.sync-ca", *caFile, err.Error())
		}
		if _, err := caPool(caPEM); err != nil {
			return c.inputErr(err, "err.sync-ca", *caFile, err.Error())
		}
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return c.inputErr(err, "err.sync-cache", dir, err.Error())
	}
	if caPEM != nil {
		if err := writeFileAtomic(filepath.Join(dir, syncCAFile), caPEM, 0o644); err != nil {
			return c.inputErr(err, "err.sync-cache", dir, err.Error())
		}
	}
	cfg := syncConfig{Server: *server, CA: caPEM != nil}
	if caPEM == nil {
		// Keep a CA given at an earlier login for the same server.
		if old, err := c.loadSyncConfig(dir); err == nil && old.Server == *server && old.CA {
			cfg.CA = true
		}
	}
	cl, err := c.newSyncClient(dir, cfg)
	if err != nil {
		return err
	}
	pin, err := c.readPIN(tf.pinStdin)
	if err != nil {
		return err
	}
	key, err := c.openSigningKey(tf, pin)
	if err != nil {
		return err
	}
	defer key.Close()
	sess, err := cl.Login(ctx, key.signer, key.cred.Certificate)
	if err != nil {
		return c.syncErr(err)
	}
	cfg.Session = sess
	if err := c.saveSyncConfig(dir, cfg); err != nil {
		return err
	}
	u := sess.User
	fmt.Fprintln(c.stdout, c.t("result.sync-logged-in", cl.BaseURL(), u.Name, u.Agency.OrganName, u.Agency.OrganID,
		sess.ExpiresAt.In(edoc.Vietnam).Format("02/01/2006 15:04:05 -07:00")))
	if skew, ok := cl.ClockSkew(); ok && (skew > time.Minute || skew < -time.Minute) {
		fmt.Fprintln(c.stderr, c.t("note.sync-skew", skew.Round(time.Second).String()))
	}
	return nil
}

// syncErr words an error of the server or the network.
func (c *cli) syncErr(err error) error {
	r := engineReason(err)
	code := exitFailed
	if client.NeedLogin(err) || client.Code(err) == protocol.CodeUnknownCertificate || client.Code(err) == protocol.CodeBadSignature {
		code = exitToken
	}
	var ee *exitError
	if errors.As(err, &ee) {
		return err
	}
	return &exitError{code: code, msg: c.t("err.sync-server", c.syncReasonText(r), r.Detail), err: err}
}

// engineReason is engine's explanation of err.
func engineReason(err error) engine.Reason {
	code := client.Code(err)
	switch {
	case code != "":
	case errors.Is(err, client.ErrNotSignedIn):
		code = protocol.CodeUnauthenticated
	case client.Offline(err):
		code = engine.CodeOffline
	default:
		code = engine.CodeOther
	}
	return engine.Explain(code, err.Error())
}

func (c *cli) syncReasonText(r engine.Reason) string {
	if c.lang == en {
		return r.En
	}
	return r.Vi
}

// cmdSyncSend is `vanthuctl sync send`: it queues a document offline and
// prints its client id.
func (c *cli) cmdSyncSend(args []string) error {
	fs := c.flagSet("sync send", "usage.sync")
	dirFlag := c.syncDirFlag(fs)
	to := fs.String("to", "", c.t("flag.sync-to"))
	subject := fs.String("subject", "", c.t("flag.sync-subject"))
	number := fs.String("number", "", c.t("flag.sync-number"))
	notation := fs.String("notation", "", c.t("flag.sync-notation"))
	typ := fs.String("type", "", c.t("flag.sync-type"))
	signerName := fs.String("signer-name", "", c.t("flag.sync-signer-name"))
	signerPos := fs.String("signer-position", "", c.t("flag.sync-signer-position"))
	priority := fs.String("priority", "", c.t("flag.sync-priority"))
	id := fs.String("id", "", c.t("flag.sync-id"))
	if err := c.parseFlags(fs, args); err != nil {
		return err
	}
	files := fs.Args()
	if len(files) == 0 {
		return c.usageErr("usage.sync-send-files")
	}
	if err := c.clientID(id); err != nil {
		return err
	}
	prio, err := edoc.ParsePriority(*priority)
	if err != nil {
		return c.usageErr("usage.sync-bad-priority", *priority)
	}
	dir, cfg, err := c.syncSetup(*dirFlag)
	if err != nil {
		return err
	}
	doc := edoc.Document{
		From:             cfg.Session.User.Agency,
		Code:             edoc.Code{CodeNumber: *number, CodeNotation: *notation},
		PromulgationDate: edoc.DateOf(c.now()),
		Type:             edoc.DocumentType{TypeName: *typ},
		Subject:          *subject,
		Signer:           edoc.Signer{FullName: *signerName, Position: *signerPos},
		Priority:         prio,
	}
	for _, code := range strings.Split(*to, ",") {
		if code = strings.TrimSpace(code); code != "" {
			doc.To = append(doc.To, edoc.Organ{OrganID: code})
		}
	}
	for _, f := range files {
		if _, err := os.Stat(f); err != nil {
			return c.inputErr(err, "err.file-missing", f)
		}
	}
	s, err := c.openSyncStore(dir)
	if err != nil {
		return err
	}
	defer s.Close()
	for i, f := range files {
		a, err := storeFile(s, f)
		if err != nil {
			return c.inputErr(err, "err.file", f, err.Error())
		}
		a.Role = edoc.RoleAttachment
		if i == 0 {
			a.Role = edoc.RoleMain
		}
		doc.Attachments = append(doc.Attachments, a)
	}
	doc.DocumentID = edoc.DocumentIDFor(doc.From.OrganID, doc.PromulgationDate, doc.Code)
	if err := doc.Validate(); err != nil {
		return c.invalidDoc(err)
	}
	if err := s.Queue(doc, *id); err != nil {
		if errors.Is(err, store.ErrExists) {
			return c.usageErr("usage.sync-id-exists", *id)
		}
		return c.inputErr(err, "err.sync-cache", dir, err.Error())
	}
	fmt.Fprintln(c.stdout, *id)
	fmt.Fprintln(c.stderr, c.t("result.sync-queued", doc.Code.String(), len(doc.Attachments), len(doc.To)))
	return nil
}

// storeFile puts a file into the cache as a blob and describes it.
func storeFile(s *store.Store, path string) (edoc.Attachment, error) {
	f, err := os.Open(path)
	if err != nil {
		return edoc.Attachment{}, err
	}
	defer f.Close()
	sha, size, err := s.PutBlob(f)
	if err != nil {
		return edoc.Attachment{}, err
	}
	ct := "application/octet-stream"
	if strings.EqualFold(filepath.Ext(path), ".pdf") {
		ct = "application/pdf"
	}
	return edoc.Attachment{Name: filepath.Base(path), ContentType: ct, SHA256: sha, Size: size}, nil
}

// invalidDoc lists what Validate found.
func (c *cli) invalidDoc(err error) error {
	var ve *edoc.ValidationError
	if !errors.As(err, &ve) {
		return c.inputErr(err, "err.other", err.Error())
	}
	var b strings.Builder
	for _, p := range ve.Problems {
		if c.lang == en {
			b.WriteString("\n  - " + p.EN)
		} else {
			b.WriteString("\n  - " + p.VI)
		}
	}
	return &exitError{code: exitUsage, msg: c.t("usage.sync-invalid", b.String()), err: err}
}

// syncEventJSON is one line of `sync run --json`.
type syncEventJSON struct {
	Event     string    `json:"event"`
	Key       string    `json:"key,omitempty"`
	Keys      []string  `json:"keys,omitempty"`
	MessageID string    `json:"message_id,omitempty"`
	SHA256    string    `json:"sha256,omitempty"`
	Done      int64     `json:"done,omitempty"`
	Total     int64     `json:"total,omitempty"`
	Direction string    `json:"direction,omitempty"`
	Code      string    `json:"code,omitempty"`
	Reason    string    `json:"reason,omitempty"`
	ReasonEN  string    `json:"reason_en,omitempty"`
	Detail    string    `json:"detail,omitempty"`
	Permanent bool      `json:"permanent,omitempty"`
	Online    *bool     `json:"online,omitempty"`
	Pending   *int      `json:"pending,omitempty"`
	Failed    *int      `json:"failed,omitempty"`
	LastSync  time.Time `json:"last_sync,omitzero"`
	Action    string    `json:"action,omitempty"`  // acted
	CaseID    string    `json:"case_id,omitempty"` // acted
	Stage     string    `json:"stage,omitempty"`   // acted
	Number    string    `json:"number,omitempty"`  // acted: the số the server gave
}

// cmdSyncRun is `vanthuctl sync run [--once] [--json]`.
func (c *cli) cmdSyncRun(ctx context.Context, args []string) error {
	fs := c.flagSet("sync run", "usage.sync")
	dirFlag := c.syncDirFlag(fs)
	once := fs.Bool("once", false, c.t("flag.sync-once"))
	asJSON := fs.Bool("json", false, c.t("flag.json"))
	if err := c.parse(fs, args); err != nil {
		return err
	}
	dir, cfg, err := c.syncSetup(*dirFlag)
	if err != nil {
		return err
	}
	cl, err := c.newSyncClient(dir, cfg)
	if err != nil {
		return err
	}
	s, err := c.openSyncStore(dir)
	if err != nil {
		return err
	}
	defer s.Close()
	e := engine.New(engine.Config{Store: s, Client: cl})
	events, stop := e.Subscribe()
	printed := make(chan struct{})
	go func() {
		defer close(printed)
		last := ""
		for ev := range events {
			last = c.printSyncEvent(ev, *asJSON, last)
		}
	}()
	if *once {
		err = e.RunOnce(ctx)
	} else {
		err = e.Run(ctx)
	}
	stop()
	<-printed
	switch {
	case errors.Is(err, engine.ErrNeedLogin):
		return &exitError{code: exitToken, msg: c.t("err.sync-need-login"), err: err}
	case errors.Is(err, context.Canceled) && !*once:
		return nil // stopped by Ctrl-C: the cache is consistent
	case err != nil:
		return c.inputErr(err, "err.sync-run", err.Error())
	}
	return nil
}

// printSyncEvent prints ev as a line (or a JSON object) and returns the
// line; a line equal to the last one printed, last, is not printed again
// (states differ in fields the line does not show).
func (c *cli) printSyncEvent(ev engine.Event, asJSON bool, last string) string {
	if asJSON {
		j := syncEventJSON{}
		switch ev := ev.(type) {
		case engine.State:
			online, pending, failed := ev.Online, ev.Pending, ev.Failed
			j = syncEventJSON{Event: "state", Online: &online, Pending: &pending, Failed: &failed, LastSync: ev.LastSync}
			if ev.LastError != nil {
				j.Code, j.Reason, j.ReasonEN, j.Detail = ev.LastError.Code, ev.LastError.Vi, ev.LastError.En, ev.LastError.Detail
			}
		case engine.Progress:
			j = syncEventJSON{Event: "progress", Key: ev.Key, SHA256: ev.SHA256, Done: ev.Done, Total: ev.Total, Direction: string(ev.Direction)}
		case engine.Sent:
			j = syncEventJSON{Event: "sent", Key: ev.Key, MessageID: ev.MessageID}
		case engine.Failed:
			j = syncEventJSON{Event: "failed", Key: ev.Key, Code: ev.Code, Reason: ev.Reason.Vi, ReasonEN: ev.Reason.En, Detail: ev.Reason.Detail, Permanent: ev.Permanent}
		case engine.Received:
			j = syncEventJSON{Event: "received", Keys: ev.Keys}
		case engine.NeedLogin:
			j = syncEventJSON{Event: "need_login"}
		case engine.Acted:
			j = syncEventJSON{Event: "acted", Key: ev.Key, Action: ev.Action, CaseID: ev.Case.ID, Stage: string(ev.Case.Stage)}
			if ev.Case.Entry != nil {
				j.Number = ev.Case.Entry.Number
			}
		}
		b, _ := json.Marshal(j)
		return c.printLine(string(b), last)
	}
	line := ""
	switch ev := ev.(type) {
	case engine.State:
		state := c.t("list.sync-offline")
		if ev.Online {
			state = c.t("list.sync-online")
		}
		line = c.t("result.sync-state", state, ev.Pending, ev.Failed)
		if ev.LastError != nil {
			line += " — " + c.syncReasonText(*ev.LastError)
		}
	case engine.Progress:
		if ev.Done != ev.Total {
			return last
		}
		key := "result.sync-uploaded"
		if ev.Direction == engine.Down {
			key = "result.sync-downloaded"
		}
		line = c.t(key, ev.SHA256, ev.Total)
	case engine.Sent:
		line = c.t("result.sync-sent", ev.Key, ev.MessageID)
	case engine.Failed:
		again := c.t("list.sync-will-retry")
		if ev.Permanent {
			again = c.t("list.sync-no-retry")
		}
		line = c.t("result.sync-failed", ev.Key, ev.Code, c.syncReasonText(ev.Reason), again)
	case engine.Received:
		line = c.t("result.sync-received", len(ev.Keys), strings.Join(ev.Keys, ", "))
	case engine.NeedLogin:
		line = c.t("err.sync-need-login")
	case engine.Acted:
		number := ""
		if ev.Case.Entry != nil {
			number = c.t("list.work-number", ev.Case.Entry.Number)
		}
		line = c.t("result.work-acted", ev.Action, ev.Case.ID, c.label(ev.Case.Stage.Label()), number)
	}
	return c.printLine(line, last)
}

// printLine prints line unless it is empty or equal to last.
func (c *cli) printLine(line, last string) string {
	if line == "" || line == last {
		return last
	}
	fmt.Fprintln(c.stdout, line)
	return line
}

// syncOutboxJSON is one outbox entry of `sync status --json`.
type syncOutboxJSON struct {
	Key       string    `json:"key"`
	State     string    `json:"state"`
	Code      string    `json:"code,omitempty"`
	Subject   string    `json:"subject"`
	To        []string  `json:"to"`
	Attempts  int       `json:"attempts"`
	MessageID string    `json:"message_id,omitempty"`
	ErrorCode string    `json:"error_code,omitempty"`
	Reason    string    `json:"reason,omitempty"`
	ReasonEN  string    `json:"reason_en,omitempty"`
	Detail    string    `json:"detail,omitempty"`
	Uploaded  int64     `json:"uploaded"`
	Size      int64     `json:"size"`
	QueuedAt  time.Time `json:"queued_at"`
}

type syncStatusJSON struct {
	Server  string           `json:"server"`
	User    string           `json:"user,omitempty"`
	Agency  string           `json:"agency,omitempty"`
	Expires time.Time        `json:"session_expires,omitzero"`
	Cursor  string           `json:"cursor"`
	Counts  store.Counts     `json:"counts"`
	Outbox  []syncOutboxJSON `json:"outbox"`
	Missing int              `json:"missing_files"`
}

// cmdSyncStatus is `vanthuctl sync status [--json]`.
func (c *cli) cmdSyncStatus(args []string) error {
	fs := c.flagSet("sync status", "usage.sync")
	dirFlag := c.syncDirFlag(fs)
	asJSON := fs.Bool("json", false, c.t("flag.json"))
	if err := c.parse(fs, args); err != nil {
		return err
	}
	dir, cfg, err := c.syncSetup(*dirFlag)
	if err != nil {
		return err
	}
	s, err := c.openSyncStore(dir)
	if err != nil {
		return err
	}
	defer s.Close()
	all, err := s.OutboxAll()
	if err != nil {
		return c.inputErr(err, "err.sync-cache", dir, err.Error())
	}
	counts, err := s.Counts()
	if err != nil {
		return c.inputErr(err, "err.sync-cache", dir, err.Error())
	}
	cursor, err := s.Cursor()
	if err != nil {
		return c.inputErr(err, "err.sync-cache", dir, err.Error())
	}
	missing, err := s.MissingBlobs()
	if err != nil {
		return c.inputErr(err, "err.sync-cache", dir, err.Error())
	}
	out := syncStatusJSON{Server: cfg.Server, User: cfg.Session.User.Name, Agency: cfg.Session.User.Agency.OrganID,
		Expires: cfg.Session.ExpiresAt, Cursor: cursor, Counts: counts, Outbox: []syncOutboxJSON{}, Missing: len(missing)}
	for _, e := range all {
		o := syncOutboxJSON{Key: e.ClientMsgID, State: string(e.State), Code: e.Request.Document.Code.String(),
			Subject: e.Request.Document.Subject, To: []string{}, Attempts: e.Attempts, ErrorCode: e.ErrorCode, QueuedAt: e.QueuedAt}
		for _, t := range e.Request.Document.To {
			o.To = append(o.To, t.OrganID)
		}
		if e.Answer != nil {
			o.MessageID = e.Answer.MessageID
		}
		for _, f := range e.Files {
			o.Size += f.Size
			if f.Done {
				o.Uploaded += f.Size
			} else {
				o.Uploaded += f.Offset
			}
		}
		if e.LastError != "" {
			r := engine.Explain(e.ErrorCode, e.LastError)
			if e.ErrorCode == "" {
				r = engine.Explain(engine.CodeOther, e.LastError)
			}
			o.Reason, o.ReasonEN, o.Detail = r.Vi, r.En, r.Detail
		}
		out.Outbox = append(out.Outbox, o)
	}
	if *asJSON {
		c.writeJSON(out)
		return nil
	}
	fmt.Fprintln(c.stdout, c.t("list.sync-server", out.Server, out.User, out.Agency))
	fmt.Fprintln(c.stdout, c.t("list.sync-counts", counts.InboxTotal, counts.InboxUnread, counts.OutboxTotal, counts.OutboxPending, counts.OutboxFailed, len(missing)))
	if cursor == "" {
		cursor = "—"
	}
	fmt.Fprintln(c.stdout, c.t("list.sync-cursor", cursor))
	if len(out.Outbox) == 0 {
		return nil
	}
	tw := tabwriter.NewWriter(c.stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, c.t("list.sync-outbox-columns"))
	for _, o := range out.Outbox {
		state := c.outboxStateText(o.State)
		if o.State == string(store.OutboxUploading) && o.Size > 0 {
			state += fmt.Sprintf(" %d%%", o.Uploaded*100/o.Size)
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%d\t%s\n", o.Key, state, o.Code, strings.Join(o.To, ","), o.Attempts, o.MessageID)
	}
	tw.Flush()
	for _, o := range out.Outbox {
		if o.Reason != "" {
			reason := o.Reason
			if c.lang == en {
				reason = o.ReasonEN
			}
			fmt.Fprintln(c.stdout, c.t("list.sync-reason", o.Key, reason, o.Detail))
		}
	}
	return nil
}

// syncDocJSON is one document of `sync list --json`.
type syncDocJSON struct {
	Key        string    `json:"key"`
	MessageID  string    `json:"message_id,omitempty"`
	Box        string    `json:"box"`
	Code       string    `json:"code"`
	Subject    string    `json:"subject"`
	From       string    `json:"from"`
	FromName   string    `json:"from_name,omitempty"`
	Read       bool      `json:"read"`
	Files      int       `json:"files"`
	ReceivedAt time.Time `json:"received_at,omitzero"`
	AcceptedAt time.Time `json:"accepted_at,omitzero"`
	// Statuses are every status the cache holds (both sides'), in order;
	// Latest is, for a sent document, each recipient's latest status.
	Statuses []string          `json:"statuses,omitempty"`
	Latest   map[string]string `json:"latest,omitempty"`
}

// cmdSyncList is `vanthuctl sync list --box inbox|outbox [--json]`.
func (c *cli) cmdSyncList(args []string) error {
	fs := c.flagSet("sync list", "usage.sync")
	dirFlag := c.syncDirFlag(fs)
	box := fs.String("box", "inbox", c.t("flag.sync-box"))
	asJSON := fs.Bool("json", false, c.t("flag.json"))
	if err := c.parse(fs, args); err != nil {
		return err
	}
	if *box != string(store.BoxInbox) && *box != string(store.BoxOutbox) {
		return c.usageErr("usage.sync-bad-box", *box)
	}
	dir, s, err := c.openSync(*dirFlag)
	if err != nil {
		return err
	}
	defer s.Close()
	var docs []store.Document
	for after := ""; ; {
		page, next, err := s.List(store.ListQuery{Box: store.Box(*box), After: after, Limit: 500})
		if err != nil {
			return c.inputErr(err, "err.sync-cache", dir, err.Error())
		}
		docs = append(docs, page...)
		if next == "" {
			break
		}
		after = next
	}
	out := []syncDocJSON{}
	for _, d := range docs {
		out = append(out, syncDocJSON{Key: d.Key, MessageID: d.MessageID, Box: string(d.Box), Code: d.Doc.Code.String(),
			Subject: d.Doc.Subject, From: d.From.OrganID, FromName: d.From.OrganName, Read: d.Read, Files: len(d.Doc.Attachments),
			ReceivedAt: d.ReceivedAt, AcceptedAt: d.AcceptedAt, Statuses: statusTrail(d.Statuses), Latest: latestStatuses(d.Deliveries)})
	}
	if *asJSON {
		c.writeJSON(out)
		return nil
	}
	fmt.Fprintln(c.stdout, c.t("list.sync-docs", len(out)))
	tw := tabwriter.NewWriter(c.stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, c.t("list.sync-doc-columns"))
	for _, d := range out {
		when := d.ReceivedAt
		if when.IsZero() {
			when = d.AcceptedAt
		}
		ws := "—"
		if !when.IsZero() {
			ws = when.In(edoc.Vietnam).Format("02/01/2006 15:04")
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", d.Key, d.Code, d.From, ws, d.Subject)
	}
	return tw.Flush()
}

// statusTrail writes statuses as "ORGAN:CODE" in order.
func statusTrail(sts []protocol.StatusEvent) []string {
	var out []string
	for _, st := range sts {
		out = append(out, st.OrganID+":"+string(st.Status))
	}
	return out
}

// latestStatuses maps each recipient to its latest status.
func latestStatuses(ds []protocol.Delivery) map[string]string {
	if len(ds) == 0 {
		return nil
	}
	out := map[string]string{}
	for _, d := range ds {
		out[d.OrganID] = string(d.Status)
	}
	return out
}

// cmdSyncGet is `vanthuctl sync get KEY --out DIR`: it writes the
// document's files under their names.
func (c *cli) cmdSyncGet(args []string) error {
	fs := c.flagSet("sync get", "usage.sync")
	dirFlag := c.syncDirFlag(fs)
	outDir := fs.String("out", "", c.t("flag.sync-out"))
	if err := c.parseFlags(fs, args); err != nil {
		return err
	}
	rest := fs.Args()
	// The key may come before the flags too.
	if len(rest) > 1 {
		if err := c.parseFlags(fs, rest[1:]); err != nil {
			return err
		}
		rest = append(rest[:1], fs.Args()...)
	}
	if len(rest) != 1 || *outDir == "" {
		return c.usageErr("usage.sync-get")
	}
	dir, s, err := c.openSync(*dirFlag)
	if err != nil {
		return err
	}
	defer s.Close()
	d, err := s.Get(rest[0])
	if errors.Is(err, store.ErrNotFound) {
		d, err = s.GetByMessageID(rest[0])
	}
	if errors.Is(err, store.ErrNotFound) {
		return c.inputErr(err, "err.sync-no-doc", rest[0])
	}
	if err != nil {
		return c.inputErr(err, "err.sync-cache", dir, err.Error())
	}
	if err := os.MkdirAll(*outDir, 0o755); err != nil {
		return c.inputErr(err, "err.file", *outDir, err.Error())
	}
	// Check every file before writing any: names come from the sender.
	for _, a := range d.Doc.Attachments {
		if fe := edoc.SafeFileName(a.Name); fe != nil {
			return c.inputErr(fe, "err.sync-bad-name", a.Name)
		}
		if _, err := os.Lstat(filepath.Join(*outDir, a.Name)); err == nil {
			return c.usageErr("usage.out-exists", filepath.Join(*outDir, a.Name))
		}
		if !s.HasBlob(a.SHA256) {
			return c.inputErr(store.ErrNotFound, "err.sync-not-downloaded", a.Name)
		}
	}
	for _, a := range d.Doc.Attachments {
		path := filepath.Join(*outDir, a.Name)
		if err := copyBlob(s, a.SHA256, path); err != nil {
			return c.inputErr(err, "err.file", path, err.Error())
		}
		fmt.Fprintln(c.stdout, c.t("result.sync-wrote", path, a.Size))
	}
	return nil
}

// copyBlob writes blob sha to path through a temporary file, so that a
// failure leaves no partial file; a file that appeared at path meanwhile
// is not replaced.
func copyBlob(s *store.Store, sha, path string) error {
	in, err := s.OpenBlob(sha)
	if err != nil {
		return err
	}
	defer in.Close()
	tmp, err := writeTemp(filepath.Dir(path), 0o644, func(w io.Writer) error {
		_, err := io.Copy(w, in)
		return err
	})
	if err != nil {
		return err
	}
	defer os.Remove(tmp)
	return os.Link(tmp, path)
}

// outboxStateText names an outbox state for people.
func (c *cli) outboxStateText(st string) string {
	switch store.OutboxState(st) {
	case store.OutboxQueued:
		return c.t("list.sync-state-queued")
	case store.OutboxUploading:
		return c.t("list.sync-state-uploading")
	case store.OutboxSending:
		return c.t("list.sync-state-sending")
	case store.OutboxSent:
		return c.t("list.sync-state-sent")
	case store.OutboxFailed:
		return c.t("list.sync-state-failed")
	}
	return st
}
