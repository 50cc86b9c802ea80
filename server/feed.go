package server

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"net/http"
	"strconv"
	"time"

	"github.com/vanthuso/vanthu/server/store"
	"github.com/vanthuso/vanthu/sync/protocol"
)

// Cursor layout, version 2, base64url without padding:
//
//	byte 0        2 (version)
//	bytes 1–16    the store's epoch
//	bytes 17–24   position in the agency's feed (u64, big-endian)
//	bytes 25–32   position in the user's feed
//	bytes 33–40   fingerprint of the agency feed's event at that position
//	bytes 41–48   fingerprint of the user feed's event at that position
//	bytes 49–64   HMAC-SHA256(cursor key, "vanthu-cursor-v2" user id 0x00 bytes 0–48), first 16 bytes
//
// The fingerprints catch a store restored from a backup: its feeds count
// up again from the backup's heads under the same epoch, so a cursor
// taken before the restore soon names a position that exists again, held
// by another event. Without them the client would skip whatever the
// restored store wrote between the backup's head and that position; with
// them the event found there differs and the answer is Reset. (Version 1
// had no fingerprints; its cursors answer Reset once.)
const (
	cursorVersion = 2
	cursorBody    = 1 + 16 + 8 + 8 + 8 + 8
	cursorLen     = cursorBody + 16
)

// position is where a caller stands in its two feeds, with the
// fingerprints of the events there (zero at position 0).
type position struct {
	agency, user         uint64
	agencyMark, userMark [8]byte
}

func cursorMAC(key []byte, user string, body []byte) []byte {
	m := hmac.New(sha256.New, key)
	m.Write([]byte("vanthu-cursor-v2"))
	m.Write([]byte(user))
	m.Write([]byte{0})
	m.Write(body)
	return m.Sum(nil)[:16]
}

// encodeCursor makes the opaque cursor of p for user.
func encodeCursor(meta store.Meta, user string, p position) string {
	b := make([]byte, cursorBody, cursorLen)
	b[0] = cursorVersion
	copy(b[1:17], meta.Epoch)
	binary.BigEndian.PutUint64(b[17:25], p.agency)
	binary.BigEndian.PutUint64(b[25:33], p.user)
	copy(b[33:41], p.agencyMark[:])
	copy(b[41:49], p.userMark[:])
	b = append(b, cursorMAC(meta.CursorKey, user, b)...)
	return base64.RawURLEncoding.EncodeToString(b)
}

// decodeCursor reads a cursor made by encodeCursor for user under meta;
// ok is false for anything else (another version, epoch or user, a
// forged or damaged value): the caller answers Reset.
func decodeCursor(meta store.Meta, user, s string) (p position, ok bool) {
	if len(s) != base64.RawURLEncoding.EncodedLen(cursorLen) {
		return position{}, false
	}
	b, err := base64.RawURLEncoding.Strict().DecodeString(s) // one spelling per cursor
	if err != nil || len(b) != cursorLen || b[0] != cursorVersion {
		return position{}, false
	}
	if !hmac.Equal(b[cursorBody:], cursorMAC(meta.CursorKey, user, b[:cursorBody])) || !hmac.Equal(b[1:17], meta.Epoch) {
		return position{}, false
	}
	p = position{agency: binary.BigEndian.Uint64(b[17:25]), user: binary.BigEndian.Uint64(b[25:33])}
	copy(p.agencyMark[:], b[33:41])
	copy(p.userMark[:], b[41:49])
	return p, true
}

// eventMark is the fingerprint of an event in a cursor.
func eventMark(e store.Event) [8]byte {
	h := sha256.New()
	h.Write([]byte(e.Feed + "\x00" + e.Kind + "\x00" + e.MessageID + "\x00"))
	if e.CaseID != "" {
		h.Write([]byte(e.CaseID + "\x00"))
	}
	binary.Write(h, binary.BigEndian, e.At.UTC().UnixNano())
	if e.Status != nil {
		h.Write([]byte("\x00" + string(e.Status.Status) + "\x00" + e.Status.OrganID))
	}
	var m [8]byte
	copy(m[:], h.Sum(nil))
	return m
}

// markAt is the fingerprint of feed's event at seq (zero for 0); ok is
// false when the feed holds no event there.
func (s *Server) markAt(ctx context.Context, feed string, seq uint64) (m [8]byte, ok bool, err error) {
	if seq == 0 {
		return m, true, nil
	}
	events, err := s.st.Changes(ctx, feed, seq-1, 1)
	if err != nil {
		return m, false, err
	}
	if len(events) == 0 || events[0].Seq != seq {
		return m, false, nil
	}
	return eventMark(events[0]), true, nil
}

// headPosition is the position at the heads of the feeds.
func (s *Server) headPosition(ctx context.Context, feeds []string, heads []uint64) (position, error) {
	p := position{agency: heads[0], user: heads[1]}
	for i, mark := range []*[8]byte{&p.agencyMark, &p.userMark} {
		m, _, err := s.markAt(ctx, feeds[i], heads[i])
		if err != nil {
			return p, err
		}
		*mark = m
	}
	return p, nil
}

