package trustlist

import (
	"bytes"
	"crypto/x509"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// Child modes of the test binary (see TestMain).
const (
	envSaver    = "TRUSTLIST_TEST_SAVER"    // dir: load, change, save in a loop
	envReadOnly = "TRUSTLIST_TEST_READONLY" // dir: try to save there, print the error
)

func TestMain(m *testing.M) {
	if dir := os.Getenv(envSaver); dir != "" {
		os.Exit(saver(dir))
	}
	if dir := os.Getenv(envReadOnly); dir != "" {
		os.Exit(saveReadOnly(dir))
	}
	os.Exit(m.Run())
}

// state is what a test compares of a list: each entry's fingerprint,
// role, origin and state.
func state(l *List) []string {
	var out []string
	for _, e := range l.Entries() {
		out = append(out, fmt.Sprintf("%s %v %v trusted=%v removed=%v", e.SHA256, e.Role, e.Origin, e.Trusted, e.Removed))
	}
	return out
}

func mustLoad(t *testing.T, dir string) *List {
	t.Helper()
	l, err := Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	return l
}

func has(certs []*x509.Certificate, c *x509.Certificate) bool {
	return slices.ContainsFunc(certs, c.Equal)
}

func TestStoreRoundTrip(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "config", "vanthu", "trust")
	l := mustLoad(t, dir) // the folder does not exist yet
	if !slices.Equal(state(l), state(&List{defaults: Defaults()})) || len(l.Entries()) != len(pins) {
		t.Fatal("a missing store is not the shipped list")
	}
	root, rootKey := makeCert(t, certSpec{cn: "Gốc thử nghiệm", ca: true})
	inter, _ := makeCert(t, certSpec{cn: "CA trung gian thử nghiệm", ca: true, parent: root, parentKey: rootKey})
	if e, err := l.Add(root); err != nil || e.Role != Root || e.Origin != User || !e.Trusted || e.Name != "Gốc thử nghiệm" || e.Organization != "Kiểm thử trustlist" {
		t.Fatalf("Add(root) = %+v, %v", e, err)
	}
	if e, err := l.Add(inter); err != nil || e.Role != Intermediate || !e.Trusted {
		t.Fatalf("Add(inter) = %+v, %v", e, err)
	}
	if _, err := l.Add(root); !errors.Is(err, ErrAlreadyPresent) {
		t.Errorf("Add twice: %v", err)
	}
	g2 := shippedByFile(t, "trust/vgca-rootca-g2.pem")
	cand := defaultsOf(Candidate)[0]
	if err := l.Remove(strings.ToLower(strings.ReplaceAll(g2.SHA256, ":", ""))); err != nil {
		t.Fatal(err)
	}
	if e, err := l.Trust(cand.SHA256); err != nil || !e.Trusted {
		t.Fatalf("Trust(candidate) = %+v, %v", e, err)
	}
	if _, err := l.Trust(cand.SHA256); !errors.Is(err, ErrAlreadyPresent) {
		t.Errorf("Trust twice: %v", err)
	}
	if err := l.Save(); err != nil {
		t.Fatal(err)
	}
	for path, want := range map[string]os.FileMode{dir: 0o700, l.Path(): 0o600} {
		st, err := os.Stat(path)
		if err != nil {
			t.Fatal(err)
		}
		if runtime.GOOS != "windows" && st.Mode().Perm() != want {
			t.Errorf("%s: mode %v, want %v", path, st.Mode().Perm(), want)
		}
	}
	l2 := mustLoad(t, dir)
	if !slices.Equal(state(l), state(l2)) {
		t.Fatalf("after a round trip:\n%s\nwant\n%s", strings.Join(state(l2), "\n"), strings.Join(state(l), "\n"))
	}
	anchors, known := l2.Anchors(), l2.Known()
	switch {
	case !has(anchors, root) || !has(anchors, cand.Cert) || has(anchors, g2.Cert) || has(anchors, inter):
		t.Error("anchors are wrong after the round trip")
	case !has(known, g2.Cert) || has(known, cand.Cert) || !has(known, defaultsOf(Candidate)[1].Cert):
		t.Error("known roots are wrong after the round trip")
	case !has(l2.Intermediates(), inter):
		t.Error("the added intermediate is not offered")
	}
	if e, ok := l2.Lookup(g2.Cert); !ok || !e.Removed || e.Trusted || e.Origin != Default {
		t.Errorf("Lookup(removed G2) = %+v, %v", e, ok)
	}
	// An added certificate is deleted; an unknown fingerprint is an error.
	if err := l2.Remove(Fingerprint(root)); err != nil {
		t.Fatal(err)
	}
	if _, ok := l2.Lookup(root); ok || has(l2.Anchors(), root) {
		t.Error("a removed user root is still there")
	}
	if err := l2.Remove(Fingerprint(root)); !errors.Is(err, ErrNotFound) {
		t.Errorf("Remove twice: %v", err)
	}
	if err := l2.Remove("F7:BC"); !errors.Is(err, ErrBadFingerprint) {
		t.Errorf("Remove(short): %v", err)
	}
	if _, err := l2.Trust(Fingerprint(inter)); !errors.Is(err, ErrAlreadyPresent) {
		t.Errorf("Trust(user entry): %v", err)
	}
	// A removed candidate goes back to untrusted, and Reset to the
	// shipped list.
	if err := l2.Remove(cand.SHA256); err != nil || has(l2.Anchors(), cand.Cert) {
		t.Errorf("Remove(candidate): %v", err)
	}
	l2.Reset()
	if err := l2.Save(); err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(state(mustLoad(t, dir)), state(&List{defaults: Defaults()})) {
		t.Error("Reset did not restore the shipped list")
	}
	if _, err := Load(""); err == nil {
		t.Error("Load(\"\") accepted")
	}
}

