package engine_test

import (
	"bytes"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/vanthuso/vanthu/edoc"
	"github.com/vanthuso/vanthu/server/servertest"
	"github.com/vanthuso/vanthu/sync/engine"
	"github.com/vanthuso/vanthu/sync/protocol"
	"github.com/vanthuso/vanthu/sync/store"
)

// The tests of this file run the engine against the reference server
// (server.New over a real bolt store, on a loopback TLS listener, see
// site_test.go): each agency's clerk signs in with the agency's SoftHSM2
// token through sync/client, and syncs a real cache. No stand-in.

// received checks that b's inbox holds exactly the messages ids, each
// once; it returns them by message id.
func received(t *testing.T, b *agency, ids ...string) map[string]store.Document {
	t.Helper()
	inbox := b.box(t, store.BoxInbox)
	byID := map[string]store.Document{}
	for _, d := range inbox {
		if _, dup := byID[d.MessageID]; dup {
			t.Errorf("%s: message %s twice in the inbox", b.code, d.MessageID)
		}
		byID[d.MessageID] = d
	}
	var got []string
	for id := range byID {
		got = append(got, id)
	}
	slices.Sort(got)
	want := slices.Clone(ids)
	slices.Sort(want)
	if len(inbox) != len(ids) || !slices.Equal(got, want) {
		t.Fatalf("%s: inbox holds %d documents %q, want %q", b.code, len(inbox), got, want)
	}
	return byID
}

// sentAs reads the message id the server gave a's outbox entry key.
func sentAs(t *testing.T, a *agency, key string) string {
	t.Helper()
	ent, err := a.cache.OutboxEntry(key)
	if err != nil {
		t.Fatal(err)
	}
	if ent.State != store.OutboxSent || ent.Answer == nil || ent.Answer.MessageID == "" {
		t.Fatalf("%s: outbox entry %s is %s (%s %s), want sent", a.code, key, ent.State, ent.ErrorCode, ent.LastError)
	}
	return ent.Answer.MessageID
}

// sameFile checks that b's cache has the main file of d, with want's
// bytes, and the server's verification of it.
func sameFile(t *testing.T, b *agency, d store.Document, want []byte) {
	t.Helper()
	if len(d.Doc.Attachments) != 1 {
		t.Fatalf("%s: document %s has %d attachments", b.code, d.Key, len(d.Doc.Attachments))
	}
	sha := d.Doc.Attachments[0].SHA256
	if sha != servertest.SHA256(want) {
		t.Fatalf("%s: document %s names file %s, want %s", b.code, d.Key, sha, servertest.SHA256(want))
	}
	if got := b.blob(t, sha); !bytes.Equal(got, want) {
		t.Fatalf("%s: the file of %s differs from the one sent (%d bytes, want %d)", b.code, d.Key, len(got), len(want))
	}
	if v, ok := d.Verification[sha]; !ok || v.Verdict == "" || len(v.Report) == 0 {
		t.Errorf("%s: no verification report of the server for %s: %+v", b.code, sha, d.Verification)
	}
}

// A document queued while the server is down (its listener closed) is
// delivered once the server is up and the app says the network is back,
// and arrives once, with the bytes sent, in the recipient's cache.
func TestIntegrationQueuedWhileServerDown(t *testing.T) {
	s := startSite(t, siteOptions{})
	a, b := s.province(t, direct), s.finance(t, direct)
	s.down()

	key, file := a.send(t, b.code)
	events, stop := a.e.Subscribe()
	defer stop()
	a.run(t)
	st := await(t, events, "an offline state", func(ev engine.Event) bool {
		st, ok := ev.(engine.State)
		return ok && st.LastError != nil
	}).(engine.State)
	if st.Online || st.LastError.Code != engine.CodeOffline || st.Pending != 1 || st.NextTry.IsZero() {
		t.Fatalf("state while the server is down: %+v, %+v", st, *st.LastError)
	}
	if ent, err := a.cache.OutboxEntry(key); err != nil || ent.State == store.OutboxSent || ent.State == store.OutboxFailed {
		t.Fatalf("outbox entry while the server is down: %+v %v", ent, err)
	}

	s.up()
	a.online <- true
	sent := await(t, events, "the send", func(ev engine.Event) bool { _, ok := ev.(engine.Sent); return ok }).(engine.Sent)
	if sent.Key != key || sent.MessageID == "" {
		t.Fatalf("sent %+v, want key %s", sent, key)
	}
	if n := s.hits.count("PUT", "/v1/messages/"+key); n != 1 {
		t.Errorf("the server was asked to send %s %d times, want 1", key, n)
	}

	evs := b.runOnce(t)
	byID := received(t, b, sent.MessageID)
	sameFile(t, b, byID[sent.MessageID], file)
	announced := 0
	for _, ev := range evs {
		if r, ok := ev.(engine.Received); ok {
			announced += len(r.Keys)
		}
	}
	if announced != 1 {
		t.Errorf("%d documents announced to the recipient, want 1: %+v", announced, evs)
	}
	// Again: nothing more comes, nothing is doubled.
	b.runOnce(t)
	received(t, b, sent.MessageID)
	if c, err := a.cache.Counts(); err != nil || c.OutboxTotal != 1 || c.OutboxPending != 0 {
		t.Errorf("sender's counts %+v %v, want one document sent", c, err)
	}
}

