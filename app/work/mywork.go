package work

import (
	"cmp"
	"slices"
	"strconv"
	"sync"
	"time"

	"github.com/vanthuso/vanthu/edoc"
	"github.com/vanthuso/vanthu/sync/protocol"
	"github.com/vanthuso/vanthu/sync/store"
)

// Why says why an item is in a user's "Việc của tôi".
type Why string

const (
	WhyToRegister Why = "register" // văn thư: arrived, chờ vào sổ
	WhyToPresent  Why = "present"  // văn thư: registered, not yet presented
	WhyToIssue    Why = "issue"    // văn thư: an approved or numbered draft
	WhyToAssign   Why = "assign"   // lãnh đạo: an incoming document presented to them
	WhyToApprove  Why = "approve"  // lãnh đạo: a draft presented to them
	WhyToProcess  Why = "process"  // an assignee (chủ trì, phối hợp) of an open case
	WhyRejected   Why = "rejected" // the user's draft the leader returned
	WhyRevoke     Why = "revoke"   // văn thư: the sender asks for the document back (13)
)

// ActionRefuseRevoke is the clerk's refusal of a revocation (status 16
// to the sender, queued with store.QueueStatus; not a work action).
// Agreeing is protocol.ActionWithdraw (15).
const ActionRefuseRevoke = "refuse-revoke"

// RevokeAsked is the sender's latest request to take d back (status 13)
// when this agency has not answered it (no 15 or 16 at or after it), else
// nil.
func RevokeAsked(d *store.Document) *protocol.StatusEvent {
	var ask *protocol.StatusEvent
	for i := range d.Statuses {
		if e := &d.Statuses[i]; e.Status == edoc.StatusRevokeRequest && (ask == nil || !e.At.Before(ask.At)) {
			ask = e
		}
	}
	if ask == nil {
		return nil
	}
	for _, e := range d.Statuses {
		if (e.Status == edoc.StatusChangeAccepted || e.Status == edoc.StatusChangeRefused) && !e.At.Before(ask.At) {
			return nil
		}
	}
	return ask
}

// DueState is where an item stands against its deadline.
type DueState int

const (
	DueNone    DueState = iota // no deadline, or not due within DueSoonDays
	DueSoon                    // sắp đến hạn: due today or within DueSoonDays
	DueOverdue                 // quá hạn: past due and not done
)

// DueSoonDays is how many Vietnam calendar days ahead a deadline is
// "sắp đến hạn".
const DueSoonDays = 2

// Item is one line of "Việc của tôi": a cached case, or an arrived
// inbox document the server has no case for yet (Case nil, Doc set).
type Item struct {
	// Key is the case id, or the message id of a document with no case
	// (which is the id its incoming case gets).
	Key  string
	Case *protocol.Case
	Doc  *store.Document
	Why  Why
	// Stage is the case's stage; StageArrived for a document with no case.
	Stage    protocol.Stage
	Priority edoc.Priority
	// Due is the case's deadline, else the document's; nil when none.
	Due      *edoc.Date
	DueState DueState
	// Pending are this client's queued actions on the item, failed ones
	// too; PendingNumber whether one waits for a số (chờ cấp số).
	// Revoke is the sender's unanswered request to take the document
	// back (WhyRevoke).
	Revoke        *protocol.StatusEvent
	Pending       []store.ActionEntry
	PendingNumber bool
	// At orders equal items, newest first: the case's last change or
	// the document's arrival (server time).
	At time.Time
}

// Document is the item's document metadata.
func (it Item) Document() edoc.Document {
	if it.Case != nil {
		return it.Case.Document
	}
	if it.Doc != nil {
		return it.Doc.Doc
	}
	return edoc.Document{}
}

// Input is what MyWork reads: the cache's cases, inbox documents and
// queued actions.
type Input struct {
	Cases   []protocol.Case
	Inbox   []store.Document
	Actions []store.ActionEntry
	// Revokes are inbox documents whose latest status is a 13 (their
	// sender asks for them back), whatever their age; Statuses the
	// statuses queued and not sent yet (a 16 queued answers a 13).
	Revokes  []store.Document
	Statuses []store.StatusEntry
}