func TestRemoveDefaultAndAddBack(t *testing.T) {
	dir := t.TempDir()
	g1 := shippedByFile(t, "trust/vgca-rootca-g1.pem")
	sub := shippedByFile(t, "trust/vgca-cqcts-chinhphu-g1.pem")
	l := mustLoad(t, dir)
	for _, fp := range []string{g1.SHA256, sub.SHA256} {
		if err := l.Remove(fp); err != nil {
			t.Fatal(err)
		}
	}
	if err := l.Save(); err != nil {
		t.Fatal(err)
	}
	l = mustLoad(t, dir)
	if has(l.Anchors(), g1.Cert) || has(l.Intermediates(), sub.Cert) || !has(l.Known(), g1.Cert) {
		t.Fatal("removed shipped entries are still in effect after loading")
	}
	// Back from the CA's file, as an administrator would.
	certs, err := ReadCertificates(shippedFile(t, t.TempDir(), g1))
	if err != nil || len(certs) != 1 {
		t.Fatalf("ReadCertificates: %v, %v", certs, err)
	}
	e, err := l.Add(certs[0])
	if err != nil || e.Origin != Default || !e.Trusted || e.Removed || e.Role != Root {
		t.Fatalf("Add(removed default) = %+v, %v", e, err)
	}
	// And by fingerprint.
	if e, err := l.Trust(sub.SHA256); err != nil || !e.Trusted {
		t.Fatalf("Trust(removed default) = %+v, %v", e, err)
	}
	if err := l.Save(); err != nil {
		t.Fatal(err)
	}
	l = mustLoad(t, dir)
	if !has(l.Anchors(), g1.Cert) || !has(l.Intermediates(), sub.Cert) || len(l.Entries()) != len(pins) {
		t.Error("added back, yet not in effect (or duplicated) after loading")
	}
}

