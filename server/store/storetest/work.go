package storetest

import (
	"errors"
	"fmt"
	"sync"
	"testing"

	"github.com/vanthuso/vanthu/edoc"
	"github.com/vanthuso/vanthu/server/store"
	"github.com/vanthuso/vanthu/sync/protocol"
)

// workTests are the suite's cases for the agencies' own records.
var workTests = []struct {
	name string
	f    func(t *testing.T, s store.Store)
}{
	{"WorkCases", testWorkCases},
	{"WorkNumbering", testWorkNumbering},
	{"WorkNumbersConcurrent", testWorkNumbersConcurrent},
	{"WorkAbortTakesNoNumber", testWorkAbortTakesNoNumber},
	{"WorkIdempotent", testWorkIdempotent},
	{"WorkStatus", testWorkStatus},
	{"WorkDuplicates", testWorkDuplicates},
	{"Audit", testAudit},
}

// work is a commit that creates or updates case id of agency, with an
// optional register number of kind in year.
func work(agency, id string, kind edoc.RegisterKind, year int, code edoc.Code) store.WorkCommit {
	c := store.WorkCommit{Agency: agency, CaseID: id,
		Idem: store.Idempotency{Agency: agency, Key: "work:" + randomID(), Fingerprint: "w", Status: 201, At: now}}
	if kind != "" {
		c.Number = &store.NumberRequest{Kind: kind, Year: year}
	}
	c.Apply = func(st store.WorkState) (store.WorkResult, error) {
		cs := protocol.Case{ID: id, Agency: agency, Kind: protocol.CaseIncoming, Stage: protocol.StageArrived, Created: now}
		if st.Case != nil {
			cs = *st.Case
		}
		cs.Version++
		cs.Updated = now
		res := store.WorkResult{Answer: []byte(fmt.Sprintf(`{"n":%d}`, st.Number)),
			Events: []store.Event{{Feed: store.AgencyFeed(agency), Kind: protocol.ChangeCase, CaseID: id, At: now}}}
		if kind != "" {
			e := edoc.RegisterEntry{Kind: kind, Number: edoc.FormatNumber(st.Number), Code: code, Organ: edoc.Organ{OrganID: agencyB}, Subject: "Về việc " + id}
			cs.Entry, cs.Stage = &e, protocol.StageRegistered
			res.Entry = &store.RegisterRecord{Agency: agency, Kind: kind, Year: year, Number: st.Number, CaseID: id, Entry: e}
		}
		res.Case = cs
		return res, nil
	}
	return c
}

func commitWork(t *testing.T, s store.Store, c store.WorkCommit) {
	t.Helper()
	_, ok, err := s.CommitWork(ctx, c)
	must(t, err)
	if !ok {
		t.Fatal("fresh work commit replayed")
	}
}

func testWorkCases(t *testing.T, s store.Store) {
	addAgencies(t, s, agencyA, agencyB)
	for _, id := range []string{"c3", "c1", "c2"} {
		commitWork(t, s, work(agencyA, id, "", 0, edoc.Code{}))
	}
	commitWork(t, s, work(agencyA, "c2", "", 0, edoc.Code{}))
	commitWork(t, s, work(agencyB, "c1", "", 0, edoc.Code{}))
	c, err := s.Case(ctx, agencyA, "c2")
	must(t, err)
	if c.Version != 2 || c.Agency != agencyA {
		t.Fatalf("case c2: version %d agency %s, want 2 %s", c.Version, c.Agency, agencyA)
	}
	if _, err := s.Case(ctx, agencyB, "c2"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("another agency's case: %v, want ErrNotFound", err)
	}
	page, err := s.Cases(ctx, agencyA, "", 2)
	must(t, err)
	if len(page) != 2 || page[0].ID != "c1" || page[1].ID != "c2" {
		t.Fatalf("first page %v", caseIDs(page))
	}
	page, err = s.Cases(ctx, agencyA, "c2", 10)
	must(t, err)
	if len(page) != 1 || page[0].ID != "c3" {
		t.Fatalf("second page %v", caseIDs(page))
	}
	if ev, err := s.Changes(ctx, store.AgencyFeed(agencyA), 0, 10); err != nil || len(ev) != 4 || ev[0].CaseID != "c3" || ev[0].Kind != protocol.ChangeCase {
		t.Fatalf("feed: %v %+v", err, ev)
	}
	bad := work(agencyA, "c4", "", 0, edoc.Code{})
	apply := bad.Apply
	bad.Apply = func(st store.WorkState) (store.WorkResult, error) {
		r, err := apply(st)
		r.Case.Agency = agencyB // writing into another agency
		return r, err
	}
	if _, _, err := s.CommitWork(ctx, bad); err == nil {
		t.Fatal("a case of another agency was written")
	}
	if _, err := s.Case(ctx, agencyB, "c4"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("case of another agency: %v", err)
	}
}

