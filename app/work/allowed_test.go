package work

import (
	"slices"
	"testing"

	"github.com/vanthuso/vanthu/sync/protocol"
	"github.com/vanthuso/vanthu/sync/store"
)

func TestAllowed(t *testing.T) {
	in := sampleInput()
	byID := map[string]Item{}
	for i := range in.Cases {
		c := &in.Cases[i]
		byID[c.ID] = Item{Key: c.ID, Case: c, Stage: c.Stage}
	}
	byID["m-new"] = Item{Key: "m-new", Doc: &store.Document{MessageID: "m-new"}, Stage: protocol.StageArrived}
	const (
		reg, ret, pre, asg, prg = protocol.ActionRegister, protocol.ActionReturn, protocol.ActionPresent, protocol.ActionAssign, protocol.ActionProgress
		don, note, apr, rej     = protocol.ActionDone, protocol.ActionNote, protocol.ActionApprove, protocol.ActionReject
		num                     = protocol.ActionNumber
	)
	for _, tc := range []struct {
		user protocol.User
		item string
		want []string
	}{
		{clerk, "m-new", []string{reg, ret}},
		{leader, "m-new", nil},
		{officer, "m-new", nil},
		{clerk, "c-arrived", []string{reg, ret, note}},
		{leader, "c-arrived", []string{note}},
		{officer, "c-arrived", []string{note}},
		{clerk, "c-registered", []string{pre, note}},
		{leader, "c-registered", []string{asg, note}},
		{officer, "c-registered", []string{note}},
		{clerk, "c-presented", []string{pre, note}},
		{leader, "c-presented", []string{asg, note}},
		{officer, "c-presented", []string{note}},
		{clerk, "c-assigned", []string{note}},
		{leader, "c-assigned", []string{asg, prg, note}},
		{officer, "c-assigned", []string{prg, note}},
		{other, "c-assigned", []string{note}},
		{officer, "c-coop", []string{note}}, // processing: done is the lead's
		{leader, "c-coop", []string{don, note}},
		{officer, "c-done", []string{note}},
		{clerk, "c-withdrawn", nil},
		{leader, "d-presented", []string{apr, rej, note}},
		{officer, "d-presented", []string{note}},
		{officer, "d-rejected", []string{pre, note}},
		{clerk, "d-approved", []string{num, note}},
		{leader, "d-approved", []string{note}},
	} {
		if got := Allowed(tc.user, byID[tc.item]); !slices.Equal(got, tc.want) {
			t.Errorf("%s on %s: %v, want %v", tc.user.ID, tc.item, got, tc.want)
		}
	}
	// A leader the draft is not presented to approves nothing.
	l2 := protocol.User{ID: "leader2", Roles: []protocol.Role{protocol.RoleLeader}}
	if got := Allowed(l2, byID["d-presented"]); slices.Contains(got, apr) || slices.Contains(got, rej) {
		t.Errorf("another leader may %v", got)
	}
	// The lead assignee may finish what is in progress.
	c := *byID["c-coop"].Case
	c.Lead = &protocol.Assignee{UserID: "officer"}
	if got := Allowed(officer, Item{Case: &c}); !slices.Equal(got, []string{don, note}) {
		t.Errorf("lead on processing: %v", got)
	}
}