// TestAddFromFiles adds a root and its subordinate from the forms CAs
// publish, written by openssl.
func TestAddFromFiles(t *testing.T) {
	dir := t.TempDir()
	root, rootKey := makeCert(t, certSpec{cn: "Root CA tỉnh", ca: true})
	inter, _ := makeCert(t, certSpec{cn: "Sub CA tỉnh", ca: true, parent: root, parentKey: rootKey})
	bundle := writeFile(t, filepath.Join(dir, "bundle.pem"), append(pemOf(root), pemOf(inter)...))
	rootPEM := writeFile(t, filepath.Join(dir, "root.pem"), pemOf(root))
	der := filepath.Join(dir, "root.cer")
	openssl(t, "x509", "-in", rootPEM, "-outform", "DER", "-out", der)
	p7b := filepath.Join(dir, "chain.p7b")
	openssl(t, "crl2pkcs7", "-nocrl", "-certfile", bundle, "-outform", "DER", "-out", p7b)
	p7c := filepath.Join(dir, "chain-pem.p7c")
	openssl(t, "crl2pkcs7", "-nocrl", "-certfile", bundle, "-out", p7c)
	for _, tc := range []struct {
		file string
		want []*x509.Certificate
	}{{bundle, []*x509.Certificate{root, inter}}, {der, []*x509.Certificate{root}}, {p7b, []*x509.Certificate{root, inter}}, {p7c, []*x509.Certificate{root, inter}}} {
		certs, err := ReadCertificates(tc.file)
		if err != nil {
			t.Fatalf("%s: %v", filepath.Base(tc.file), err)
		}
		if !slices.EqualFunc(certs, tc.want, (*x509.Certificate).Equal) {
			t.Fatalf("%s: %d certificates", filepath.Base(tc.file), len(certs))
		}
		l := mustLoad(t, t.TempDir())
		for _, c := range certs {
			if _, err := l.Add(c); err != nil {
				t.Fatalf("%s: %v", filepath.Base(tc.file), err)
			}
		}
		if !has(l.Anchors(), root) || (len(certs) == 2 && !has(l.Intermediates(), inter)) {
			t.Errorf("%s: not in effect", filepath.Base(tc.file))
		}
	}
}

func TestClassify(t *testing.T) {
	root, rootKey := makeCert(t, certSpec{cn: "Root", ca: true})
	leaf, _ := makeCert(t, certSpec{cn: "Nguyễn Văn A", parent: root, parentKey: rootKey, keyUsage: x509.KeyUsageDigitalSignature})
	selfLeaf, _ := makeCert(t, certSpec{cn: "Tự ký", keyUsage: x509.KeyUsageDigitalSignature})
	selfNoBasic, _ := makeCert(t, certSpec{cn: "Tự ký, không ràng buộc", noBasic: true, keyUsage: x509.KeyUsageDigitalSignature})
	caNoCertSign, _ := makeCert(t, certSpec{cn: "CA không ký chứng thư", ca: true, keyUsage: x509.KeyUsageDigitalSignature, parent: root, parentKey: rootKey})
	subNoBasic, _ := makeCert(t, certSpec{cn: "Trung gian không ràng buộc", noBasic: true, keyUsage: x509.KeyUsageCertSign, parent: root, parentKey: rootKey})
	oldRoot, _ := makeCert(t, certSpec{cn: "Gốc kiểu v1", noBasic: true})
	l := mustLoad(t, t.TempDir())
	for _, c := range []*x509.Certificate{leaf, selfLeaf, selfNoBasic, caNoCertSign, subNoBasic} {
		if role, err := Classify(c); !errors.Is(err, ErrEndEntity) {
			t.Errorf("Classify(%s) = %v, %v", c.Subject.CommonName, role, err)
		}
		if _, err := l.Add(c); !errors.Is(err, ErrEndEntity) || !strings.Contains(err.Error(), c.Subject.CommonName) {
			t.Errorf("Add(%s): %v", c.Subject.CommonName, err)
		}
	}
	if len(l.Entries()) != len(pins) {
		t.Error("a refused certificate was added")
	}
	if role, err := Classify(oldRoot); role != Root || err != nil {
		t.Errorf("Classify(v1-style root) = %v, %v", role, err)
	}
	// A self-issued CA whose self-signature does not verify is still a
	// root: self-issuance, not the signature, decides (key rollover
	// certificates, SHA-1 roots).
	other, otherKey := makeCert(t, certSpec{cn: "Root", ca: true})
	rollover, _ := makeCert(t, certSpec{rawSubject: root.RawSubject, ca: true, parent: other, parentKey: otherKey})
	if !bytes.Equal(rollover.RawIssuer, rollover.RawSubject) || rollover.CheckSignatureFrom(rollover) == nil {
		t.Fatal("the rollover certificate is not what the test wants")
	}
	if role, err := Classify(rollover); role != Root || err != nil {
		t.Errorf("Classify(rollover) = %v, %v", role, err)
	}
}