// MyWork is the "Việc của tôi" list of user at now: for a văn thư the
// arrived documents with no case or a case in StageArrived, the
// registered ones not yet presented and the approved or numbered drafts
// to issue; for a lãnh đạo the cases presented to them (incoming to
// assign, drafts to approve); for anyone the open cases where they are
// the lead or a cooperating assignee, and their drafts the leader
// returned. Withdrawn cases and documents revoked from the inbox are not
// listed. Order: urgent first (Hỏa tốc, Thượng khẩn, Khẩn), then the
// nearest due date (items with none after), then newest.
func MyWork(user protocol.User, in Input, now time.Time) []Item {
	pending := map[string][]store.ActionEntry{}
	for _, a := range in.Actions {
		if a.Request.CaseID != "" {
			pending[a.Request.CaseID] = append(pending[a.Request.CaseID], a)
		}
	}
	clerk, leader := HasRole(user, protocol.RoleClerk), HasRole(user, protocol.RoleLeader)
	revokes := revokesOf(clerk, in)
	var out []Item
	seen := map[string]bool{}
	for i := range in.Cases {
		c := &in.Cases[i]
		seen[c.ID] = true
		why, ok := whyCase(user, clerk, leader, c)
		ask := revokes[c.ID]
		if ask != nil && c.Stage != protocol.StageWithdrawn {
			why, ok = WhyRevoke, true
		}
		if !ok {
			continue
		}
		it := Item{Key: c.ID, Case: c, Why: why, Stage: c.Stage, Priority: c.Document.Priority, Due: c.Due, At: c.Updated}
		if why == WhyRevoke {
			it.Revoke = ask
		}
		if it.Due == nil {
			it.Due = c.Document.DueDate
		}
		out = append(out, it)
	}
	if clerk {
		for _, list := range [][]store.Document{in.Revokes, in.Inbox} {
			for i := range list {
				d := &list[i]
				if d.Box != store.BoxInbox || d.MessageID == "" || seen[d.MessageID] {
					continue
				}
				seen[d.MessageID] = true
				it := Item{Key: d.MessageID, Doc: d, Why: WhyToRegister, Stage: protocol.StageArrived,
					Priority: d.Doc.Priority, Due: d.Doc.DueDate, At: d.ReceivedAt}
				if ask := revokes[d.MessageID]; ask != nil {
					it.Why, it.Revoke = WhyRevoke, ask
				}
				out = append(out, it)
			}
		}
	}
	for i := range out {
		it := &out[i]
		it.DueState = DueStateOf(it.Due, it.Stage, now)
		it.Pending = pending[it.Key]
		for _, a := range it.Pending {
			it.PendingNumber = it.PendingNumber || a.PendingNumber()
		}
	}
	slices.SortStableFunc(out, compareItems)
	return out
}

// revokesOf are the unanswered revocation requests by message id, for a
// clerk: a 16 queued or a withdrawal queued answers one.
func revokesOf(clerk bool, in Input) map[string]*protocol.StatusEvent {
	out := map[string]*protocol.StatusEvent{}
	if !clerk {
		return out
	}
	answered := map[string]bool{}
	for _, e := range in.Statuses {
		if e.Request.Status == edoc.StatusChangeRefused || e.Request.Status == edoc.StatusChangeAccepted {
			answered[e.MessageID] = true
		}
	}
	for _, lists := range [][]store.Document{in.Revokes, in.Inbox} {
		for i := range lists {
			d := &lists[i]
			if ask := RevokeAsked(d); ask != nil && d.MessageID != "" && !answered[d.MessageID] {
				out[d.MessageID] = ask
			}
		}
	}
	return out
}

func whyCase(user protocol.User, clerk, leader bool, c *protocol.Case) (Why, bool) {
	switch {
	case clerk && c.Kind == protocol.CaseIncoming && c.Stage == protocol.StageArrived:
		return WhyToRegister, true
	case clerk && c.Kind == protocol.CaseIncoming && c.Stage == protocol.StageRegistered:
		return WhyToPresent, true
	case clerk && c.Kind == protocol.CaseOutgoing && (c.Stage == protocol.StageApproved || c.Stage == protocol.StageNumbered):
		return WhyToIssue, true
	case leader && c.Stage == protocol.StagePresented && c.PresentedTo == user.ID && c.Kind == protocol.CaseIncoming:
		return WhyToAssign, true
	case leader && c.Stage == protocol.StagePresented && c.PresentedTo == user.ID && c.Kind == protocol.CaseOutgoing:
		return WhyToApprove, true
	case c.Kind == protocol.CaseIncoming && (c.Stage == protocol.StageAssigned || c.Stage == protocol.StageProcessing) && assignee(c, user.ID):
		return WhyToProcess, true
	case c.Kind == protocol.CaseOutgoing && c.Stage == protocol.StageRejected && Drafter(c) == user.ID && user.ID != "":
		return WhyRejected, true
	}
	return "", false
}

// assignee reports whether id is the case's lead or a cooperating one.
func assignee(c *protocol.Case, id string) bool {
	if id == "" {
		return false
	}
	if c.Lead != nil && c.Lead.UserID == id {
		return true
	}
	return slices.ContainsFunc(c.Cooperating, func(a protocol.Assignee) bool { return a.UserID == id })
}

// Drafter is the user who made an outgoing case's draft: the author of
// its first history step ("" when the history is empty).
func Drafter(c *protocol.Case) string {
	for _, s := range c.History {
		if s.Action == protocol.ActionDraft {
			return s.By
		}
	}
	if len(c.History) > 0 {
		return c.History[0].By
	}
	return ""
}

// urgency ranks priorities: Hỏa tốc (hẹn giờ too) first, then Thượng
// khẩn, Khẩn, the rest.
func urgency(p edoc.Priority) int {
	switch p {
	case edoc.PriorityFlash, edoc.PriorityFlashScheduled:
		return 3
	case edoc.PriorityVeryUrgent:
		return 2
	case edoc.PriorityUrgent:
		return 1
	}
	return 0
}

