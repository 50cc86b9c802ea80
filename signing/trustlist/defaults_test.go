package trustlist

import (
	"bytes"
	"crypto/x509"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/vanthuso/vanthu/assets"
	"github.com/vanthuso/vanthu/internal/pdftools"
)

// fingerprintsIn reads "file → SHA-256" from a SOURCES.md: table rows
// "| file | … | `FP` |" (assets/trust/SOURCES.md), sections "### `file`"
// followed by "**SHA-256**: `FP`" and candidate lines "- `file`: … SHA-256
// `FP`" (the corpus's trust/SOURCES.md).
func fingerprintsIn(t *testing.T, path string) map[string]string {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	fp := "([0-9A-F]{2}(?::[0-9A-F]{2}){31})"
	row := regexp.MustCompile("^\\| ([a-z0-9/.-]+\\.pem) \\|.*`" + fp + "`")
	head := regexp.MustCompile("^### `([a-z0-9.-]+\\.pem)`")
	field := regexp.MustCompile("^- \\*\\*SHA-256\\*\\*: `" + fp + "`")
	item := regexp.MustCompile("`([a-z0-9.-]+\\.pem)`[^`]*SHA-256 `" + fp + "`")
	out := map[string]string{}
	section := ""
	for _, line := range strings.Split(string(data), "\n") {
		if m := row.FindStringSubmatch(line); m != nil {
			out[m[1]] = m[2]
		}
		if m := head.FindStringSubmatch(line); m != nil {
			section = m[1]
		}
		if m := field.FindStringSubmatch(line); m != nil && section != "" {
			out[section] = m[1]
			section = ""
		}
		for _, m := range item.FindAllStringSubmatch(line, -1) {
			out["candidates/"+m[1]] = m[2]
		}
	}
	return out
}

// TestShippedFingerprints checks every shipped certificate three ways:
// the pin in the Go table, assets/trust/SOURCES.md, the corpus's
// trust/SOURCES.md, and the SHA-256 openssl computes of the embedded file.
func TestShippedFingerprints(t *testing.T) {
	defs := Defaults()
	if len(defs) != len(pins) || len(defs) < 20 {
		t.Fatalf("%d shipped entries for %d pins", len(defs), len(pins))
	}
	ours := fingerprintsIn(t, filepath.Join("..", "..", "assets", "trust", "SOURCES.md"))
	corpus, err := pdftools.CorpusDir()
	if err != nil {
		t.Fatal(err)
	}
	theirs := fingerprintsIn(t, filepath.Join(corpus, "trust", "SOURCES.md"))
	dir := t.TempDir()
	for _, e := range defs {
		rel := strings.TrimPrefix(e.File, "trust/")
		if ours[rel] != e.SHA256 {
			t.Errorf("%s: assets/trust/SOURCES.md says %q, the entry %s", rel, ours[rel], e.SHA256)
		}
		if theirs[rel] != e.SHA256 {
			t.Errorf("%s: corpus trust/SOURCES.md says %q, the entry %s", rel, theirs[rel], e.SHA256)
		}
		out := openssl(t, "x509", "-in", shippedFile(t, dir, e), "-noout", "-fingerprint", "-sha256")
		if got := strings.TrimSpace(out[strings.Index(out, "=")+1:]); got != e.SHA256 {
			t.Errorf("%s: openssl says %s, the entry %s", rel, got, e.SHA256)
		}
		// The shipped file is the corpus's, byte for byte.
		want, err := os.ReadFile(filepath.Join(corpus, e.File))
		if err != nil {
			t.Errorf("%s: %v", rel, err)
			continue
		}
		if got, _ := fs.ReadFile(assets.Trust, e.File); !bytes.Equal(got, want) {
			t.Errorf("%s differs from the corpus's copy", rel)
		}
	}
	if len(ours) != len(defs) {
		t.Errorf("assets/trust/SOURCES.md lists %d files, %d are shipped", len(ours), len(defs))
	}
}