func TestParseFingerprint(t *testing.T) {
	want := shippedByFile(t, "trust/vgca-rootca-g1.pem").SHA256
	plain := strings.ReplaceAll(want, ":", "")
	for _, in := range []string{want, strings.ToLower(want), plain, strings.ToLower(plain), " " + strings.ReplaceAll(want, ":", " ") + "\t", strings.ReplaceAll(want, ":", "-")} {
		if got, err := ParseFingerprint(in); got != want || err != nil {
			t.Errorf("ParseFingerprint(%q) = %q, %v", in, got, err)
		}
	}
	for _, in := range []string{"", plain[:62], plain + "00", plain[:63] + "G", "sha256:" + plain, plain[:63]} {
		if _, err := ParseFingerprint(in); !errors.Is(err, ErrBadFingerprint) {
			t.Errorf("ParseFingerprint(%q): %v", in, err)
		}
	}
}

// TestLookAlikeRoot is the attacker's file: a genuine-looking bundle whose
// second certificate is a root with the very subject of a shipped root.
// It is added as what it is, a user root of its own, and never takes the
// shipped root's place, not even a removed one's.
func TestLookAlikeRoot(t *testing.T) {
	dir := t.TempDir()
	g2 := shippedByFile(t, "trust/vgca-rootca-g2.pem")
	mine, mineKey := makeCert(t, certSpec{cn: "Gốc của tỉnh", ca: true})
	sub, _ := makeCert(t, certSpec{cn: "CA của tỉnh", ca: true, parent: mine, parentKey: mineKey})
	fake, fakeKey := makeCert(t, certSpec{rawSubject: g2.Cert.RawSubject, ca: true})
	if fake.Subject.String() != g2.Cert.Subject.String() {
		t.Fatal("the look-alike does not look alike")
	}
	file := writeFile(t, filepath.Join(dir, "bundle.pem"), append(pemOf(sub), pemOf(fake)...))
	l := mustLoad(t, filepath.Join(dir, "store"))
	if err := l.Remove(g2.SHA256); err != nil {
		t.Fatal(err)
	}
	certs, err := ReadCertificates(file)
	if err != nil || len(certs) != 2 {
		t.Fatalf("ReadCertificates: %d, %v", len(certs), err)
	}
	var added []Entry
	for _, c := range certs {
		e, err := l.Add(c)
		if err != nil {
			t.Fatal(err)
		}
		added = append(added, e)
	}
	if err := l.Save(); err != nil {
		t.Fatal(err)
	}
	l = mustLoad(t, filepath.Join(dir, "store"))
	if e, ok := l.Lookup(g2.Cert); !ok || e.Origin != Default || e.SHA256 != g2.SHA256 || e.Trusted || !e.Removed {
		t.Errorf("the shipped G2 root after the attack: %+v", e)
	}
	e, ok := l.Lookup(fake)
	if !ok || e.Origin != User || e.Role != Root || e.SHA256 == g2.SHA256 || e.SHA256 != added[1].SHA256 || e.File != "" || e.Note != "" {
		t.Errorf("the look-alike: %+v", e)
	}
	if has(l.Anchors(), g2.Cert) {
		t.Error("adding a look-alike brought the removed shipped root back")
	}
	n := 0
	for _, e := range l.Entries() {
		if e.Cert.Subject.String() == g2.Cert.Subject.String() {
			n++
		}
	}
	if n != 2 {
		t.Errorf("%d entries named like G2, want the shipped one and the look-alike", n)
	}
	// What the look-alike signs chains to the look-alike, never to G2.
	leaf, _ := makeCert(t, certSpec{cn: "Người ký giả", parent: fake, parentKey: fakeKey, keyUsage: x509.KeyUsageDigitalSignature})
	roots := x509.NewCertPool()
	roots.AddCert(g2.Cert)
	if _, err := leaf.Verify(x509.VerifyOptions{Roots: roots}); err == nil {
		t.Error("a certificate of the look-alike verifies under the shipped G2 root")
	}
}

