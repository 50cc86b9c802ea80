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

// Cursor layout, version 1, base64url without padding:
//
//	byte 0        1 (version)
//	bytes 1–16    the store's epoch
//	bytes 17–24   position in the agency's feed (u64, big-endian)
//	bytes 25–32   position in the user's feed
//	bytes 33–48   HMAC-SHA256(cursor key, "vanthu-cursor-v1" user id 0x00 bytes 0–32), first 16 bytes
const (
	cursorVersion = 1
	cursorBody    = 1 + 16 + 8 + 8
	cursorLen     = cursorBody + 16
)

// position is where a caller stands in its two feeds.
type position struct {
	agency, user uint64
}

func cursorMAC(key []byte, user string, body []byte) []byte {
	m := hmac.New(sha256.New, key)
	m.Write([]byte("vanthu-cursor-v1"))
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
	return position{binary.BigEndian.Uint64(b[17:25]), binary.BigEndian.Uint64(b[25:33])}, true
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
		if !ok || p.agency > heads[0] || p.user > heads[1] {
			// Unknown, foreign, forged, or ahead of this store (a restored
			// backup): start again from now.
			return writeJSON(w, 200, protocol.Changes{Changes: []protocol.Change{}, Reset: true,
				Cursor: encodeCursor(s.meta, c.user.ID, position{heads[0], heads[1]})})
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
			return writeJSON(w, 200, ans)
		}
		wctx, cancel := context.WithTimeout(ctx, left)
		err = s.st.WaitChange(wctx, feeds, []uint64{p.agency, p.user})
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
	pos := []*uint64{&p.agency, &p.user}
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
			ans.Changes = append(ans.Changes, ch)
			*pos[i] = e.Seq
		}
	}
	ans.Cursor = encodeCursor(s.meta, c.user.ID, p)
	return ans, nil
}