// A permanent refusal of the server is told as Failed with its code and
// reason, recorded in the cache, and never sent again (the server is
// asked once, whatever the rounds after); the outbox goes on with the
// next document.
func TestIntegrationPermanentFailureNotRetried(t *testing.T) {
	for _, tc := range []struct {
		name string
		code string
		doc  func(from, to string) edoc.Document
	}{
		{"unknown recipient", protocol.CodeUnknownRecipient, func(from, to string) edoc.Document {
			return servertest.Document(from, []string{to, "000.00.99.H41"})
		}},
		// An attacker's client sends in another agency's name.
		{"forged sender", protocol.CodeForbidden, func(from, to string) edoc.Document {
			return servertest.Document(to, []string{edoc.DemoHome})
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := startSite(t, siteOptions{})
			a, b := s.province(t, direct), s.finance(t, direct)
			bad := a.queue(t, tc.doc(a.code, b.code), samplePDF(t, 0))

			evs := a.runOnce(t)
			var failed []engine.Failed
			for _, ev := range evs {
				if f, ok := ev.(engine.Failed); ok {
					failed = append(failed, f)
				}
			}
			if len(failed) != 1 {
				t.Fatalf("%d failures told, want 1: %+v", len(failed), evs)
			}
			f := failed[0]
			want := engine.Explain(tc.code, "")
			if f.Key != bad || !f.Permanent || f.Code != tc.code || f.Reason.Code != tc.code ||
				f.Reason.Vi != want.Vi || f.Reason.En != want.En || !strings.Contains(f.Reason.Detail, tc.code) {
				t.Errorf("failure told %+v, want a permanent %s of %s", f, tc.code, bad)
			}
			ent, err := a.cache.OutboxEntry(bad)
			if err != nil || ent.State != store.OutboxFailed || ent.ErrorCode != tc.code || ent.LastError == "" {
				t.Fatalf("outbox entry %+v %v, want failed with %s", ent, err, tc.code)
			}
			if st := a.e.State(); st.Failed != 1 || st.Pending != 0 {
				t.Errorf("state %+v, want 1 failed, 0 pending", st)
			}

			// More rounds, and a good document after it: the refused one
			// is not asked again.
			a.runOnce(t)
			good, file := a.send(t, b.code)
			a.runOnce(t)
			if n := s.hits.count("PUT", "/v1/messages/"+bad); n != 1 {
				t.Errorf("the server was asked to send the refused %s %d times, want 1", bad, n)
			}
			if ent, err := a.cache.OutboxEntry(bad); err != nil || ent.State != store.OutboxFailed {
				t.Errorf("refused entry after more rounds: %+v %v", ent, err)
			}
			id := sentAs(t, a, good)
			b.runOnce(t)
			sameFile(t, b, received(t, b, id)[id], file)
		})
	}
}

