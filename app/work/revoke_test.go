package work

import (
	"slices"
	"testing"
	"time"

	"github.com/vanthuso/vanthu/app/exchange/exchangetest"
	"github.com/vanthuso/vanthu/edoc"
	"github.com/vanthuso/vanthu/sync/protocol"
	"github.com/vanthuso/vanthu/sync/store"
)

func statusAt(st edoc.Status, organ string, at time.Time, text string) protocol.StatusEvent {
	return protocol.StatusEvent{MessageID: "m-rev", OrganID: organ, Status: st, At: at, Description: text}
}

func TestRevokeAsked(t *testing.T) {
	t0 := now.Add(-time.Hour)
	ask := statusAt(edoc.StatusRevokeRequest, ubnd.OrganID, t0, "Sai sót số liệu")
	for name, c := range map[string]struct {
		events []protocol.StatusEvent
		want   bool
	}{
		"none":                   {nil, false},
		"13":                     {[]protocol.StatusEvent{statusAt(edoc.StatusArrived, "x", t0.Add(-time.Hour), ""), ask}, true},
		"13 then 16":             {[]protocol.StatusEvent{ask, statusAt(edoc.StatusChangeRefused, "x", t0.Add(time.Minute), "")}, false},
		"13 then 15":             {[]protocol.StatusEvent{ask, statusAt(edoc.StatusChangeAccepted, "x", t0, "")}, false},
		"16 for an earlier 13":   {[]protocol.StatusEvent{statusAt(edoc.StatusChangeRefused, "x", t0.Add(-time.Minute), ""), ask}, true},
		"asked again after a 16": {[]protocol.StatusEvent{statusAt(edoc.StatusRevokeRequest, ubnd.OrganID, t0.Add(-2*time.Minute), ""), statusAt(edoc.StatusChangeRefused, "x", t0.Add(-time.Minute), ""), ask}, true},
		"out of order, answered": {[]protocol.StatusEvent{statusAt(edoc.StatusChangeRefused, "x", t0.Add(time.Minute), ""), ask}, false},
	} {
		got := RevokeAsked(&store.Document{Statuses: c.events})
		if (got != nil) != c.want || got != nil && got.Description != "Sai sót số liệu" {
			t.Errorf("%s: %+v", name, got)
		}
	}
}

// revokeStore is workStore with a document its sender asks back: m-rev,
// registered and assigned (a case), and m-rev2, never registered.
func revokeStore(t *testing.T) *store.Store {
	t.Helper()
	st := workStore(t)
	ask := statusAt(edoc.StatusRevokeRequest, ubnd.OrganID, now.Add(-time.Hour), "Sai sót số liệu, sẽ ban hành văn bản thay thế")
	for _, id := range []string{"m-rev", "m-rev2"} {
		a := ask
		a.MessageID = id
		exchangetest.Receive(t, st, protocol.Message{ID: id, From: ubnd, AcceptedAt: now.Add(-48 * time.Hour),
			Document: edoc.Document{From: ubnd, Subject: "Quyết định điều chỉnh dự toán " + id},
			Statuses: []protocol.StatusEvent{statusAt(edoc.StatusArrived, "000.00.01.H41", now.Add(-47*time.Hour), ""), a}})
	}
	c := incoming("m-rev", protocol.StageDone, 0, now.Add(-2*time.Hour))
	if err := st.PutCases([]protocol.Case{c}); err != nil {
		t.Fatal(err)
	}
	return st
}

func TestClerkAnswersRevocation(t *testing.T) {
	st := revokeStore(t)
	h := newHarness(t, st, clerk)
	for _, key := range []string{"m-rev", "m-rev2"} {
		i := slices.Index(h.keys(), key)
		if i < 0 || h.scr.Items()[i].Why != WhyRevoke {
			t.Fatalf("%s not asked back in %v", key, h.keys())
		}
	}
	h.selectItem("m-rev")
	if got := h.buttons(); !slices.Equal(got, sorted(protocol.ActionNote, protocol.ActionWithdraw, ActionRefuseRevoke)) {
		t.Errorf("buttons %v", got)
	}
	if !contains(texts(h.scr.detail), "Sai sót số liệu, sẽ ban hành văn bản thay thế") {
		t.Errorf("the sender's reason is not shown:\n%s", h.detail())
	}
	f := h.press(protocol.ActionWithdraw)
	if err := f.submit(); err != nil {
		t.Fatal(err)
	}
	a := h.actions()
	if len(a) != 1 || a[0].Request.Action != protocol.ActionWithdraw || a[0].Request.CaseID != "m-rev" || a[0].Request.Text != "Đồng ý thu hồi" {
		t.Fatalf("queued %+v", a)
	}

	h.selectItem("m-rev2")
	f = h.press(ActionRefuseRevoke)
	if err := f.submit(); err == nil {
		t.Error("a refusal without a reason")
	}
	f.fields["reason"].(interface{ SetText(string) }).SetText("Văn bản đã được triển khai thực hiện")
	if err := f.submit(); err != nil {
		t.Fatal(err)
	}
	q, err := st.PendingStatuses()
	if err != nil || len(q) != 1 || q[0].MessageID != "m-rev2" || q[0].Request.Status != edoc.StatusChangeRefused || q[0].Request.Description == "" {
		t.Fatalf("statuses queued %+v, %v", q, err)
	}
	// Answered: m-rev2 is an arrived document to register again.
	if i := slices.Index(h.keys(), "m-rev2"); i < 0 || h.scr.Items()[i].Why != WhyToRegister {
		t.Errorf("after the refusal: %v", h.keys())
	}
}

// Nobody but a clerk answers a revocation: the officer and the leader
// are not shown one, and Allowed gives them no button for it.
func TestRevocationIsTheClerks(t *testing.T) {
	st := revokeStore(t)
	for _, u := range []protocol.User{officer, leader} {
		h := newHarness(t, st, u)
		for _, it := range h.scr.Items() {
			if it.Why == WhyRevoke || it.Revoke != nil {
				t.Errorf("%s sees %s asked back", u.ID, it.Key)
			}
		}
		it := Item{Key: "m-rev", Revoke: &protocol.StatusEvent{Status: edoc.StatusRevokeRequest}}
		if a := Allowed(u, it); slices.Contains(a, protocol.ActionWithdraw) || slices.Contains(a, ActionRefuseRevoke) {
			t.Errorf("%s may %v", u.ID, a)
		}
	}
}

func sorted(s ...string) []string { slices.Sort(s); return s }
