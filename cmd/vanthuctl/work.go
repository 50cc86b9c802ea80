package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/vanthuso/vanthu/edoc"
	"github.com/vanthuso/vanthu/edoc/report"
	"github.com/vanthuso/vanthu/sync/protocol"
	"github.com/vanthuso/vanthu/sync/store"
)

// `vanthuctl work` is the agency's work on documents from the command
// line: each action is queued in the sync cache (offline too) and sent
// by `vanthuctl sync run`, which prints the answer (the số the server
// gave); `cases` lists the cases the cache knows; `book`, `staff` and
// `audit` ask the server.

func init() {
	for k, v := range workCatalogue {
		catalogue[k] = v
	}
}

var workCatalogue = map[string]phrase{
	"usage.work": {
		vi: `Cách dùng:
  vanthuctl work register|return|present|assign|progress|done|note|approve|reject|number|issue|copy|withdraw --case MÃ [tùy chọn] [TỆP...]
  vanthuctl work draft --subject … [--to-user MÃ] TỆP.pdf
  vanthuctl work cases [--json]
  vanthuctl work book --kind incoming|outgoing|copy [--year NĂM] [--json]
  vanthuctl work staff [--json]
  vanthuctl work audit [--json]

Mỗi thao tác được xếp vào bộ nhớ đệm (kể cả khi không có mạng) và gửi đi bằng vanthuctl sync run;
số đến, số văn bản và số bản sao do máy chủ cấp khi nhận thao tác ("chờ cấp số" cho đến lúc đó).
Tùy chọn chung: --cache THƯ_MỤC, --id MÃ, --json.
`,
		en: `Usage:
  vanthuctl work register|return|present|assign|progress|done|note|approve|reject|number|issue|copy|withdraw --case ID [options] [FILE...]
  vanthuctl work draft --subject … [--to-user ID] FILE.pdf
  vanthuctl work cases [--json]
  vanthuctl work book --kind incoming|outgoing|copy [--year YEAR] [--json]
  vanthuctl work staff [--json]
  vanthuctl work audit [--json]

Each action is queued in the cache (offline too) and sent by vanthuctl sync run; numbers (số đến,
số văn bản, copy numbers) are given by the server when it takes the action ("waiting for a number" until then).
Common options: --cache DIR, --id ID, --json.
`},
	"usage.work-unknown":   {"Không có thao tác %q. Xem vanthuctl work --help.", "No action %q. See vanthuctl work --help."},
	"usage.work-case":      {"Thao tác %s cần --case MÃ (mã văn bản đến hoặc mã hồ sơ trong vanthuctl work cases).", "Action %s needs --case ID (the message id or a case id from vanthuctl work cases)."},
	"usage.work-due":       {"--due %q không phải ngày (YYYY-MM-DD).", "--due %q is not a date (YYYY-MM-DD)."},
	"usage.work-pages":     {"--pages %q: số trang cách nhau bằng dấu phẩy, ví dụ 2,4.", "--pages %q: page numbers separated by commas, e.g. 2,4."},
	"usage.work-kind":      {"--kind %q: incoming, outgoing hoặc copy.", "--kind %q: incoming, outgoing or copy."},
	"flag.work-case":       {"mã văn bản đến hoặc mã hồ sơ (`MÃ`)", "message or case id (`ID`)"},
	"flag.work-reason":     {"lý do (trả lại)", "reason (return)"},
	"flag.work-text":       {"ghi chú, ý kiến, kết quả", "note, comments, result"},
	"flag.work-to-user":    {"mã người dùng của lãnh đạo được trình (`MÃ`, xem vanthuctl work staff)", "user id of the leader to present to (`ID`, see vanthuctl work staff)"},
	"flag.work-instr":      {"ý kiến chỉ đạo", "instruction (ý kiến chỉ đạo)"},
	"flag.work-lead":       {"mã người chủ trì (`MÃ`)", "user id of the lead (`ID`)"},
	"flag.work-lead-unit":  {"đơn vị chủ trì", "lead unit"},
	"flag.work-coop":       {"mã người phối hợp, cách nhau bằng dấu phẩy", "user ids cooperating, comma-separated"},
	"flag.work-coop-units": {"đơn vị phối hợp, cách nhau bằng dấu phẩy", "cooperating units, comma-separated"},
	"flag.work-due":        {"hạn giải quyết (`YYYY-MM-DD`)", "deadline (`YYYY-MM-DD`)"},
	"flag.work-handler":    {"đơn vị hoặc người nhận (vào sổ)", "unit or person receiving (register)"},
	"flag.work-message":    {"mã văn bản đã gửi (phát hành)", "id of the sent message (issue)"},
	"flag.work-form":       {"hình thức sao: SAO Y, SAO LỤC, TRÍCH SAO", "copy form: SAO Y, SAO LỤC, TRÍCH SAO"},
	"flag.work-pages":      {"các trang trích sao, ví dụ 2,4", "pages of a trích sao, e.g. 2,4"},
	"flag.work-kind":       {"sổ: incoming (đến), outgoing (đi), copy (bản sao)", "register: incoming, outgoing, copy"},
	"flag.work-year":       {"năm của sổ (mặc định năm nay)", "the register's year (default this year)"},
	"result.work-queued":   {"Đã xếp thao tác %s (%s). Gửi đi bằng vanthuctl sync run.", "Queued action %s (%s). Send it with vanthuctl sync run."},
	"result.work-acted":    {"Máy chủ đã nhận thao tác %s: %s — %s%s", "The server took action %s: %s — %s%s"},
	"list.work-number":     {", số %s", ", number %s"},
	"list.work-waiting":    {"chờ cấp số", "waiting for a number"},
	"list.work-columns":    {"MÃ\tLOẠI\tTRẠNG THÁI\tSỐ\tTRÍCH YẾU", "ID\tKIND\tSTAGE\tNUMBER\tSUBJECT"},
	"list.work-book-cols":  {"SỐ\tNGÀY\tSỐ/KÝ HIỆU\tCƠ QUAN\tTRÍCH YẾU", "NUMBER\tDATE\tCODE\tAGENCY\tSUBJECT"},
	"err.work-server":      {"Máy chủ: %s", "Server: %s"},
	"usage.work-status":    {"work status cần --message MÃ và --status 13 (thu hồi, bên gửi) hoặc 16 (từ chối thu hồi, bên nhận) với --reason.", "work status needs --message ID and --status 13 (revoke, the sender) or 16 (refuse a revocation, the recipient) with --reason."},
	"result.work-status":   {"Đã xếp trạng thái %s cho văn bản %s. Gửi đi bằng vanthuctl sync run.", "Queued status %s for message %s. Send it with vanthuctl sync run."},
	"usage.work-get":       {"work get cần --case MÃ và --out TỆP.pdf (tệp chính của hồ sơ).", "work get needs --case ID and --out FILE.pdf (the case's main file)."},
	"err.work-no-case":     {"Không có hồ sơ %q trong bộ nhớ đệm: chạy vanthuctl sync run trước.", "No case %q in the cache: run vanthuctl sync run first."},
	"flag.work-out":        {"tệp ghi ra", "file to write"},
	"flag.work-pdf":        {"in sổ ra tệp PDF (A4 ngang, mẫu Phụ lục IV)", "print the register to a PDF file (A4 landscape, Phụ lục IV form)"},
	"flag.work-xlsx":       {"xuất sổ ra tệp Excel (.xlsx)", "export the register to an Excel file (.xlsx)"},
	"result.work-book":     {"Đã ghi %s: %d dòng.", "Wrote %s: %d lines."},
	"flag.work-month":      {"tháng thống kê (`YYYY-MM`, mặc định tháng này)", "the month (`YYYY-MM`, default this month)"},
	"usage.work-month":     {"--month %q không phải tháng (YYYY-MM).", "--month %q is not a month (YYYY-MM)."},
	"list.work-stats":      {"Tháng %02d/%d: đến %d, đi %d, quá hạn %d", "%02d/%d: received %d, issued %d, overdue %d"},
	"flag.work-status":     {"mã trạng thái: 13 hoặc 16", "status code: 13 or 16"},
}