// An expired session stops the loop with NeedLogin; nothing queued is
// lost; after a new sign-in given with SetSession the outbox goes on,
// and each document reaches the recipient once.
func TestIntegrationSessionExpiry(t *testing.T) {
	s := startSite(t, siteOptions{sessionTTL: time.Minute})
	a, b := s.province(t, direct), s.finance(t, direct)
	first, _ := a.send(t, b.code)
	a.runOnce(t)
	firstID := sentAs(t, a, first)

	s.clock.advance(2 * time.Minute) // both sessions expire
	second, file := a.send(t, b.code)
	events, stop := a.e.Subscribe()
	defer stop()
	a.run(t)
	await(t, events, "NeedLogin", func(ev engine.Event) bool { _, ok := ev.(engine.NeedLogin); return ok })
	st := a.e.State()
	// The first request to find the session expired is the HEAD of the
	// file, whose answer has no body: the code comes in the Vanthu-Error
	// header, so the user reads "session expired", not "not signed in".
	if !st.NeedLogin || st.LastError == nil || st.Pending != 1 || st.LastError.Code != protocol.CodeSessionExpired {
		t.Fatalf("state after the session expired: %+v (%+v)", st, st.LastError)
	}
	pending, err := a.cache.Outbox()
	if err != nil || len(pending) != 1 || pending[0].ClientMsgID != second {
		t.Fatalf("outbox while signed out: %+v %v", pending, err)
	}
	if n := s.hits.count("PUT", "/v1/messages/"+second); n != 0 {
		t.Errorf("the send was tried %d times without a session", n)
	}

	// The sign-in dialog signs in on a client of its own and hands the
	// session over.
	sess := s.login(t, s.newClient(t, direct), a.id)
	a.e.SetSession(sess)
	sent := await(t, events, "the send after sign-in", func(ev engine.Event) bool { _, ok := ev.(engine.Sent); return ok }).(engine.Sent)
	if sent.Key != second {
		t.Fatalf("sent %+v, want %s", sent, second)
	}
	s.login(t, b.cl, b.id)
	b.runOnce(t)
	byID := received(t, b, firstID, sent.MessageID)
	sameFile(t, b, byID[sent.MessageID], file)
	for _, key := range []string{first, second} {
		if n := s.hits.count("PUT", "/v1/messages/"+key); n != 1 {
			t.Errorf("the server was asked to send %s %d times, want 1", key, n)
		}
	}
}

// cursorOf is a's stored cursor.
func cursorOf(t *testing.T, a *agency) string {
	t.Helper()
	cur, err := a.cache.Cursor()
	if err != nil {
		t.Fatal(err)
	}
	return cur
}

// resyncs runs b's engine once and checks that it listed its boxes and
// left old, a cursor the server does not know, for another.
func resyncs(t *testing.T, s *site, b *agency, old string) {
	t.Helper()
	listings := s.hits.count("GET", "/v1/messages")
	b.runOnce(t)
	if s.hits.count("GET", "/v1/messages") == listings {
		t.Errorf("%s did not list its boxes after the reset", b.code)
	}
	if cur := cursorOf(t, b); cur == old {
		t.Errorf("%s's cursor after the resync is still %q, which the server does not know", b.code, cur)
	}
}

// A cursor the server does not know makes the client resync by listing
// both boxes, without duplicating anything, and go on from the new
// cursor. An attacker's cursor (another agency's) shows it nothing of
// that agency; a server restored from an earlier backup takes nothing of
// the cache away.
func TestIntegrationResetCursor(t *testing.T) {
	for _, tc := range []struct {
		name string
		// spoil makes b's cursor one the server does not know.
		spoil func(t *testing.T, a, b *agency)
	}{
		{"damaged cursor", func(t *testing.T, a, b *agency) {
			if _, err := b.cache.Apply(nil, "AAAA-not-a-cursor"); err != nil {
				t.Fatal(err)
			}
		}},
		{"another agency's cursor", func(t *testing.T, a, b *agency) {
			cur := cursorOf(t, a)
			if cur == "" {
				t.Fatalf("%s has no cursor", a.code)
			}
			if _, err := b.cache.Apply(nil, cur); err != nil {
				t.Fatal(err)
			}
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := startSite(t, siteOptions{})
			a, b, c := s.province(t, direct), s.finance(t, direct), s.home(t, direct)
			k1, _ := a.send(t, b.code)
			k2, _ := a.send(t, b.code, c.code)
			kc, _ := a.send(t, c.code) // b must never see it
			a.runOnce(t)
			kb, _ := b.send(t, a.code) // b's own outbox
			b.runOnce(t)
			ids := []string{sentAs(t, a, k1), sentAs(t, a, k2)}
			received(t, b, ids...)
			cID := sentAs(t, a, kc)

			tc.spoil(t, a, b)
			spoilt := cursorOf(t, b)
			k3, file3 := a.send(t, b.code)
			a.runOnce(t)
			id3 := sentAs(t, a, k3)
			resyncs(t, s, b, spoilt)
			byID := received(t, b, append(slices.Clone(ids), id3)...)
			if _, ok := byID[cID]; ok {
				t.Errorf("b holds %s, a message for another agency", cID)
			}
			sameFile(t, b, byID[id3], file3)
			outbox := b.box(t, store.BoxOutbox)
			if len(outbox) != 1 || outbox[0].Key != kb || outbox[0].MessageID != sentAs(t, b, kb) {
				t.Errorf("b's outbox after the resync: %+v, want its one document %s", outbox, kb)
			}
			if missing, err := b.cache.MissingBlobs(); err != nil || len(missing) > 0 {
				t.Errorf("files b lacks after the resync: %q %v", missing, err)
			}

			// The next round is a plain one: nothing listed, nothing new.
			listings := s.hits.count("GET", "/v1/messages")
			b.runOnce(t)
			if n := s.hits.count("GET", "/v1/messages"); n != listings {
				t.Errorf("b listed its boxes again (%d times) with a good cursor", n-listings)
			}
			received(t, b, append(slices.Clone(ids), id3)...)
		})
	}
}

