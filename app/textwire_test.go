package app

import (
	"bytes"
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/vanthuso/vanthu/app/render"
	"github.com/vanthuso/vanthu/edoc"
	"github.com/vanthuso/vanthu/internal/samplepdf"
	"github.com/vanthuso/vanthu/sync/client"
	"github.com/vanthuso/vanthu/sync/engine"
	"github.com/vanthuso/vanthu/sync/protocol"
	"github.com/vanthuso/vanthu/sync/store"
)

// TestConnectionIndexesText: the connection's text indexer, on the real
// PDFium renderer, makes a received document findable by a word of its
// PDF that its metadata does not hold.
func TestConnectionIndexesText(t *testing.T) {
	st, err := store.Open(filepath.Join(t.TempDir(), "cache.db"), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	var pdf bytes.Buffer
	if err := samplepdf.WriteOfficial(&pdf, samplepdf.Official{Agency: "ỦY BAN NHÂN DÂN TỈNH NGHỆ AN", Number: "05/QĐ-UBND", Place: "Nghệ An",
		Date: time.Date(2026, 3, 5, 0, 0, 0, 0, edoc.Vietnam), TypeName: "QUYẾT ĐỊNH", Subject: "Về việc giao dự toán",
		Body: []string{"Giao Sở Tài chính thẩm định phương án xuồngmáy."}}); err != nil {
		t.Fatal(err)
	}
	sha, size, err := st.PutBlob(bytes.NewReader(pdf.Bytes()))
	if err != nil {
		t.Fatal(err)
	}
	doc := edoc.Document{From: edoc.Organ{OrganID: edoc.DemoProvince, OrganName: "UBND tỉnh Nghệ An"}, Subject: "Về việc giao dự toán",
		Code:        edoc.Code{CodeNumber: "05", CodeNotation: "QĐ-UBND"},
		Attachments: []edoc.Attachment{{Role: edoc.RoleMain, Name: "qd.pdf", ContentType: "application/pdf", SHA256: sha, Size: size}}}
	m := protocol.Message{ID: "m-1", From: doc.From, Document: doc, AcceptedAt: time.Now()}
	if _, err := st.Apply([]protocol.Change{{Kind: protocol.ChangeReceived, MessageID: m.ID, At: m.AcceptedAt, Message: &m}}, "c1"); err != nil {
		t.Fatal(err)
	}
	cl, err := client.New(client.Config{BaseURL: "https://127.0.0.1:1"})
	if err != nil {
		t.Fatal(err)
	}
	rs := startRenderService(render.Config{CacheDir: filepath.Join(userCacheDir(), "pdfium"), Workers: 1})
	defer rs.close()
	l := &exchangeLink{mw: &mainWindow{render: rs}}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		l.indexText(ctx, st, engine.New(engine.Config{Store: st, Client: cl}))
	}()
	deadline := time.Now().Add(2 * time.Minute)
	for {
		docs, _, err := st.Find(store.Query{Text: "xuongmay"})
		if err != nil {
			t.Fatal(err)
		}
		if len(docs) == 1 && docs[0].MessageID == "m-1" {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the document's text was not indexed within two minutes")
		}
		time.Sleep(100 * time.Millisecond)
	}
	cancel()
	<-done
}