// TestDamagedStore: each damaged store file is reported with its path,
// the shipped list survives, Save does not overwrite the file, and Reset
// then Save recovers.
func TestDamagedStore(t *testing.T) {
	root, rootKey := makeCert(t, certSpec{cn: "Root", ca: true})
	leaf, _ := makeCert(t, certSpec{cn: "Leaf", parent: root, parentKey: rootKey})
	good := func(extra string) string {
		return `{"version": 1, "removed": [], "trusted": [], "certificates": [` + extra + `]}`
	}
	quote := func(b []byte) string { return strconv.Quote(string(b)) }
	cases := map[string]string{
		"garbage":         "this is not JSON",
		"empty":           "",
		"truncated":       good(quote(pemOf(root)))[:60],
		"version 2":       `{"version": 2, "removed": [], "trusted": [], "certificates": []}`,
		"no version":      `{"removed": [], "trusted": [], "certificates": []}`,
		"unknown field":   `{"version": 1, "anchors": []}`,
		"bad fingerprint": `{"version": 1, "removed": ["F7:BC"], "trusted": [], "certificates": []}`,
		"not PEM":         good(`"MIIB"`),
		"two PEM":         good(quote(append(pemOf(root), pemOf(root)...))),
		"bad DER":         good(quote([]byte("-----BEGIN CERTIFICATE-----\nMIIBAAAA\n-----END CERTIFICATE-----\n"))),
		"a leaf":          good(quote(pemOf(leaf))),
		"two objects":     good("") + good(""),
		"wrong types":     `{"version": "1"}`,
	}
	for name, content := range cases {
		t.Run(name, func(t *testing.T) {
			dir := t.TempDir()
			path := writeFile(t, filepath.Join(dir, StoreFile), []byte(content))
			checkDamaged(t, dir, path, func() bool {
				got, _ := os.ReadFile(path)
				return string(got) == content
			})
		})
	}
	t.Run("too large", func(t *testing.T) {
		dir := t.TempDir()
		path := filepath.Join(dir, StoreFile)
		f, err := os.Create(path)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := f.WriteString(good("")); err != nil {
			t.Fatal(err)
		}
		if err := f.Truncate(maxStoreSize + 1); err != nil {
			t.Fatal(err)
		}
		f.Close()
		checkDamaged(t, dir, path, func() bool { st, err := os.Stat(path); return err == nil && st.Size() == maxStoreSize+1 })
	})
	t.Run("a folder", func(t *testing.T) {
		dir := t.TempDir()
		path := filepath.Join(dir, StoreFile)
		if err := os.Mkdir(path, 0o700); err != nil {
			t.Fatal(err)
		}
		l, err := Load(dir)
		var se *StoreError
		if !errors.As(err, &se) || se.Path != path || l == nil || l.Save() == nil {
			t.Errorf("Load: %v", err)
		}
	})
}