// TestShippedRoles: roots and candidates are self-issued and their
// self-signature verifies (with openssl, which accepts SHA-1); every other
// certificate chains, by signature, to a shipped root or candidate;
// entries are trusted by default except candidates.
func TestShippedRoles(t *testing.T) {
	dir := t.TempDir()
	var anchors, others []byte
	for _, e := range Defaults() {
		if e.Origin != Default || e.Removed || e.Name == "" || e.Note == "" {
			t.Errorf("%s: %+v", e.File, e)
		}
		if e.Trusted != (e.Role != Candidate) {
			t.Errorf("%s (%v): trusted %v by default", e.File, e.Role, e.Trusted)
		}
		switch e.Role {
		case Root, Candidate:
			if !bytes.Equal(e.Cert.RawSubject, e.Cert.RawIssuer) {
				t.Errorf("%s: %v not self-issued", e.File, e.Role)
			}
			f := shippedFile(t, dir, e)
			openssl(t, "verify", "-no_check_time", "-CAfile", f, f)
			anchors = append(anchors, pemOf(e.Cert)...)
		default:
			others = append(others, pemOf(e.Cert)...)
		}
	}
	ca := writeFile(t, filepath.Join(dir, "anchors.pem"), anchors)
	untrusted := writeFile(t, filepath.Join(dir, "others.pem"), others)
	for _, e := range Defaults() {
		if e.Role == Intermediate || e.Role == TSA {
			openssl(t, "verify", "-no_check_time", "-x509_strict", "-CAfile", ca, "-untrusted", untrusted, shippedFile(t, dir, e))
		}
	}
	if n := len(defaultsOf(TSA)); n != 2 {
		t.Errorf("%d TSA certificates", n)
	}
	if n := len(defaultsOf(Candidate)); n != 2 {
		t.Errorf("%d candidates", n)
	}
}

// TestSHA1RootsAreRoots is the defect this package fixes: Go refuses the
// SHA-1 self-signatures of VGCA's G1 root and NEAC's legacy root, so a
// classification by CheckSignatureFrom made them intermediates, and every
// chain through them untrusted.
func TestSHA1RootsAreRoots(t *testing.T) {
	l, err := Load(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	for _, file := range []string{"trust/vgca-rootca-g1.pem", "trust/neac-mic-national-root-ca-sha1.pem"} {
		e := shippedByFile(t, file)
		if e.Cert.SignatureAlgorithm != x509.SHA1WithRSA {
			t.Fatalf("%s: signed with %v, the test wants a SHA-1 root", file, e.Cert.SignatureAlgorithm)
		}
		if e.Cert.CheckSignatureFrom(e.Cert) == nil {
			t.Fatalf("%s: crypto/x509 now accepts its SHA-1 self-signature; the test no longer shows the defect", file)
		}
		if role, err := Classify(e.Cert); role != Root || err != nil {
			t.Errorf("%s: Classify = %v, %v", file, role, err)
		}
		if e.Role != Root || !slices.ContainsFunc(l.Anchors(), e.Cert.Equal) || slices.ContainsFunc(l.Intermediates(), e.Cert.Equal) {
			t.Errorf("%s: not an anchor (role %v)", file, e.Role)
		}
	}
	// With the anchors and intermediates of the list, crypto/x509 builds
	// the chain of VGCA's timestamping server 01 (SHA-256, issued by the
	// SHA-1 G1 root) at a time it was valid: the timestamps of G2-signed
	// documents are trusted.
	tsa := shippedByFile(t, "trust/vgca-tsa01-2018.pem")
	roots, inter := x509.NewCertPool(), x509.NewCertPool()
	for _, c := range l.Anchors() {
		roots.AddCert(c)
	}
	for _, c := range l.Intermediates() {
		inter.AddCert(c)
	}
	chains, err := tsa.Cert.Verify(x509.VerifyOptions{Roots: roots, Intermediates: inter,
		CurrentTime: time.Date(2025, 1, 24, 10, 0, 0, 0, time.UTC), KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageTimeStamping}})
	if err != nil {
		t.Fatalf("VGCA TSA 01: %v", err)
	}
	if top := chains[0][len(chains[0])-1]; Fingerprint(top) != shippedByFile(t, "trust/vgca-rootca-g1.pem").SHA256 {
		t.Errorf("VGCA TSA 01 chains to %s", top.Subject)
	}
}

