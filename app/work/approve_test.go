package work

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"fyne.io/fyne/v2/test"

	"github.com/vanthuso/vanthu/edoc"
	"github.com/vanthuso/vanthu/sync/protocol"
	"github.com/vanthuso/vanthu/sync/store"
)

// draftStore is workStore with an outgoing draft presented to the
// leader; its PDF is in the cache unless missing.
func draftStore(t *testing.T, missing bool) (*store.Store, []byte) {
	t.Helper()
	st := workStore(t)
	pdf := []byte("%PDF-1.7 dự thảo báo cáo\n%%EOF\n")
	sha, n, err := st.PutBlob(bytes.NewReader(pdf))
	if err != nil {
		t.Fatal(err)
	}
	if missing {
		sha = strings.Repeat("cd", 32)
	}
	c := protocol.Case{ID: "d-bao-cao", Kind: protocol.CaseOutgoing, Stage: protocol.StagePresented, Updated: now,
		PresentedTo: "leader", Version: 1, Document: edoc.Document{Subject: "Dự thảo báo cáo dự toán",
			Attachments: []edoc.Attachment{{Role: edoc.RoleMain, Name: `..\..\du thao.pdf`, SHA256: sha, Size: n}}}}
	if err := st.PutCases([]protocol.Case{c}); err != nil {
		t.Fatal(err)
	}
	return st, pdf
}

// fakeSigner stands in for the signing dialog: it records the path it
// was given and, when sign is set, writes "<name> (đã ký).pdf" next to
// it with what sign makes of the input.
type fakeSigner struct {
	paths []string
	input []byte
	sign  func([]byte) []byte
}

func (f *fakeSigner) Sign(path string, done func(string)) {
	f.paths = append(f.paths, path)
	f.input, _ = os.ReadFile(path)
	if f.sign == nil {
		return // cancelled
	}
	out := strings.TrimSuffix(path, ".pdf") + " (đã ký).pdf"
	if err := os.WriteFile(out, f.sign(f.input), 0o600); err != nil {
		panic(err)
	}
	done(out)
}

func TestLeaderApprovesBySigning(t *testing.T) {
	st, pdf := draftStore(t, false)
	signed := func(in []byte) []byte { return append(bytes.Clone(in), "% chữ ký của lãnh đạo\n"...) }
	f := &fakeSigner{sign: signed}
	h := newHarness(t, st, leader)
	h.scr.o.Sign = f.Sign
	h.selectItem("d-bao-cao")
	b := h.scr.buttons[protocol.ActionApprove]
	if b == nil || b.Text != "Ký duyệt" {
		t.Fatalf("buttons %v", h.buttons())
	}
	test.Tap(b)
	if len(f.paths) != 1 || !bytes.Equal(f.input, pdf) {
		t.Fatalf("dialog opened on %v with %q", f.paths, f.input)
	}
	// The dialog got a copy with a safe name, outside the cache.
	if filepath.Base(f.paths[0]) != "du thao.pdf" || strings.HasPrefix(f.paths[0], filepath.Dir(st.BlobPath(strings.Repeat("0", 64)))) {
		t.Errorf("draft copied to %s", f.paths[0])
	}
	if _, err := os.Stat(filepath.Dir(f.paths[0])); !os.IsNotExist(err) {
		t.Errorf("the draft's folder is left: %v", err)
	}
	a := h.actions()
	if len(a) != 1 || a[0].Request.Action != protocol.ActionApprove || a[0].Request.CaseID != "d-bao-cao" || len(a[0].Request.Files) != 1 {
		t.Fatalf("queued %+v", a)
	}
	got, err := os.ReadFile(st.BlobPath(a[0].Request.Files[0]))
	if err != nil || !bytes.Equal(got, signed(pdf)) {
		t.Errorf("the approve file is %q (%v), want the signed copy", got, err)
	}
	if h.syncs != 1 {
		t.Errorf("%d syncs asked", h.syncs)
	}
}

// A cancelled dialog queues nothing; a "signed" copy identical to the
// draft is refused; a draft not downloaded yet opens no dialog.
func TestApproveRefusals(t *testing.T) {
	st, _ := draftStore(t, false)
	for _, f := range []*fakeSigner{{}, {sign: func(in []byte) []byte { return in }}} {
		h := newHarness(t, st, leader)
		h.scr.o.Sign = f.Sign
		h.selectItem("d-bao-cao")
		if err := h.scr.startApprove(h.scr.Items()[indexOf(h, "d-bao-cao")]); err != nil {
			t.Fatal(err)
		}
		if len(f.paths) != 1 || len(h.actions()) != 0 {
			t.Errorf("signer %v: queued %+v", f.sign != nil, h.actions())
		}
	}
	err := (&Screen{o: Options{Store: st}}).approveWith(Item{Key: "d-bao-cao"}, mustSHA(t, st, "d-bao-cao"), st.BlobPath(mustSHA(t, st, "d-bao-cao")))
	if err == nil || !strings.Contains(err.Error(), "chưa được ký") {
		t.Errorf("the unchanged draft: %v", err)
	}

	st2, _ := draftStore(t, true)
	f := &fakeSigner{sign: func(in []byte) []byte { return in }}
	h := newHarness(t, st2, leader)
	h.scr.o.Sign = f.Sign
	h.selectItem("d-bao-cao")
	err = h.scr.startApprove(h.scr.Items()[indexOf(h, "d-bao-cao")])
	if err == nil || !strings.Contains(err.Error(), "đồng bộ") || len(f.paths) != 0 {
		t.Errorf("missing draft: %v, dialog opened on %v", err, f.paths)
	}
	// Without a signing dialog there is no Ký duyệt button.
	h = newHarness(t, st, leader)
	h.selectItem("d-bao-cao")
	if h.scr.buttons[protocol.ActionApprove] != nil {
		t.Error("Ký duyệt shown with no way to sign")
	}
}

