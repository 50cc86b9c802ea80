package main

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/vanthuso/vanthu/internal/samplepdf"
	"github.com/vanthuso/vanthu/internal/testpki"
	"github.com/vanthuso/vanthu/signing/pdf"
)

// The check behind `signbench -verify -expect N` on real files signed by
// the bench's own signing path (leader, then agency, on SoftHSM2): it
// passes the twice-signed file only with the right count, and refuses a
// first signature modified before the second was added, and a second
// that does not cover the whole file.
func TestVerifyOneTwiceSigned(t *testing.T) {
	p := testpki.New(t)
	dir := t.TempDir()
	path := func(n string) string { return filepath.Join(dir, n) }
	if err := samplepdf.WriteFile(path("in.pdf"), samplepdf.Options{Pages: 2, Title: "Van ban thu nghiem"}); err != nil {
		t.Fatal(err)
	}
	sign := func(who, in, out string) {
		t.Helper()
		if err := signOne(p.Dir, who, "ours", in, out); err != nil {
			t.Fatal(err)
		}
	}
	sign("leader", path("in.pdf"), path("once.pdf"))
	sign("agency", path("once.pdf"), path("twice.pdf"))

	if err := verifyOne(path("once.pdf"), 1); err != nil {
		t.Errorf("once-signed file, 1 expected: %v", err)
	}
	if err := verifyOne(path("twice.pdf"), 2); err != nil {
		t.Errorf("twice-signed file, 2 expected: %v", err)
	}
	for _, c := range []struct {
		file   string
		expect int
		want   string
	}{
		{"once.pdf", 2, "1 signatures found, 2 expected"},
		{"twice.pdf", 1, "2 signatures found, 1 expected"},
		{"twice.pdf", 3, "2 signatures found, 3 expected"},
	} {
		if err := verifyOne(path(c.file), c.expect); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s, %d expected: error %v, want %q", c.file, c.expect, err, c.want)
		}
	}

	// The first signature's page changed in an update before the agency
	// signed: both signatures are intact, the first is modified.
	copyFile(t, path("once.pdf"), path("tampered.pdf"))
	appendPageContent(t, path("tampered.pdf"))
	sign("agency", path("tampered.pdf"), path("tampered-twice.pdf"))
	if err := verifyOne(path("tampered-twice.pdf"), 2); err == nil || !strings.Contains(err.Error(), "modified true") {
		t.Errorf("first signature modified before the second: error %v, want one saying it is modified", err)
	}

	// An update after the second signature: the last one no longer
	// covers the whole file (and the first is modified too).
	copyFile(t, path("twice.pdf"), path("twice-then-changed.pdf"))
	appendPageContent(t, path("twice-then-changed.pdf"))
	if err := verifyOne(path("twice-then-changed.pdf"), 2); err == nil {
		t.Error("an unsigned page change after the second signature was accepted")
	}
}

func copyFile(t *testing.T, from, to string) {
	t.Helper()
	b, err := os.ReadFile(from)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(to, b, 0o600); err != nil {
		t.Fatal(err)
	}
}

// appendPageContent appends an unsigned incremental update that replaces
// page 1's content stream with other text.
func appendPageContent(t *testing.T, file string) {
	t.Helper()
	b, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	r, err := pdf.Open(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		t.Fatal(err)
	}
	ref, _, _, err := r.Page(1)
	if err != nil {
		t.Fatal(err)
	}
	o, err := r.Get(ref)
	if err != nil {
		t.Fatal(err)
	}
	page, ok := o.(pdf.Dict)
	if !ok {
		t.Fatalf("page 1 is a %T", o)
	}
	_, root, err := r.Catalog()
	if err != nil {
		t.Fatal(err)
	}
	stream := []byte("BT /F1 18 Tf 72 700 Td (Noi dung da bi thay) Tj ET")
	content := r.Size()
	page["Contents"] = pdf.Ref{Num: content}
	var u bytes.Buffer
	u.WriteString("\n")
	at := func() int { return len(b) + u.Len() }
	contentAt := at()
	fmt.Fprintf(&u, "%d 0 obj\n<< /Length %d >>\nstream\n%s\nendstream\nendobj\n", content, len(stream), stream)
	pageAt := at()
	fmt.Fprintf(&u, "%d %d obj\n%s\nendobj\n", ref.Num, ref.Gen, pdf.AppendObject(nil, page))
	xref := at()
	fmt.Fprintf(&u, "xref\n0 1\n0000000000 65535 f \n%d 1\n%010d %05d n \n%d 1\n%010d 00000 n \n",
		ref.Num, pageAt, ref.Gen, content, contentAt)
	fmt.Fprintf(&u, "trailer\n<< /Size %d /Root %d %d R /Prev %d >>\nstartxref\n%d\n%%%%EOF\n",
		content+1, root.Num, root.Gen, r.StartXRef(), xref)
	if err := os.WriteFile(file, append(b, u.Bytes()...), 0o600); err != nil {
		t.Fatal(err)
	}
}