func compareItems(a, b Item) int {
	if c := cmp.Compare(urgency(b.Priority), urgency(a.Priority)); c != 0 {
		return c
	}
	switch {
	case a.Due != nil && b.Due == nil:
		return -1
	case a.Due == nil && b.Due != nil:
		return 1
	case a.Due != nil && b.Due != nil:
		if c := a.Due.Time().Compare(b.Due.Time()); c != 0 {
			return c
		}
	}
	if c := b.At.Compare(a.At); c != 0 {
		return c
	}
	return cmp.Compare(a.Key, b.Key)
}

// DaysLeft is the number of Vietnam calendar days from now's date to
// due (0 due today, negative past due).
func DaysLeft(due edoc.Date, now time.Time) int {
	today := edoc.DateOf(now)
	// Both are midnights in one fixed zone: whole days apart.
	return int(due.Time().Sub(today.Time()).Hours() / 24)
}

// DueStateOf judges a deadline at now: DueOverdue once the due date is
// past (Vietnam calendar days) and the stage still Active, DueSoon when
// it is at most DueSoonDays away, DueNone otherwise and for a nil or
// zero date or a finished stage.
func DueStateOf(due *edoc.Date, stage protocol.Stage, now time.Time) DueState {
	if due == nil || due.IsZero() || !stage.Active() {
		return DueNone
	}
	switch n := DaysLeft(*due, now); {
	case n < 0:
		return DueOverdue
	case n <= DueSoonDays:
		return DueSoon
	}
	return DueNone
}

// Reminder is one notification to show: an item became due soon or
// overdue.
type Reminder struct {
	Key      string
	State    DueState
	Subject  string
	Due      edoc.Date
	DaysLeft int
}

// Reminders yields each (item, due state) once. It keeps the set of
// what it already notified in memory only, for the life of the app: a
// restart notifies again what is still due soon or overdue, once. An
// item that goes from due soon to overdue is notified again (a new
// state); one whose deadline moves back out of reach is forgotten, so
// that it is notified when it comes near again. Safe for concurrent use.
type Reminders struct {
	mu       sync.Mutex
	notified map[string]DueState
}

// Check returns the reminders not yet given for items (MyWork's list
// at now), in the items' order, and remembers them.
func (r *Reminders) Check(items []Item, now time.Time) []Reminder {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.notified == nil {
		r.notified = map[string]DueState{}
	}
	var out []Reminder
	present := map[string]bool{}
	for _, it := range items {
		present[it.Key] = true
		if it.DueState == DueNone {
			delete(r.notified, it.Key)
			continue
		}
		if r.notified[it.Key] == it.DueState {
			continue
		}
		r.notified[it.Key] = it.DueState
		rem := Reminder{Key: it.Key, State: it.DueState, Subject: it.Document().Subject}
		if it.Due != nil {
			rem.Due, rem.DaysLeft = *it.Due, DaysLeft(*it.Due, now)
		}
		out = append(out, rem)
	}
	for k := range r.notified {
		if !present[k] {
			delete(r.notified, k) // done, or no longer the user's
		}
	}
	return out
}

// Duplicates lists the register entries among cases with the same
// (số, ký hiệu, issuing agency) as d, as the server's warning compares
// them (edoc.DuplicateKeyOf), leaving out the case with id self. The
// server answers the same after the sync; this is the warning shown
// before it, from what the cache holds.
func Duplicates(d edoc.Document, self string, cases []protocol.Case) []edoc.RegisterEntry {
	key := edoc.DuplicateKeyOf(d.Code, d.From.OrganID)
	var out []edoc.RegisterEntry
	for _, c := range cases {
		if c.ID == self || c.Entry == nil || c.Entry.Kind != edoc.RegisterIncoming {
			continue
		}
		if c.Entry.Key() == key {
			out = append(out, *c.Entry)
		}
	}
	return out
}

// Register lists the register lines of kind held in cases (their
// Entry) registered in year (Vietnam time), in number order.
func Register(cases []protocol.Case, kind edoc.RegisterKind, year int) []edoc.RegisterEntry {
	var out []edoc.RegisterEntry
	for _, c := range cases {
		if e := c.Entry; e != nil && e.Kind == kind && e.Registered.In(edoc.Vietnam).Year() == year {
			out = append(out, *e)
		}
	}
	slices.SortStableFunc(out, func(a, b edoc.RegisterEntry) int {
		na, ea := strconv.Atoi(a.Number)
		nb, eb := strconv.Atoi(b.Number)
		if ea == nil && eb == nil && na != nb {
			return cmp.Compare(na, nb)
		}
		return cmp.Compare(a.Number, b.Number)
	})
	return out
}

// Years lists the years (Vietnam time) with entries of kind in cases,
// newest first.
func Years(cases []protocol.Case, kind edoc.RegisterKind) []int {
	var out []int
	for _, c := range cases {
		if e := c.Entry; e != nil && e.Kind == kind {
			if y := e.Registered.In(edoc.Vietnam).Year(); !slices.Contains(out, y) {
				out = append(out, y)
			}
		}
	}
	slices.Sort(out)
	slices.Reverse(out)
	return out
}