// cmdWork is `vanthuctl work …`.
func (c *cli) cmdWork(ctx context.Context, args []string) error {
	sub, rest := "", args
	if len(args) > 0 {
		sub, rest = args[0], args[1:]
	}
	switch sub {
	case "cases":
		return c.cmdWorkCases(rest)
	case "status":
		return c.cmdWorkStatus(rest)
	case "get":
		return c.cmdWorkGet(rest)
	case "stats":
		return c.cmdWorkStats(rest)
	case "book", "staff", "audit":
		return c.cmdWorkOnline(ctx, sub, rest)
	case "-h", "--help", "-help", "help", "":
		fmt.Fprint(c.stdout, c.t("usage.work"))
		if sub == "" {
			return c.usageErr("usage.work-unknown", sub)
		}
		return nil
	}
	return c.cmdWorkAction(sub, rest)
}

func splitList(s string) []string {
	var out []string
	for _, p := range strings.Split(s, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

// cmdWorkAction queues one action.
func (c *cli) cmdWorkAction(action string, args []string) error {
	known := false
	for _, a := range protocol.Actions {
		known = known || a == action
	}
	if !known {
		return c.usageErr("usage.work-unknown", action)
	}
	fs := c.flagSet("work "+action, "usage.work")
	dirFlag := c.syncDirFlag(fs)
	req := protocol.ActionRequest{Action: action}
	fs.StringVar(&req.CaseID, "case", "", c.t("flag.work-case"))
	fs.StringVar(&req.Reason, "reason", "", c.t("flag.work-reason"))
	fs.StringVar(&req.Text, "text", "", c.t("flag.work-text"))
	fs.StringVar(&req.To, "to-user", "", c.t("flag.work-to-user"))
	fs.StringVar(&req.Instruction, "instruction", "", c.t("flag.work-instr"))
	lead := fs.String("lead", "", c.t("flag.work-lead"))
	leadUnit := fs.String("lead-unit", "", c.t("flag.work-lead-unit"))
	coop := fs.String("coop", "", c.t("flag.work-coop"))
	coopUnits := fs.String("coop-units", "", c.t("flag.work-coop-units"))
	due := fs.String("due", "", c.t("flag.work-due"))
	fs.StringVar(&req.Handler, "handler", "", c.t("flag.work-handler"))
	fs.StringVar(&req.MessageID, "message", "", c.t("flag.work-message"))
	fs.StringVar(&req.CopyForm, "form", "", c.t("flag.work-form"))
	pages := fs.String("pages", "", c.t("flag.work-pages"))
	subject := fs.String("subject", "", c.t("flag.sync-subject"))
	notation := fs.String("notation", "", c.t("flag.sync-notation"))
	typ := fs.String("type", "", c.t("flag.sync-type"))
	to := fs.String("to", "", c.t("flag.sync-to"))
	signerName := fs.String("signer-name", "", c.t("flag.sync-signer-name"))
	signerPos := fs.String("signer-position", "", c.t("flag.sync-signer-position"))
	id := fs.String("id", "", c.t("flag.sync-id"))
	if err := c.parseFlags(fs, args); err != nil {
		return err
	}
	if req.CaseID == "" && action != protocol.ActionDraft {
		return c.usageErr("usage.work-case", action)
	}
	if err := c.clientID(id); err != nil {
		return err
	}
	if *lead != "" || *leadUnit != "" {
		req.Lead = &protocol.Assignee{UserID: *lead, Unit: *leadUnit}
	}
	for _, u := range splitList(*coop) {
		req.Cooperating = append(req.Cooperating, protocol.Assignee{UserID: u})
	}
	for _, u := range splitList(*coopUnits) {
		req.Cooperating = append(req.Cooperating, protocol.Assignee{Unit: u})
	}
	if *due != "" {
		t, err := time.ParseInLocation("2006-01-02", *due, edoc.Vietnam)
		if err != nil {
			return c.usageErr("usage.work-due", *due)
		}
		d := edoc.DateOf(t)
		req.Due = &d
	}
	for _, p := range splitList(*pages) {
		n, err := strconv.Atoi(p)
		if err != nil || n < 1 {
			return c.usageErr("usage.work-pages", *pages)
		}
		req.Pages = append(req.Pages, n)
	}
	for _, f := range fs.Args() {
		if _, err := os.Stat(f); err != nil {
			return c.inputErr(err, "err.file-missing", f)
		}
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
	var atts []edoc.Attachment
	for i, f := range fs.Args() {
		a, err := storeFile(s, f)
		if err != nil {
			return c.inputErr(err, "err.file", f, err.Error())
		}
		a.Role = edoc.RoleAttachment
		if i == 0 {
			a.Role = edoc.RoleMain
		}
		atts = append(atts, a)
	}
	if action == protocol.ActionDraft {
		d := edoc.Document{From: cfg.Session.User.Agency, Code: edoc.Code{CodeNotation: *notation}, Type: edoc.DocumentType{TypeName: *typ},
			Subject: *subject, Signer: edoc.Signer{FullName: *signerName, Position: *signerPos}, Attachments: atts}
		for _, code := range splitList(*to) {
			d.To = append(d.To, edoc.Organ{OrganID: code})
		}
		req.Document = &d
	} else {
		for _, a := range atts {
			req.Files = append(req.Files, a.SHA256)
		}
	}
	err = s.QueueAction(store.ActionEntry{ClientActionID: *id, Request: req, User: cfg.Session.User.ID})
	if err != nil {
		return c.inputErr(err, "err.sync-cache", dir, err.Error())
	}
	fmt.Fprintln(c.stdout, *id)
	fmt.Fprintln(c.stderr, c.t("result.work-queued", action, *id))
	return nil
}

// clientID fills an empty --id with a fresh client id and checks a
// given one.
func (c *cli) clientID(id *string) error {
	if *id == "" {
		*id = protocol.NewClientID()
	} else if !protocol.ValidClientID(*id) {
		return c.usageErr("usage.sync-bad-id", *id)
	}
	return nil
}

// cmdWorkStatus queues a status of the change track: the issuer's
// revocation request (13) or the recipient's refusal of it (16); the
// other statuses are sent by the actions.
func (c *cli) cmdWorkStatus(args []string) error {
	fs := c.flagSet("work status", "usage.work")
	dirFlag := c.syncDirFlag(fs)
	msg := fs.String("message", "", c.t("flag.work-message"))
	code := fs.String("status", "", c.t("flag.work-status"))
	reason := fs.String("reason", "", c.t("flag.work-reason"))
	id := fs.String("id", "", c.t("flag.sync-id"))
	if err := c.parse(fs, args); err != nil {
		return err
	}
	st, err := edoc.ParseStatus(*code)
	if err != nil || *msg == "" || (st != edoc.StatusRevokeRequest && st != edoc.StatusChangeRefused) || strings.TrimSpace(*reason) == "" && st == edoc.StatusChangeRefused {
		return c.usageErr("usage.work-status")
	}
	if err := c.clientID(id); err != nil {
		return err
	}
	dir, s, err := c.openSync(*dirFlag)
	if err != nil {
		return err
	}
	defer s.Close()
	e := store.StatusEntry{ClientStatusID: *id, MessageID: *msg, Request: protocol.StatusRequest{Status: st, Description: *reason}}
	if err := s.QueueStatus(e); err != nil {
		return c.inputErr(err, "err.sync-cache", dir, err.Error())
	}
	fmt.Fprintln(c.stdout, *id)
	fmt.Fprintln(c.stderr, c.t("result.work-status", st, *msg))
	return nil
}

// cmdWorkStats prints a month's statistics (received, issued, overdue,
// per unit and type) from the cases the cache holds, and writes them to
// PDF or XLSX.
func (c *cli) cmdWorkStats(args []string) error {
	fs := c.flagSet("work stats", "usage.work")
	dirFlag := c.syncDirFlag(fs)
	month := fs.String("month", c.now().In(edoc.Vietnam).Format("2006-01"), c.t("flag.work-month"))
	pdfOut := fs.String("pdf", "", c.t("flag.work-pdf"))
	xlsxOut := fs.String("xlsx", "", c.t("flag.work-xlsx"))
	asJSON := fs.Bool("json", false, c.t("flag.json"))
	if err := c.parse(fs, args); err != nil {
		return err
	}
	m, err := time.ParseInLocation("2006-01", *month, edoc.Vietnam)
	if err != nil {
		return c.usageErr("usage.work-month", *month)
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
	cases, err := s.Cases(func(cs *protocol.Case) bool { return cs.Entry != nil })
	if err != nil {
		return c.inputErr(err, "err.sync-cache", dir, err.Error())
	}
	var entries []edoc.RegisterEntry
	done := map[string]time.Time{}
	for _, cs := range cases {
		entries = append(entries, *cs.Entry)
		for _, st := range cs.History {
			if st.Action == protocol.ActionDone {
				done[cs.Entry.DocumentKey] = st.At
			}
		}
	}
	st := report.Monthly(entries, func(e edoc.RegisterEntry) time.Time { return done[e.DocumentKey] }, m.Year(), m.Month())
	agency := cfg.Session.User.Agency.OrganName
	for _, w := range []struct {
		path  string
		write func(io.Writer, report.Stats, string, time.Time) error
	}{{*pdfOut, report.WriteStatsPDF}, {*xlsxOut, report.WriteStatsXLSX}} {
		if w.path == "" {
			continue
		}
		if err := c.writeOutput(w.path, func(f io.Writer) error { return w.write(f, st, agency, c.now()) }); err != nil {
			return err
		}
	}
	if *asJSON {
		c.writeJSON(st)
		return nil
	}
	fmt.Fprintln(c.stdout, c.t("list.work-stats", int(st.Month), st.Year, st.Received, st.Issued, st.Overdue))
	return nil
}

// cmdWorkGet writes a case's main file (a draft to approve, the approved
// PDF to issue) to --out.
func (c *cli) cmdWorkGet(args []string) error {
	fs := c.flagSet("work get", "usage.work")
	dirFlag := c.syncDirFlag(fs)
	id := fs.String("case", "", c.t("flag.work-case"))
	out := fs.String("out", "", c.t("flag.work-out"))
	if err := c.parse(fs, args); err != nil {
		return err
	}
	if *id == "" || *out == "" {
		return c.usageErr("usage.work-get")
	}
	if _, err := os.Lstat(*out); err == nil {
		return c.usageErr("usage.out-exists", *out)
	}
	dir, s, err := c.openSync(*dirFlag)
	if err != nil {
		return err
	}
	defer s.Close()
	cs, err := s.Case(*id)
	if errors.Is(err, store.ErrNotFound) {
		return c.inputErr(err, "err.work-no-case", *id)
	} else if err != nil {
		return c.inputErr(err, "err.sync-cache", dir, err.Error())
	}
	for _, a := range cs.Document.Attachments {
		if a.Role != edoc.RoleMain {
			continue
		}
		if !s.HasBlob(a.SHA256) {
			return c.inputErr(store.ErrNotFound, "err.sync-not-downloaded", a.Name)
		}
		if err := copyBlob(s, a.SHA256, *out); err != nil {
			return c.inputErr(err, "err.file", *out, err.Error())
		}
		fmt.Fprintln(c.stderr, c.t("result.sync-wrote", *out, a.Size))
		return nil
	}
	return c.inputErr(store.ErrNotFound, "err.work-no-case", *id)
}

// workCaseJSON is one case of `work cases --json`.
type workCaseJSON struct {
	ID        string              `json:"id"`
	Kind      protocol.CaseKind   `json:"kind"`
	Stage     protocol.Stage      `json:"stage"`
	StageName string              `json:"stage_name"`
	MessageID string              `json:"message_id,omitempty"`
	Number    string              `json:"number,omitempty"`
	Code      string              `json:"code,omitempty"`
	Subject   string              `json:"subject"`
	Lead      *protocol.Assignee  `json:"lead,omitempty"`
	Due       *edoc.Date          `json:"due,omitempty"`
	Version   uint64              `json:"version"`
	Pending   []string            `json:"pending,omitempty"` // actions not answered yet
	Waiting   bool                `json:"waiting_for_number,omitempty"`
	Failed    []string            `json:"failed,omitempty"`
	History   []protocol.CaseStep `json:"history,omitempty"`
	Document  edoc.Code           `json:"document_code"`
	Entry     *edoc.RegisterEntry `json:"entry,omitempty"`
	Notes     []protocol.CaseNote `json:"notes,omitempty"`
	Files     []edoc.Attachment   `json:"files,omitempty"`
}

// cmdWorkCases lists the cases in the cache and the actions waiting.
func (c *cli) cmdWorkCases(args []string) error {
	fs := c.flagSet("work cases", "usage.work")
	dirFlag := c.syncDirFlag(fs)
	asJSON := fs.Bool("json", false, c.t("flag.json"))
	if err := c.parse(fs, args); err != nil {
		return err
	}
	dir, s, err := c.openSync(*dirFlag)
	if err != nil {
		return err
	}
	defer s.Close()
	cases, err := s.Cases(nil)
	if err != nil {
		return c.inputErr(err, "err.sync-cache", dir, err.Error())
	}
	acts, err := s.Actions()
	if err != nil {
		return c.inputErr(err, "err.sync-cache", dir, err.Error())
	}
	out := []workCaseJSON{}
	byID := map[string]int{}
	for _, cs := range cases {
		j := workCaseJSON{ID: cs.ID, Kind: cs.Kind, Stage: cs.Stage, StageName: c.label(cs.Stage.Label()), MessageID: cs.MessageID,
			Code: cs.Document.Code.String(), Document: cs.Document.Code, Subject: cs.Document.Subject, Lead: cs.Lead, Due: cs.Due,
			Version: cs.Version, History: cs.History, Entry: cs.Entry, Notes: cs.Notes, Files: cs.Document.Attachments}
		if cs.Entry != nil {
			j.Number = cs.Entry.Number
		}
		byID[cs.ID] = len(out)
		out = append(out, j)
	}
	for _, a := range acts {
		i, ok := byID[a.Request.CaseID]
		if !ok {
			i = len(out)
			byID[a.Request.CaseID] = i
			out = append(out, workCaseJSON{ID: a.Request.CaseID})
		}
		if a.Failed {
			out[i].Failed = append(out[i].Failed, a.Request.Action+": "+a.LastError)
			continue
		}
		out[i].Pending = append(out[i].Pending, a.Request.Action)
		out[i].Waiting = out[i].Waiting || a.PendingNumber()
	}
	if *asJSON {
		c.writeJSON(out)
		return nil
	}
	tw := tabwriter.NewWriter(c.stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, c.t("list.work-columns"))
	for _, j := range out {
		number := j.Number
		if j.Waiting {
			number = c.t("list.work-waiting")
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", j.ID, j.Kind, j.StageName, number, j.Subject)
	}
	return tw.Flush()
}

// writeOutput writes a new file through a temporary one in its folder:
// nothing is left at path if write fails.
func (c *cli) writeOutput(path string, write func(io.Writer) error) error {
	tmp, err := writeTemp(filepath.Dir(path), 0o644, write)
	if err != nil {
		return c.inputErr(err, "err.file", path, err.Error())
	}
	defer os.Remove(tmp)
	if err := os.Link(tmp, path); err != nil {
		return c.inputErr(err, "err.file", path, err.Error())
	}
	return nil
}

// label is the label in the run's language.
func (c *cli) label(l edoc.Label) string {
	if c.lang == en {
		return l.EN
	}
	return l.VI
}

// cmdWorkOnline asks the server: the register book, the staff, the audit
// trail.
func (c *cli) cmdWorkOnline(ctx context.Context, what string, args []string) error {
	fs := c.flagSet("work "+what, "usage.work")
	dirFlag := c.syncDirFlag(fs)
	asJSON := fs.Bool("json", false, c.t("flag.json"))
	kind := fs.String("kind", string(edoc.RegisterIncoming), c.t("flag.work-kind"))
	year := fs.Int("year", c.now().In(edoc.Vietnam).Year(), c.t("flag.work-year"))
	pdfOut := fs.String("pdf", "", c.t("flag.work-pdf"))
	xlsxOut := fs.String("xlsx", "", c.t("flag.work-xlsx"))
	if err := c.parse(fs, args); err != nil {
		return err
	}
	for _, out := range []string{*pdfOut, *xlsxOut} {
		if out == "" {
			continue
		}
		if _, err := os.Lstat(out); err == nil {
			return c.usageErr("usage.out-exists", out)
		}
	}
	if what == "book" && !edoc.RegisterKind(*kind).Valid() {
		return c.usageErr("usage.work-kind", *kind)
	}
	dir, cfg, err := c.syncSetup(*dirFlag)
	if err != nil {
		return err
	}
	cl, err := c.newSyncClient(dir, cfg)
	if err != nil {
		return err
	}
	var out any
	switch what {
	case "staff":
		out, err = cl.Staff(ctx)
	case "audit":
		var all []protocol.AuditEntry
		for after := ""; ; {
			page, perr := cl.Audit(ctx, after)
			if err = perr; err != nil {
				break
			}
			all = append(all, page.Entries...)
			if after = page.Next; after == "" {
				break
			}
		}
		out = all
	case "book":
		var all []edoc.RegisterEntry
		for after := ""; ; {
			page, perr := cl.Register(ctx, edoc.RegisterKind(*kind), *year, after)
			if err = perr; err != nil {
				break
			}
			all = append(all, page.Entries...)
			if after = page.Next; after == "" {
				break
			}
		}
		out = all
	}
	if err != nil {
		var pe *protocol.Error
		if errors.As(err, &pe) {
			return c.inputErr(err, "err.work-server", pe.Message)
		}
		return c.syncErr(err)
	}
	if what == "book" && (*pdfOut != "" || *xlsxOut != "") {
		reg := report.Register{Kind: edoc.RegisterKind(*kind), Superior: cfg.Session.User.Agency.OrganizationInCharge,
			Agency: cfg.Session.User.Agency.OrganName, Year: *year, Entries: out.([]edoc.RegisterEntry), PrintedAt: c.now()}
		for _, w := range []struct {
			path  string
			write func(io.Writer, report.Register) error
		}{{*pdfOut, report.WritePDF}, {*xlsxOut, report.WriteXLSX}} {
			if w.path == "" {
				continue
			}
			if err := c.writeOutput(w.path, func(f io.Writer) error { return w.write(f, reg) }); err != nil {
				return err
			}
			fmt.Fprintln(c.stderr, c.t("result.work-book", w.path, len(reg.Entries)))
		}
	}
	if *asJSON || what != "book" {
		c.writeJSON(out)
		return nil
	}
	tw := tabwriter.NewWriter(c.stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, c.t("list.work-book-cols"))
	for _, e := range out.([]edoc.RegisterEntry) {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", e.Number, e.Registered.In(edoc.Vietnam).Format("02/01/2006"), e.Code.String(), e.Organ.OrganName, e.Subject)
	}
	return tw.Flush()
}