// standsIn reports whether p is a place in the feeds as they are: not
// ahead of their heads, and the events it names are the ones there.
func (s *Server) standsIn(ctx context.Context, feeds []string, heads []uint64, p position) (bool, error) {
	if p.agency > heads[0] || p.user > heads[1] {
		return false, nil
	}
	for i, want := range [][8]byte{p.agencyMark, p.userMark} {
		seq := []uint64{p.agency, p.user}[i]
		m, ok, err := s.markAt(ctx, feeds[i], seq)
		if err != nil || !ok || m != want {
			return false, err
		}
	}
	return true, nil
}

// getChanges is GET /v1/changes?cursor=&wait=.
func (s *Server) getChanges(w http.ResponseWriter, r *http.Request, c *caller) error {
	q := r.URL.Query()
	wait := time.Duration(0)
	if v := q.Get("wait"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 {
			return fail(400, protocol.CodeBadRequest, "wait %q: seconds", v)
		}
		wait = min(time.Duration(n)*time.Second, s.c.MaxWait)
	}
	ctx := r.Context()
	feeds := []string{store.AgencyFeed(c.agency.Code), store.UserFeed(c.user.ID)}
	heads := make([]uint64, 2)
	for i, f := range feeds {
		h, err := s.st.FeedHead(ctx, f)
		if err != nil {
			return err
		}
		heads[i] = h
	}
	var p position
	if cur := q.Get("cursor"); cur != "" {
		var ok bool
		p, ok = decodeCursor(s.meta, c.user.ID, cur)
		if ok {
			var err error
			if ok, err = s.standsIn(ctx, feeds, heads, p); err != nil {
				return err
			}
		}
		if !ok {
			// Unknown, foreign, forged, ahead of this store or naming
			// another event than the one there (a restored backup):
			// start again from now.
			head, err := s.headPosition(ctx, feeds, heads)
			if err != nil {
				return err
			}
			return writeJSON(w, 200, protocol.Changes{Changes: []protocol.Change{}, Reset: true,
				Cursor: encodeCursor(s.meta, c.user.ID, head)})
		}
	}
	http.NewResponseController(w).SetWriteDeadline(time.Now().Add(wait + time.Minute))
	deadline := time.Now().Add(jitter(wait))
	for {
		ans, err := s.changesAfter(ctx, c, feeds, p)
		if err != nil {
			return err
		}
		left := time.Until(deadline)
		if len(ans.Changes) > 0 || left <= 0 {
			now := s.c.Now()
			for _, ch := range ans.Changes {
				s.metrics.lag(now.Sub(ch.At))
			}
			return writeJSON(w, 200, ans)
		}
		wctx, cancel := context.WithTimeout(ctx, left)
		s.metrics.waiting.Add(1)
		err = s.st.WaitChange(wctx, feeds, []uint64{p.agency, p.user})
		s.metrics.waiting.Add(-1)
		cancel()
		if err != nil && !errors.Is(err, context.DeadlineExceeded) {
			if ctx.Err() != nil { // client gone or server shutting down
				return writeJSON(w, 200, ans)
			}
			return err
		}
	}
}

// changesAfter reads up to FeedLimit changes after p.
func (s *Server) changesAfter(ctx context.Context, c *caller, feeds []string, p position) (protocol.Changes, error) {
	ans := protocol.Changes{Changes: []protocol.Change{}}
	limit := s.c.FeedLimit
	msgs := map[string]*protocol.Message{}
	cases := map[string]*protocol.Case{} // a case changed often in one page is read once
	pos := []*uint64{&p.agency, &p.user}
	marks := []*[8]byte{&p.agencyMark, &p.userMark}
	for i, f := range feeds {
		room := limit - len(ans.Changes)
		events, err := s.st.Changes(ctx, f, *pos[i], room+1)
		if err != nil {
			return ans, err
		}
		if len(events) > room {
			ans.More, events = true, events[:room]
		}
		for _, e := range events {
			ch := protocol.Change{Kind: e.Kind, MessageID: e.MessageID, At: e.At, Status: e.Status}
			if e.Kind == protocol.ChangeSent || e.Kind == protocol.ChangeReceived {
				m, ok := msgs[e.MessageID]
				if !ok {
					sm, err := s.st.Message(ctx, e.MessageID)
					if err != nil {
						return ans, err
					}
					v := view(sm, c.agency.Code)
					m = &v
					msgs[e.MessageID] = m
				}
				ch.Message = m
			}
			if e.Kind == protocol.ChangeCase {
				cs, ok := cases[e.CaseID]
				if !ok {
					got, err := s.st.Case(ctx, c.agency.Code, e.CaseID)
					if err != nil {
						return ans, err
					}
					cs = &got
					cases[e.CaseID] = cs
				}
				ch.Case = cs
			}
			ans.Changes = append(ans.Changes, ch)
			*pos[i], *marks[i] = e.Seq, eventMark(e)
		}
	}
	ans.Cursor = encodeCursor(s.meta, c.user.ID, p)
	return ans, nil
}