func checkDamaged(t *testing.T, dir, path string, untouched func() bool) {
	t.Helper()
	l, err := Load(dir)
	var se *StoreError
	if !errors.As(err, &se) || se.Path != path {
		t.Fatalf("Load: %v, want a *StoreError for %s", err, path)
	}
	for _, want := range []string{path, "delete the file", "vanthuctl trust reset"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("the error %q does not say %q", err, want)
		}
	}
	if l == nil || !slices.Equal(state(l), state(&List{defaults: Defaults()})) || len(l.Anchors()) != len(defaultsOf(Root)) {
		t.Fatal("the shipped list did not survive a damaged store")
	}
	if err := l.Save(); !errors.As(err, &se) {
		t.Errorf("Save of a damaged store: %v", err)
	}
	if !untouched() {
		t.Error("Save replaced the damaged file")
	}
	l.Reset()
	if err := l.Save(); err != nil {
		t.Fatalf("Save after Reset: %v", err)
	}
	if _, err := Load(dir); err != nil {
		t.Errorf("Load after Reset: %v", err)
	}
}

// saver is a child process: it loads the store in dir, changes it and
// saves it, many times.
func saver(dir string) int {
	id := os.Getenv("TRUSTLIST_TEST_ID")
	cand := defaultsOf(Candidate)[0].SHA256
	for i := range 40 {
		l, err := Load(dir)
		if err != nil {
			fmt.Fprintf(os.Stderr, "saver %s: %v\n", id, err)
			return 1
		}
		cert, _, err := issue(certSpec{cn: fmt.Sprintf("Gốc %s-%d", id, i), ca: true})
		if err == nil {
			_, err = l.Add(cert)
		}
		if err != nil {
			fmt.Fprintf(os.Stderr, "saver %s: %v\n", id, err)
			return 1
		}
		if i%2 == 0 {
			_, err = l.Trust(cand)
		} else {
			err = l.Remove(cand)
		}
		if err != nil && !errors.Is(err, ErrAlreadyPresent) {
			fmt.Fprintf(os.Stderr, "saver %s: %v\n", id, err)
			return 1
		}
		if err := l.Save(); err != nil {
			fmt.Fprintf(os.Stderr, "saver %s: %v\n", id, err)
			return 1
		}
	}
	return 0
}

// TestConcurrentSaves runs processes that save the same store at once
// while this one reads it: every read parses, and no temporary file is
// left behind.
func TestConcurrentSaves(t *testing.T) {
	dir := t.TempDir()
	const procs = 3
	var wg sync.WaitGroup
	errs := make(chan error, procs)
	for i := range procs {
		cmd := exec.Command(os.Args[0], "-test.run=^$")
		cmd.Env = append(os.Environ(), envSaver+"="+dir, "TRUSTLIST_TEST_ID="+strconv.Itoa(i))
		wg.Add(1)
		go func() {
			defer wg.Done()
			if out, err := cmd.CombinedOutput(); err != nil {
				errs <- fmt.Errorf("saver %d: %v\n%s", i, err, out)
			}
		}()
	}
	done := make(chan struct{})
	go func() { wg.Wait(); close(done) }()
	reads := 0
	for running := true; running; {
		select {
		case <-done:
			running = false
		default:
		}
		if _, err := Load(dir); err != nil {
			t.Fatalf("read %d while saving: %v", reads, err)
		}
		reads++
		time.Sleep(time.Millisecond)
	}
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	l := mustLoad(t, dir)
	users := len(l.Entries()) - len(pins)
	if users < 40 || users > procs*40 {
		t.Errorf("%d added certificates in the end", users)
	}
	left, _ := filepath.Glob(filepath.Join(dir, ".*"))
	if len(left) > 0 {
		t.Errorf("temporary files left: %q", left)
	}
	t.Logf("%d reads during %d×40 saves; the last save kept %d certificates", reads, procs, users)
}

// saveReadOnly is a child process: it loads the store in dir, adds a
// certificate, saves, and prints the error Save returned.
func saveReadOnly(dir string) int {
	l, err := Load(dir)
	if err != nil {
		fmt.Println("load:", err)
		return 1
	}
	cert, _, err := issue(certSpec{cn: "Gốc", ca: true})
	if err == nil {
		_, err = l.Add(cert)
	}
	if err != nil {
		fmt.Println("add:", err)
		return 1
	}
	fmt.Println(l.Save())
	return 0
}