func TestCandidatesKnownNotAnchors(t *testing.T) {
	l, err := Load(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	cands := defaultsOf(Candidate)
	for _, e := range cands {
		if slices.ContainsFunc(l.Anchors(), e.Cert.Equal) || !slices.ContainsFunc(l.Known(), e.Cert.Equal) {
			t.Errorf("%s: an anchor, or not known", e.File)
		}
		if got, ok := l.Lookup(e.Cert); !ok || got.Trusted || got.Role != Candidate {
			t.Errorf("%s: Lookup = %+v, %v", e.File, got, ok)
		}
	}
	if len(l.Known()) != len(cands) {
		t.Errorf("Known has %d certificates, want the %d candidates", len(l.Known()), len(cands))
	}
	// One candidate has the name of the shipped legacy MIC root: a name is
	// not an identity.
	legacy := shippedByFile(t, "trust/neac-mic-national-root-ca-sha1.pem")
	same := slices.ContainsFunc(cands, func(e Entry) bool { return e.Cert.Subject.String() == legacy.Cert.Subject.String() })
	if !same {
		t.Error("no candidate shares the legacy root's subject (the corpus changed?)")
	}
	if n := len(l.Anchors()); n != len(defaultsOf(Root)) {
		t.Errorf("%d anchors, %d shipped roots", n, len(defaultsOf(Root)))
	}
	if n := len(l.Intermediates()); n != len(defaultsOf(Intermediate))+len(defaultsOf(TSA)) {
		t.Errorf("%d intermediates", n)
	}
}

// TestPinsCatchTampering feeds loadPinned altered copies of the embedded
// files: every one is an error, never a different anchor.
func TestPinsCatchTampering(t *testing.T) {
	orig := fstest.MapFS{}
	err := fs.WalkDir(assets.Trust, ".", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := fs.ReadFile(assets.Trust, path)
		orig[path] = &fstest.MapFile{Data: data}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := loadPinned(orig, pins); err != nil {
		t.Fatalf("the untouched copy: %v", err)
	}
	g1, g2 := "trust/vgca-rootca-g1.pem", "trust/vgca-rootca-g2.pem"
	lookalike, _ := makeCert(t, certSpec{rawSubject: shippedByFile(t, g2).Cert.RawSubject, ca: true})
	flip := func(b []byte) []byte {
		b = bytes.Clone(b)
		i := bytes.Index(b, []byte("\n")) + 200 // a base64 digit inside the body
		if b[i] == 'A' {
			b[i] = 'B'
		} else {
			b[i] = 'A'
		}
		return b
	}
	tests := []struct {
		name   string
		change func(m fstest.MapFS) []pin
		want   string
	}{
		{"swapped", func(m fstest.MapFS) []pin {
			m[g1], m[g2] = m[g2], m[g1]
			return pins
		}, "pinned"},
		{"one character", func(m fstest.MapFS) []pin {
			m[g2] = &fstest.MapFile{Data: flip(m[g2].Data)}
			return pins
		}, g2},
		{"look-alike", func(m fstest.MapFS) []pin {
			m[g2] = &fstest.MapFile{Data: pemOf(lookalike)}
			return pins
		}, "pinned"},
		{"second certificate", func(m fstest.MapFS) []pin {
			m[g2] = &fstest.MapFile{Data: append(bytes.Clone(m[g2].Data), pemOf(lookalike)...)}
			return pins
		}, "more than one"},
		{"missing", func(m fstest.MapFS) []pin { delete(m, g1); return pins }, g1},
		{"not pinned", func(m fstest.MapFS) []pin {
			m["trust/extra.pem"] = &fstest.MapFile{Data: pemOf(lookalike)}
			return pins
		}, "not pinned"},
		{"wrong role", func(m fstest.MapFS) []pin {
			p := slices.Clone(pins)
			p[0].role = Intermediate
			return p
		}, "pinned as intermediate"},
		{"candidate as root elsewhere", func(m fstest.MapFS) []pin {
			p := slices.Clone(pins)
			i := slices.IndexFunc(p, func(x pin) bool { return x.role == TSA })
			p[i].role = Root
			return p
		}, "pinned as root"},
	}
	for _, tt := range tests {
		m := fstest.MapFS{}
		for k, v := range orig {
			m[k] = v
		}
		table := tt.change(m)
		if _, err := loadPinned(m, table); err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: %v, want an error with %q", tt.name, err, tt.want)
		}
	}
}