// A server restored from a backup taken earlier does not know the
// cursors given since: the client lists its boxes, keeps what the
// listing lacks (local data goes only on an explicit event), and
// receives what is sent after the restore.
func TestIntegrationRestoredBackup(t *testing.T) {
	s := startSite(t, siteOptions{})
	a, b := s.province(t, direct), s.finance(t, direct)
	k1, _ := a.send(t, b.code)
	a.runOnce(t)
	b.runOnce(t)
	backup := s.backup()
	k2, _ := a.send(t, b.code)
	a.runOnce(t)
	b.runOnce(t)
	id1, lost := sentAs(t, a, k1), sentAs(t, a, k2)
	received(t, b, id1, lost)
	spoilt := cursorOf(t, b)
	s.restore(backup)
	resyncs(t, s, b, spoilt)
	received(t, b, id1, lost)
	a.runOnce(t)
	k3, file3 := a.send(t, b.code)
	a.runOnce(t)
	id3 := sentAs(t, a, k3)
	b.runOnce(t)
	sameFile(t, b, received(t, b, id1, lost, id3)[id3], file3)
}

// A restored backup, and the sender sends again before the recipient
// polls: the restored feed counts up from the backup's head again, so
// the recipient's old cursor names a position that exists once more,
// held by another event. The server must tell (Reset) rather than let
// the recipient skip what sits between: the third document arrives.
func TestIntegrationRestoredBackupSenderFirst(t *testing.T) {
	s := startSite(t, siteOptions{})
	a, b := s.province(t, direct), s.finance(t, direct)
	k1, _ := a.send(t, b.code)
	a.runOnce(t)
	b.runOnce(t)
	backup := s.backup()
	k2, _ := a.send(t, b.code)
	a.runOnce(t)
	b.runOnce(t)
	id1, lost := sentAs(t, a, k1), sentAs(t, a, k2)
	received(t, b, id1, lost)
	s.restore(backup)
	a.runOnce(t)
	k3, file3 := a.send(t, b.code)
	a.runOnce(t)
	id3 := sentAs(t, a, k3)
	b.runOnce(t)
	b.runOnce(t)
	sameFile(t, b, received(t, b, id1, lost, id3)[id3], file3)
}

// HTTPS_PROXY from the environment carries all the traffic to the real
// server: the clients address it by a name (example.com, which its
// certificate holds) that only the proxy maps to the loopback listener,
// so nothing arrives but through the proxy.
func TestIntegrationProxyFromEnvironment(t *testing.T) {
	s := startSite(t, siteOptions{name: "example.com"})
	proxy := startConnectProxy(t, s.addr)
	for _, k := range []string{"HTTPS_PROXY", "https_proxy", "HTTP_PROXY", "http_proxy"} {
		t.Setenv(k, "http://"+proxy.ln.Addr().String())
	}
	for _, k := range []string{"NO_PROXY", "no_proxy"} {
		t.Setenv(k, "")
	}
	a, b := s.province(t, nil), s.finance(t, nil) // nil: the system's proxy choice
	key, file := a.send(t, b.code)
	a.runOnce(t)
	id := sentAs(t, a, key)
	b.runOnce(t)
	sameFile(t, b, received(t, b, id)[id], file)

	_, port, _ := strings.Cut(s.addr, ":")
	if hosts := proxy.hosts(); !only(hosts, "example.com:"+port) {
		t.Errorf("the proxy was asked for %q, want example.com:%s only", hosts, port)
	}
	if up := proxy.up.Load(); up < int64(len(file)) {
		t.Errorf("the proxy carried %d bytes to the server, less than the %d-byte file uploaded", up, len(file))
	}
}

