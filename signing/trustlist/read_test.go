package trustlist

import (
	"bytes"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/vanthuso/vanthu/internal/fuzzguard"
	"github.com/vanthuso/vanthu/internal/pdftools"
)

func TestReadCertificatesForms(t *testing.T) {
	dir := t.TempDir()
	root, rootKey := makeCert(t, certSpec{cn: "Root", ca: true})
	inter, _ := makeCert(t, certSpec{cn: "Sub", ca: true, parent: root, parentKey: rootKey})
	rootPEM := writeFile(t, filepath.Join(dir, "root.pem"), pemOf(root))

	// Text around the blocks (openssl x509 -text), a key block, the same
	// certificate twice, an OpenSSL trusted certificate.
	trusted := filepath.Join(dir, "trusted.pem")
	openssl(t, "x509", "-in", rootPEM, "-trustout", "-addtrust", "emailProtection", "-out", trusted)
	if !strings.Contains(openssl(t, "x509", "-in", trusted, "-trustout", "-noout", "-text"), "Trusted Uses") {
		t.Fatal("openssl wrote no trust settings")
	}
	mixed := "Certificate:\n    Data: …\n" + string(pemOf(inter)) + "\nsome notes\n" +
		string(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: []byte("not ours")})) + string(pemOf(inter))
	mixedFile := writeFile(t, filepath.Join(dir, "mixed.txt"), []byte(mixed))
	certs, err := ReadCertificates(trusted, mixedFile, rootPEM)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.EqualFunc(certs, []*x509.Certificate{root, inter}, (*x509.Certificate).Equal) {
		t.Errorf("got %d certificates, want root then sub once each", len(certs))
	}

	// Named files that hold no certificate, or a damaged one: errors that
	// name the file, and nothing returned.
	bad := map[string][]byte{
		"empty.pem":    nil,
		"junk.cer":     []byte("this is not a certificate"),
		"key.pem":      pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: []byte{1, 2, 3}}),
		"damaged.pem":  append(pemOf(root), pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: root.Raw[:len(root.Raw)-10]})...),
		"cut.pem":      pemOf(root)[:200],
		"cut.der":      root.Raw[:len(root.Raw)/2],
		"trailing.der": append(bytes.Clone(root.Raw), 0),
	}
	for name, data := range bad {
		path := writeFile(t, filepath.Join(dir, name), data)
		certs, err := ReadCertificates(rootPEM, path)
		if err == nil || certs != nil || !strings.Contains(err.Error(), path) {
			t.Errorf("%s: %d certificates, %v", name, len(certs), err)
		}
	}
	if _, err := ReadCertificates(filepath.Join(dir, "missing.pem")); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("missing file: %v", err)
	}
}

// TestReadCertificatesDirectory reads the corpus's trust folder: single
// certificates and bundles of the same, read once each; the candidates
// subfolder is not read (not recursive), a non-certificate file is
// skipped.
func TestReadCertificatesDirectory(t *testing.T) {
	corpus, err := pdftools.CorpusDir()
	if err != nil {
		t.Fatal(err)
	}
	certs, err := ReadCertificates(filepath.Join(corpus, "trust")) // SOURCES.md is there too
	if err != nil {
		t.Fatal(err)
	}
	var want []string
	for _, e := range Defaults() {
		if !strings.HasPrefix(e.File, "trust/candidates/") {
			want = append(want, e.SHA256)
		}
	}
	var got []string
	for _, c := range certs {
		got = append(got, Fingerprint(c))
	}
	slices.Sort(want)
	slices.Sort(got)
	if !slices.Equal(got, want) {
		t.Errorf("read %d certificates from the corpus's trust folder, want the %d shipped from there", len(got), len(want))
	}
	// A folder of only other files is no error, and no certificate.
	dir := t.TempDir()
	writeFile(t, filepath.Join(dir, "README.txt"), []byte("nothing here"))
	if err := os.Mkdir(filepath.Join(dir, "sub"), 0o755); err != nil {
		t.Fatal(err)
	}
	if certs, err := ReadCertificates(dir); err != nil || len(certs) != 0 {
		t.Errorf("a folder without certificates: %d, %v", len(certs), err)
	}
}

