package main

import (
	"bytes"
	"context"
	"crypto/x509"
	"encoding/pem"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/vanthuso/vanthu/server/servertest"
	"github.com/vanthuso/vanthu/sync/client"
	"github.com/vanthuso/vanthu/sync/protocol"
)

// TestSyncClient: the real client (sync/client) against the real server
// process, every call it makes: the two sides of the contract agree.
func TestSyncClient(t *testing.T) {
	s := newSite(t)
	aID, bID := s.identity(agencyA, "van_thu"), s.identity(agencyB, "van_thu")
	s.serve()
	data, err := os.ReadFile(filepath.Join(s.dir, "tls", "cert.pem"))
	if err != nil {
		t.Fatal(err)
	}
	block, _ := pem.Decode(data)
	cert, _ := x509.ParseCertificate(block.Bytes)
	roots := x509.NewCertPool()
	roots.AddCert(cert)
	ctx := context.Background()
	connect := func(id servertest.Identity) *client.Client {
		c, err := client.New(client.Config{BaseURL: "https://" + s.addr, RootCAs: roots, HTTPTimeout: time.Minute})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := c.Login(ctx, id.Key, id.Cert); err != nil {
			t.Fatalf("login: %v", err)
		}
		return c
	}
	a, b := connect(aID), connect(bID)
	if me, err := a.Me(ctx); err != nil || me.User.Agency.OrganID != agencyA {
		t.Fatalf("me: %+v %v", me, err)
	}
	if dir, err := a.Directory(ctx, "", "", 0); err != nil || len(dir.Agencies) != 3 {
		t.Fatalf("directory: %+v %v", dir, err)
	}
	file := bytes.Repeat([]byte("%PDF-1.7 tệp lớn "), 100_000)
	sha := servertest.SHA256(file)
	if has, _, err := a.HasBlob(ctx, sha); err != nil || has {
		t.Fatalf("has blob before upload: %v %v", has, err)
	}
	if err := a.Upload(ctx, bytes.NewReader(file), sha, int64(len(file)), client.UploadOptions{ChunkSize: 256 << 10}); err != nil {
		t.Fatalf("upload: %v", err)
	}
	if has, size, err := a.HasBlob(ctx, sha); err != nil || !has || size != int64(len(file)) {
		t.Fatalf("has blob after upload: %v %d %v", has, size, err)
	}
	body, err := client.MarshalSend(protocol.SendRequest{Document: servertest.Document(agencyA, []string{agencyB}, servertest.Attachment(file, "vb.pdf", "application/pdf"))})
	if err != nil {
		t.Fatal(err)
	}
	id := protocol.NewClientID()
	ans, err := a.Send(ctx, id, body)
	if err != nil {
		t.Fatalf("send: %v", err)
	}
	if again, err := a.Send(ctx, id, body); err != nil || again.MessageID != ans.MessageID {
		t.Fatalf("replayed send: %+v %v", again, err)
	}
	ch, err := b.Changes(ctx, "", 10*time.Second)
	if err != nil || len(ch.Changes) != 1 || ch.Changes[0].MessageID != ans.MessageID {
		t.Fatalf("changes: %+v %v", ch, err)
	}
	var got bytes.Buffer
	if _, err := b.Download(ctx, sha, &got, client.DownloadOptions{}); err != nil || !bytes.Equal(got.Bytes(), file) {
		t.Fatalf("download: %v", err)
	}
	if _, err := b.Work(ctx, protocol.NewClientID(), protocol.ActionRequest{Action: protocol.ActionRegister, CaseID: ans.MessageID}); err != nil {
		t.Fatalf("status: %v", err)
	}
	page, err := b.Messages(ctx, "inbox", "")
	if err != nil || len(page.Messages) != 1 {
		t.Fatalf("inbox: %+v %v", page, err)
	}
	if m, err := a.Message(ctx, ans.MessageID); err != nil || len(m.Statuses) != 2 {
		t.Fatalf("message: %+v %v", m, err)
	}
	if _, err := b.Changes(ctx, "garbage", 0); err != nil {
		t.Fatalf("garbage cursor: %v", err)
	}
	if err := a.Logout(ctx); err != nil {
		t.Fatalf("logout: %v", err)
	}
	if _, err := a.Me(ctx); !client.NeedLogin(err) {
		t.Fatalf("me after logout: %v", err)
	}
}