// Status receipts: the server's automatic 01 and the recipient's 03
// (queued in its cache, pushed by its engine) reach the sender's cache
// in the document's Statuses, once each however often it syncs. A status
// the sender reports on its own message (only recipients report 03) is
// refused for good and not sent again.
func TestIntegrationStatusReceipts(t *testing.T) {
	s := startSite(t, siteOptions{})
	a, b := s.province(t, direct), s.finance(t, direct)
	key, _ := a.send(t, b.code)
	a.runOnce(t)
	id := sentAs(t, a, key)
	b.runOnce(t)
	received(t, b, id)

	accepted := protocol.NewClientID()
	if err := b.cache.QueueStatus(store.StatusEntry{ClientStatusID: accepted, MessageID: id,
		Request: protocol.StatusRequest{Status: edoc.StatusAccepted, Description: "Đã vào sổ văn bản đến"}}); err != nil {
		t.Fatal(err)
	}
	b.runOnce(t)
	if pend, err := b.cache.PendingStatuses(); err != nil || len(pend) != 0 {
		t.Fatalf("statuses b still has to send: %+v %v", pend, err)
	}
	if n := s.hits.count("PUT", "/v1/messages/"+id+"/statuses/"+accepted); n != 1 {
		t.Errorf("the server was asked for the status %d times, want 1", n)
	}
	if d, err := b.cache.GetByMessageID(id); err != nil || statusCount(d.Statuses, b.code, edoc.StatusAccepted) != 1 {
		t.Errorf("b's copy: statuses %+v %v, want its 03 once", d.Statuses, err)
	}

	// The sender's own 03 on its message: refused, not asked again.
	forged := protocol.NewClientID()
	if err := a.cache.QueueStatus(store.StatusEntry{ClientStatusID: forged, MessageID: id,
		Request: protocol.StatusRequest{Status: edoc.StatusAccepted}}); err != nil {
		t.Fatal(err)
	}
	evs := a.runOnce(t)
	told := false
	for _, ev := range evs {
		if f, ok := ev.(engine.Failed); ok && f.Key == forged && f.Permanent && f.Code == protocol.CodeForbidden {
			told = true
		}
	}
	if !told {
		t.Errorf("the refused status was not told as a permanent failure: %+v", evs)
	}
	for range 2 { // the second time after one more round: nothing doubles
		a.runOnce(t)
		d, err := a.cache.Get(key)
		if err != nil {
			t.Fatal(err)
		}
		if n := statusCount(d.Statuses, b.code, edoc.StatusArrived); n != 1 || !automatic(d.Statuses, b.code) {
			t.Errorf("sender's copy: statuses %+v, want b's automatic 01 once", d.Statuses)
		}
		if n := statusCount(d.Statuses, b.code, edoc.StatusAccepted); n != 1 {
			t.Errorf("sender's copy: statuses %+v, want b's 03 once", d.Statuses)
		}
		if n := statusCount(d.Statuses, a.code, edoc.StatusAccepted); n != 0 {
			t.Errorf("sender's copy holds its own refused 03: %+v", d.Statuses)
		}
		if len(d.Deliveries) != 1 || d.Deliveries[0].OrganID != b.code || d.Deliveries[0].Status != edoc.StatusAccepted {
			t.Errorf("sender's copy: deliveries %+v, want b at 03", d.Deliveries)
		}
	}
	if n := s.hits.count("PUT", "/v1/messages/"+id+"/statuses/"+forged); n != 1 {
		t.Errorf("the server was asked for the refused status %d times, want 1", n)
	}
}

// statusCount counts the statuses st reported by organ.
func statusCount(events []protocol.StatusEvent, organ string, st edoc.Status) int {
	n := 0
	for _, ev := range events {
		if ev.OrganID == organ && ev.Status == st {
			n++
		}
	}
	return n
}

// automatic reports whether organ's 01 is the server's automatic one.
func automatic(events []protocol.StatusEvent, organ string) bool {
	for _, ev := range events {
		if ev.OrganID == organ && ev.Status == edoc.StatusArrived {
			return ev.Automatic
		}
	}
	return false
}
