package main

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/vanthuso/vanthu/edoc"
	"github.com/vanthuso/vanthu/server/store"
	"github.com/vanthuso/vanthu/sync/protocol"
)

// preload writes n documents from the sending agency to the receiving
// agencies (in turn) straight into the PostgreSQL store's tables, as
// CommitSend would leave them: the message, its place in the receiver's
// inbox and the sender's outbox, a received event in the receiver's feed
// and a sent one in the sender's, the heads. A million through the API
// would take an hour; generate_series takes minutes. The records are
// the JSON of one message and two events written by Go (store's types),
// with placeholders replaced in SQL, so they read back as the store
// reads its own.
func preload(ctx context.Context, url string, n, nAgencies int) error {
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		return err
	}
	defer conn.Close(ctx)
	at := time.Now().Add(-24 * time.Hour).UTC()
	doc := document(0, strings.Repeat("ab", 32), 4096, "@TO@")
	doc.Code.CodeNumber = "@N@"
	doc.Subject = "V/v văn bản nạp trước để đo tải, số @N@"
	m := store.Message{ID: "@ID@", ClientMsgID: "@ID@", From: senderAgency, SentBy: "gui-00", SentByName: "gui-00",
		Document: doc, Recipients: []string{"@TO@"}, AcceptedAt: at,
		Deliveries: []protocol.Delivery{{OrganID: "@TO@", Status: edoc.StatusArrived, UpdatedAt: at}},
		Statuses:   []protocol.StatusEvent{{MessageID: "@ID@", OrganID: "@TO@", Status: edoc.StatusArrived, At: at, Automatic: true}}}
	event := func(kind string) (string, error) {
		b, err := json.Marshal(store.Event{Feed: "@FEED@", Seq: 424242, Kind: kind, MessageID: "@ID@", At: at})
		return strings.Replace(string(b), "424242", "@SEQ@", 1), err
	}
	mj, err := json.Marshal(m)
	if err != nil {
		return err
	}
	recv, err := event(protocol.ChangeReceived)
	if err != nil {
		return err
	}
	sent, err := event(protocol.ChangeSent)
	if err != nil {
		return err
	}
	var ags []string
	for i := range nAgencies {
		ags = append(ags, agencyCode(i))
	}
	// g is the document's number; its receiver is a[(g-1)%k+1] at
	// position (g-1)/k+1 of that receiver's inbox and feed.
	const id = `'pre' || lpad(g::text, 9, '0')`
	const to = `a[(g - 1) % $3 + 1]`
	const pos = `((g - 1) / $3 + 1)`
	steps := []struct {
		what string
		sql  string
		args []any
	}{
		{"messages", `INSERT INTO messages (id, data) SELECT ` + id + `,
			convert_to(replace(replace(replace($1, '@ID@', ` + id + `), '@TO@', ` + to + `), '@N@', g::text), 'UTF8')
			FROM generate_series(1, $4) g, (SELECT $2::text[] AS a) x`, []any{string(mj), ags, nAgencies, n}},
		{"inboxes", `INSERT INTO boxes (agency, box, pos, message_id) SELECT ` + to + `, 'inbox', ` + pos + `, ` + id + `
			FROM generate_series(1, $2) g, (SELECT $1::text[] AS a) x`, []any{ags, n, nAgencies}},
		{"outbox", `INSERT INTO boxes (agency, box, pos, message_id) SELECT $1, 'outbox', g, ` + id + `
			FROM generate_series(1, $2) g`, []any{senderAgency, n}},
		{"box heads", `INSERT INTO box_heads (agency, box, head) SELECT agency, box, max(pos) FROM boxes GROUP BY agency, box
			ON CONFLICT (agency, box) DO UPDATE SET head = EXCLUDED.head`, nil},
		{"received events", `INSERT INTO events (feed, seq, data) SELECT 'a:' || ` + to + `, ` + pos + `,
			convert_to(replace(replace(replace($1, '@FEED@', 'a:' || ` + to + `), '@SEQ@', ` + pos + `::text), '@ID@', ` + id + `), 'UTF8')
			FROM generate_series(1, $4) g, (SELECT $2::text[] AS a) x`, []any{recv, ags, nAgencies, n}},
		{"sent events", `INSERT INTO events (feed, seq, data) SELECT $2, g,
			convert_to(replace(replace(replace($1, '@FEED@', $2), '@SEQ@', g::text), '@ID@', ` + id + `), 'UTF8')
			FROM generate_series(1, $3) g`, []any{sent, store.AgencyFeed(senderAgency), n}},
		{"feed heads", `INSERT INTO feed_heads (feed, head) SELECT feed, max(seq) FROM events GROUP BY feed
			ON CONFLICT (feed) DO UPDATE SET head = EXCLUDED.head`, nil},
		{"statistics", `ANALYZE`, nil},
	}
	for _, st := range steps {
		start := time.Now()
		if _, err := conn.Exec(ctx, st.sql, st.args...); err != nil {
			return fmt.Errorf("%s: %w", st.what, err)
		}
		fmt.Printf("  preload %s: %v\n", st.what, time.Since(start).Round(time.Millisecond))
	}
	return nil
}
