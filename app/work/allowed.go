package work

import (
	"github.com/vanthuso/vanthu/sync/protocol"
)

// Allowed lists the actions user's roles allow on the item in its
// stage, as the server's rules do (server/doc.go "# Roles"); the screen
// shows a button for these only. The server decides in the end: a
// button shown from a stale cache may still be refused (engine.Failed).
// A note is allowed on every case the user sees, never on a document
// with no case yet.
func Allowed(user protocol.User, it Item) []string {
	clerk, leader := HasRole(user, protocol.RoleClerk), HasRole(user, protocol.RoleLeader)
	var out []string
	add := func(ok bool, action string) {
		if ok {
			out = append(out, action)
		}
	}
	c := it.Case
	if it.Revoke != nil {
		add(clerk, protocol.ActionWithdraw)
		add(clerk, ActionRefuseRevoke)
		add(c != nil, protocol.ActionNote)
		return out
	}
	if c == nil {
		add(clerk && it.Doc != nil, protocol.ActionRegister)
		add(clerk && it.Doc != nil, protocol.ActionReturn)
		return out
	}
	switch c.Kind {
	case protocol.CaseIncoming:
		lead := c.Lead != nil && c.Lead.UserID == user.ID && user.ID != ""
		switch c.Stage {
		case protocol.StageArrived:
			add(clerk, protocol.ActionRegister)
			add(clerk, protocol.ActionReturn)
		case protocol.StageRegistered:
			add(clerk, protocol.ActionPresent)
			add(leader, protocol.ActionAssign)
		case protocol.StagePresented:
			add(clerk, protocol.ActionPresent)
			add(leader, protocol.ActionAssign)
		case protocol.StageAssigned:
			add(leader, protocol.ActionAssign)
			add(leader || lead || c.Involves(user.ID) && c.PresentedTo != user.ID, protocol.ActionProgress)
		case protocol.StageProcessing:
			add(leader || lead, protocol.ActionDone)
		}
	case protocol.CaseOutgoing:
		switch c.Stage {
		case protocol.StageDraft, protocol.StageRejected:
			add(true, protocol.ActionPresent)
		case protocol.StagePresented:
			mine := leader && c.PresentedTo == user.ID
			add(mine, protocol.ActionApprove)
			add(mine, protocol.ActionReject)
		case protocol.StageApproved:
			add(clerk, protocol.ActionNumber)
		case protocol.StageNumbered:
			add(clerk, protocol.ActionIssue)
		}
	}
	add(c.Stage != protocol.StageWithdrawn, protocol.ActionNote)
	return out
}

// HasRole reports whether u has one of roles.
func HasRole(u protocol.User, roles ...protocol.Role) bool {
	for _, r := range u.Roles {
		for _, want := range roles {
			if r == want {
				return true
			}
		}
	}
	return false
}