func caseIDs(cs []protocol.Case) []string {
	var out []string
	for _, c := range cs {
		out = append(out, c.ID)
	}
	return out
}

func numbers(t *testing.T, s store.Store, agency string, kind edoc.RegisterKind, year int) []int {
	t.Helper()
	var out []int
	after := 0
	for {
		page, err := s.RegisterEntries(ctx, agency, kind, year, after, 7)
		must(t, err)
		for _, r := range page {
			if r.Agency != agency || r.Kind != kind || r.Year != year {
				t.Fatalf("line %+v listed for %s/%s/%d", r, agency, kind, year)
			}
			out = append(out, r.Number)
			after = r.Number
		}
		if len(page) < 7 {
			return out
		}
	}
}

func testWorkNumbering(t *testing.T, s store.Store) {
	addAgencies(t, s, agencyA, agencyB)
	for i := range 12 {
		commitWork(t, s, work(agencyA, fmt.Sprint("in", i), edoc.RegisterIncoming, 2026, edoc.Code{}))
	}
	for i := range 3 {
		commitWork(t, s, work(agencyA, fmt.Sprint("out", i), edoc.RegisterOutgoing, 2026, edoc.Code{}))
		commitWork(t, s, work(agencyA, fmt.Sprint("old", i), edoc.RegisterIncoming, 2025, edoc.Code{}))
		commitWork(t, s, work(agencyB, fmt.Sprint("b", i), edoc.RegisterIncoming, 2026, edoc.Code{}))
	}
	commitWork(t, s, work(agencyA, "next", edoc.RegisterIncoming, 2027, edoc.Code{}))
	want := func(kind edoc.RegisterKind, agency string, year, n int) {
		got := numbers(t, s, agency, kind, year)
		if len(got) != n {
			t.Fatalf("%s %s %d: numbers %v, want 1…%d", agency, kind, year, got, n)
		}
		for i, g := range got {
			if g != i+1 {
				t.Fatalf("%s %s %d: numbers %v, want 1…%d", agency, kind, year, got, n)
			}
		}
	}
	want(edoc.RegisterIncoming, agencyA, 2026, 12)
	want(edoc.RegisterOutgoing, agencyA, 2026, 3)
	want(edoc.RegisterIncoming, agencyA, 2025, 3)
	want(edoc.RegisterIncoming, agencyA, 2027, 1)
	want(edoc.RegisterIncoming, agencyB, 2026, 3)
	want(edoc.RegisterCopy, agencyA, 2026, 0)
	c, err := s.Case(ctx, agencyA, "in11")
	must(t, err)
	if c.Entry == nil || c.Entry.Number != "12" {
		t.Fatalf("case in11 entry %+v, want number 12", c.Entry)
	}
}