// TestReadCertificatesHuge: a file larger than MaxFileSize is refused by
// name and skipped in a folder, without being read.
func TestReadCertificatesHuge(t *testing.T) {
	dir := t.TempDir()
	root, _ := makeCert(t, certSpec{cn: "Root", ca: true})
	writeFile(t, filepath.Join(dir, "root.pem"), pemOf(root))
	huge := filepath.Join(dir, "huge.pem")
	f, err := os.Create(huge)
	if err != nil {
		t.Fatal(err)
	}
	// A real bundle at the start, then a gigabyte of nothing (sparse).
	if _, err := f.Write(pemOf(root)); err != nil {
		t.Fatal(err)
	}
	if err := f.Truncate(1 << 30); err != nil {
		t.Fatal(err)
	}
	f.Close()
	if _, err := ReadCertificates(huge); err == nil || !strings.Contains(err.Error(), "larger") {
		t.Errorf("a 1 GiB file: %v", err)
	}
	certs, err := ReadCertificates(dir)
	if err != nil || len(certs) != 1 {
		t.Errorf("a folder with a 1 GiB file: %d, %v", len(certs), err)
	}
}

// TestPKCS7FromShippedCertificates reads a .p7b that openssl makes of
// shipped certificates, DER and PEM, as NEAC publishes its roots.
func TestPKCS7FromShippedCertificates(t *testing.T) {
	dir := t.TempDir()
	g2 := shippedFile(t, dir, shippedByFile(t, "trust/neac-vnrca-g2-sha256.pem"))
	vnpt := shippedFile(t, dir, shippedByFile(t, "trust/vnpt-ca-sha2.pem"))
	for _, form := range []string{"DER", "PEM"} {
		out := filepath.Join(dir, "neac."+form+".p7b")
		openssl(t, "crl2pkcs7", "-nocrl", "-certfile", g2, "-certfile", vnpt, "-outform", form, "-out", out)
		certs, err := ReadCertificates(out)
		if err != nil {
			t.Fatalf("%s: %v", form, err)
		}
		if len(certs) != 2 || Fingerprint(certs[0]) != shippedByFile(t, "trust/neac-vnrca-g2-sha256.pem").SHA256 {
			t.Errorf("%s: %d certificates", form, len(certs))
		}
	}
	// A PKCS#7 with no certificate is no certificate file.
	empty := filepath.Join(dir, "empty.p7b")
	crl := filepath.Join(dir, "none.pem")
	writeFile(t, crl, nil)
	openssl(t, "crl2pkcs7", "-nocrl", "-certfile", crl, "-outform", "DER", "-out", empty)
	if _, err := ReadCertificates(empty); !errors.Is(err, ErrNoCertificate) {
		t.Errorf("empty PKCS#7: %v", err)
	}
}

// FuzzParseCertificates: any file content gives certificates or an error,
// never a panic or a hang, and never an empty success.
func FuzzParseCertificates(f *testing.F) {
	root, rootKey := makeCert(f, certSpec{cn: "Root", ca: true})
	inter, _ := makeCert(f, certSpec{cn: "Sub", ca: true, parent: root, parentKey: rootKey})
	dir := f.TempDir()
	bundle := writeFile(f, filepath.Join(dir, "b.pem"), append(pemOf(root), pemOf(inter)...))
	p7b := filepath.Join(dir, "b.p7b")
	openssl(f, "crl2pkcs7", "-nocrl", "-certfile", bundle, "-outform", "DER", "-out", p7b)
	p7data, err := os.ReadFile(p7b)
	if err != nil {
		f.Fatal(err)
	}
	f.Add(p7data)
	f.Add(root.Raw)
	f.Add(append(pemOf(root), pemOf(inter)...))
	f.Add(pem.EncodeToMemory(&pem.Block{Type: "PKCS7", Bytes: p7data}))
	f.Add(pem.EncodeToMemory(&pem.Block{Type: "TRUSTED CERTIFICATE", Bytes: append(bytes.Clone(root.Raw), 0x30, 0)}))
	for _, e := range Defaults()[:3] {
		f.Add(pemOf(e.Cert))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		defer fuzzguard.Watch(t, fuzzguard.Limit, data)()
		certs, err := ParseCertificates(data)
		if err == nil && len(certs) == 0 {
			t.Fatal("no error and no certificate")
		}
		for _, c := range certs {
			if c == nil || len(c.Raw) == 0 {
				t.Fatal("a nil certificate")
			}
		}
	})
}