func indexOf(h *harness, key string) int {
	for i, k := range h.keys() {
		if k == key {
			return i
		}
	}
	h.t.Fatalf("no %s", key)
	return -1
}

func mustSHA(t *testing.T, st *store.Store, id string) string {
	c, err := st.Case(id)
	if err != nil {
		t.Fatal(err)
	}
	return c.Document.Attachments[0].SHA256
}

func TestDraftName(t *testing.T) {
	for in, want := range map[string]string{
		"du-thao.pdf": "du-thao.pdf", `C:\Users\a\Dự thảo.PDF`: "Dự thảo.PDF", "../../etc/passwd": "passwd.pdf",
		"": "du-thao.pdf", "..": "du-thao.pdf", "a:b.pdf": "du-thao.pdf", "bao-cao": "bao-cao.pdf",
	} {
		if got := draftName(edoc.Attachment{Name: in}); got != want {
			t.Errorf("draftName(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestClerkIssues: Phát hành of a numbered draft signs a copy in the
// dialog and queues the signed document (dated today, the signed file as
// its main one) for its recipients and the issue action after that send;
// a second Phát hành queues neither twice; a copy identical to the draft
// is refused.
func TestClerkIssues(t *testing.T) {
	st, pdf := draftStore(t, false)
	c, err := st.Case("d-bao-cao")
	if err != nil {
		t.Fatal(err)
	}
	c.Stage, c.Version = protocol.StageNumbered, c.Version+1
	c.Document.From = ubnd
	c.Document.To = []edoc.Organ{{OrganID: "000.00.01.H41", OrganName: "Sở Tài chính"}}
	c.Document.Code = edoc.Code{CodeNumber: "01", CodeNotation: "UBND-VP"}
	if err := st.PutCases([]protocol.Case{c}); err != nil {
		t.Fatal(err)
	}
	f := &fakeSigner{sign: func(in []byte) []byte {
		return append(bytes.Clone(in), "% dấu và chữ ký số của cơ quan\n"...)
	}}
	h := newHarness(t, st, clerk)
	h.scr.o.Sign = f.Sign
	for round := range 2 {
		h.selectItem("d-bao-cao")
		b := h.scr.buttons[protocol.ActionIssue]
		if b == nil || b.Text != "Phát hành" {
			t.Fatalf("round %d: buttons %v", round, h.buttons())
		}
		test.Tap(b)
	}
	if len(f.paths) != 2 || !bytes.Equal(f.input, pdf) {
		t.Fatalf("dialog opened on %v", f.paths)
	}
	send, action := issueAttempt("d-bao-cao", 0)
	out, err := st.Outbox()
	if err != nil || len(out) != 1 || out[0].ClientMsgID != send {
		t.Fatalf("outbox %+v %v, want one entry %s", out, err, send)
	}
	d := out[0].Request.Document
	if d.Code.CodeNumber != "01" || d.PromulgationDate != edoc.DateOf(now) || len(d.To) != 1 {
		t.Errorf("queued document %+v", d)
	}
	got, _ := os.ReadFile(st.BlobPath(d.Attachments[0].SHA256))
	if !bytes.Equal(got, f.sign(pdf)) || d.Attachments[0].Role != edoc.RoleMain {
		t.Errorf("its main file is %q", got)
	}
	a := h.actions()
	if len(a) != 1 || a[0].ClientActionID != action || a[0].AfterSend != send || a[0].Request.Action != protocol.ActionIssue {
		t.Fatalf("actions %+v", a)
	}
	if err := h.scr.issueWith(Item{Key: "d-bao-cao", Case: &c}, mustSHA(t, st, "d-bao-cao"), st.BlobPath(mustSHA(t, st, "d-bao-cao"))); err == nil {
		t.Error("an unsigned copy was issued")
	}
	// The send refused for good: Phát hành again is a new attempt.
	if err := st.MarkFailed(send, "bad_request", "document: no place"); err != nil {
		t.Fatal(err)
	}
	test.Tap(h.scr.buttons[protocol.ActionIssue])
	send2, _ := issueAttempt("d-bao-cao", 1)
	if e, err := st.OutboxEntry(send2); err != nil || e.State != store.OutboxQueued {
		t.Errorf("after a refused send, Phát hành queued %+v %v", e, err)
	}
}