func testWorkNumbersConcurrent(t *testing.T, s store.Store) {
	addAgencies(t, s, agencyA)
	const writers, each = 8, 12
	var wg sync.WaitGroup
	errs := make(chan error, writers*each)
	for w := range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range each {
				if _, _, err := s.CommitWork(ctx, work(agencyA, fmt.Sprintf("w%d-%d", w, i), edoc.RegisterIncoming, 2026, edoc.Code{})); err != nil {
					errs <- err
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	got := numbers(t, s, agencyA, edoc.RegisterIncoming, 2026)
	if len(got) != writers*each {
		t.Fatalf("%d numbers for %d commits", len(got), writers*each)
	}
	seen := map[string]int{}
	for i, n := range got {
		if n != i+1 {
			t.Fatalf("numbers %v: gap or repeat at %d", got, i)
		}
	}
	cases, err := s.Cases(ctx, agencyA, "", 1000)
	must(t, err)
	for _, c := range cases {
		if c.Entry == nil {
			t.Fatalf("case %s without entry", c.ID)
		}
		if other, dup := seen[c.Entry.Number]; dup {
			t.Fatalf("number %s given to cases %d and %s", c.Entry.Number, other, c.ID)
		}
		seen[c.Entry.Number] = len(seen)
	}
}

func testWorkAbortTakesNoNumber(t *testing.T, s store.Store) {
	addAgencies(t, s, agencyA)
	commitWork(t, s, work(agencyA, "a", edoc.RegisterOutgoing, 2026, edoc.Code{}))
	refused := work(agencyA, "b", edoc.RegisterOutgoing, 2026, edoc.Code{})
	sentinel := errors.New("not approved")
	refused.Apply = func(store.WorkState) (store.WorkResult, error) { return store.WorkResult{}, sentinel }
	if _, _, err := s.CommitWork(ctx, refused); !errors.Is(err, sentinel) {
		t.Fatalf("aborted commit: %v, want the Apply error", err)
	}
	forgot := work(agencyA, "c", edoc.RegisterOutgoing, 2026, edoc.Code{})
	apply := forgot.Apply
	forgot.Apply = func(st store.WorkState) (store.WorkResult, error) {
		r, err := apply(st)
		r.Entry = nil // a number taken but not written
		return r, err
	}
	if _, _, err := s.CommitWork(ctx, forgot); err == nil {
		t.Fatal("a number was taken and not written")
	}
	if _, err := s.Case(ctx, agencyA, "c"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("the aborted commit wrote its case: %v", err)
	}
	if _, err := s.Idempotency(ctx, agencyA, refused.Idem.Key); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("the aborted commit wrote its idempotency record: %v", err)
	}
	commitWork(t, s, work(agencyA, "d", edoc.RegisterOutgoing, 2026, edoc.Code{}))
	if got := numbers(t, s, agencyA, edoc.RegisterOutgoing, 2026); len(got) != 2 || got[1] != 2 {
		t.Fatalf("numbers after aborted commits %v, want [1 2]", got)
	}
}

func testWorkIdempotent(t *testing.T, s store.Store) {
	addAgencies(t, s, agencyA)
	c := work(agencyA, "a", edoc.RegisterIncoming, 2026, edoc.Code{})
	commitWork(t, s, c)
	prior, ok, err := s.CommitWork(ctx, c)
	must(t, err)
	if ok || string(prior.Answer) != `{"n":1}` || prior.Fingerprint != "w" {
		t.Fatalf("replay: ok %v prior %+v", ok, prior)
	}
	if got := numbers(t, s, agencyA, edoc.RegisterIncoming, 2026); len(got) != 1 {
		t.Fatalf("a replay took a number: %v", got)
	}
	cs, err := s.Case(ctx, agencyA, "a")
	must(t, err)
	if cs.Version != 1 {
		t.Fatalf("a replay rewrote the case: version %d", cs.Version)
	}
	// Concurrent commits under one key: one of them writes.
	k := work(agencyA, "b", edoc.RegisterIncoming, 2026, edoc.Code{})
	var wg sync.WaitGroup
	var mu sync.Mutex
	wrote := 0
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, ok, err := s.CommitWork(ctx, k)
			if err != nil {
				t.Error(err)
			}
			mu.Lock()
			if ok {
				wrote++
			}
			mu.Unlock()
		}()
	}
	wg.Wait()
	if wrote != 1 {
		t.Fatalf("%d of 8 concurrent commits under one key wrote", wrote)
	}
	if got := numbers(t, s, agencyA, edoc.RegisterIncoming, 2026); len(got) != 2 {
		t.Fatalf("numbers %v, want two", got)
	}
}

func testWorkStatus(t *testing.T, s store.Store) {
	addAgencies(t, s, agencyA, agencyB)
	sc := message(agencyA, []string{agencyB}, "")
	commitSend(t, s, sc)
	m := sc.Message
	c := work(agencyB, m.ID, edoc.RegisterIncoming, 2026, m.Document.Code)
	c.MessageID = m.ID
	apply := c.Apply
	c.Apply = func(st store.WorkState) (store.WorkResult, error) {
		if st.Message == nil || st.Message.ID != m.ID || len(st.Message.Statuses) != 0 {
			return store.WorkResult{}, fmt.Errorf("Apply got message %+v", st.Message)
		}
		r, err := apply(st)
		ev := protocol.StatusEvent{MessageID: m.ID, OrganID: agencyB, Status: edoc.StatusAccepted, At: now}
		r.Status = &ev
		r.Events = append(r.Events, store.Event{Feed: store.AgencyFeed(agencyA), Kind: protocol.ChangeStatus, MessageID: m.ID, At: now, Status: &ev})
		return r, err
	}
	commitWork(t, s, c)
	got, err := s.Message(ctx, m.ID)
	must(t, err)
	if len(got.Statuses) != 1 || got.Statuses[0].Status != edoc.StatusAccepted || got.Deliveries[0].Status != edoc.StatusAccepted {
		t.Fatalf("message after the work commit: %+v %+v", got.Statuses, got.Deliveries)
	}
	ev, err := s.Changes(ctx, store.AgencyFeed(agencyA), 1, 10) // after the send's own event
	must(t, err)
	if len(ev) != 1 || ev[0].Kind != protocol.ChangeStatus {
		t.Fatalf("sender's feed %+v", ev)
	}
	missing := work(agencyB, "nothing", "", 0, edoc.Code{})
	missing.MessageID = "nothing"
	if _, _, err := s.CommitWork(ctx, missing); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("work on a missing message: %v, want ErrNotFound", err)
	}
}

func testWorkDuplicates(t *testing.T, s store.Store) {
	addAgencies(t, s, agencyA, agencyB)
	code := edoc.Code{CodeNumber: "05", CodeNotation: "QĐ-UBND"}
	commitWork(t, s, work(agencyA, "first", edoc.RegisterIncoming, 2025, code))
	commitWork(t, s, work(agencyA, "other", edoc.RegisterIncoming, 2026, edoc.Code{CodeNumber: "05", CodeNotation: "QĐ-UBNDX"}))
	commitWork(t, s, work(agencyA, "second", edoc.RegisterIncoming, 2026, edoc.Code{CodeNumber: "5", CodeNotation: "qd-ubnd"}))
	commitWork(t, s, work(agencyB, "theirs", edoc.RegisterIncoming, 2026, code))
	got, err := s.RegisterByKey(ctx, agencyA, edoc.RegisterIncoming, edoc.DuplicateKeyOf(code, agencyB))
	must(t, err)
	var ids []string
	for _, r := range got {
		ids = append(ids, r.CaseID)
	}
	if len(ids) != 2 || ids[0] != "first" || ids[1] != "second" {
		t.Fatalf("duplicates %v, want [first second]", ids)
	}
	c := work(agencyA, "third", edoc.RegisterIncoming, 2026, code)
	c.Duplicates = edoc.DuplicateKeyOf(code, agencyB)
	apply := c.Apply
	var inTx []string
	c.Apply = func(st store.WorkState) (store.WorkResult, error) {
		for _, r := range st.Duplicates {
			inTx = append(inTx, r.CaseID)
		}
		return apply(st)
	}
	commitWork(t, s, c)
	if fmt.Sprint(inTx) != "[first second]" {
		t.Fatalf("duplicates in the transaction %v, want [first second]", inTx)
	}
	if got, _ := s.RegisterByKey(ctx, agencyA, edoc.RegisterOutgoing, edoc.DuplicateKeyOf(code, agencyB)); len(got) != 0 {
		t.Fatalf("duplicates found in another register: %+v", got)
	}
}

func testAudit(t *testing.T, s store.Store) {
	addAgencies(t, s, agencyA, agencyB)
	must(t, s.AppendAudit(ctx, agencyA, protocol.AuditEntry{At: now, UserID: "u1", Action: "read"}, protocol.AuditEntry{At: now, UserID: "u1", Action: "read"}))
	c := work(agencyA, "x", "", 0, edoc.Code{})
	apply := c.Apply
	c.Apply = func(st store.WorkState) (store.WorkResult, error) {
		r, err := apply(st)
		r.Audit = []protocol.AuditEntry{{At: now, UserID: "u2", Action: protocol.ActionRegister, CaseID: "x"}}
		return r, err
	}
	commitWork(t, s, c)
	must(t, s.AppendAudit(ctx, agencyB, protocol.AuditEntry{At: now, UserID: "u9", Action: "read"}))
	all, err := s.Audit(ctx, agencyA, 0, 10)
	must(t, err)
	if len(all) != 3 || all[2].Action != protocol.ActionRegister || all[2].UserID != "u2" {
		t.Fatalf("audit %+v", all)
	}
	for i, l := range all {
		if l.Seq != uint64(i+1) {
			t.Fatalf("audit seqs %+v", all)
		}
	}
	rest, err := s.Audit(ctx, agencyA, 2, 10)
	must(t, err)
	if len(rest) != 1 || rest[0].Seq != 3 {
		t.Fatalf("audit after 2: %+v", rest)
	}
	if b, _ := s.Audit(ctx, agencyB, 0, 10); len(b) != 1 || b[0].UserID != "u9" {
		t.Fatalf("agency B's audit %+v", b)
	}
}
