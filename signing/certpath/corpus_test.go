package certpath

import (
	"bytes"
	"context"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/vanthuso/vanthu/internal/pdftools"
	"github.com/vanthuso/vanthu/signing/cms"
	"github.com/vanthuso/vanthu/signing/pdf"
)

func corpusDir(t testing.TB) string {
	t.Helper()
	dir, err := pdftools.CorpusDir()
	if err != nil {
		t.Fatal(err)
	}
	return dir
}

// trustFile is one single-certificate PEM of shared/corpus/trust.
type trustFile struct {
	name string // relative to trust/
	cert *x509.Certificate
}

// loadTrust reads the single-certificate files of a trust directory (the
// bundle-*.pem concatenations are left out: their certificates are the
// single files).
func loadTrust(t testing.TB, dir string) []trustFile {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(dir, "*.pem"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no certificates in %s: %v", dir, err)
	}
	var out []trustFile
	for _, f := range files {
		if strings.HasPrefix(filepath.Base(f), "bundle-") {
			continue
		}
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		blk, rest := pem.Decode(b)
		if blk == nil || len(bytes.TrimSpace(rest)) != 0 {
			t.Fatalf("%s: not a single PEM certificate", f)
		}
		c, err := x509.ParseCertificate(blk.Bytes)
		if err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		out = append(out, trustFile{filepath.Base(f), c})
	}
	return out
}

func isRoot(c *x509.Certificate) bool { return bytes.Equal(c.RawSubject, c.RawIssuer) }

func split(files []trustFile) (roots, subs []trustFile) {
	for _, f := range files {
		if isRoot(f.cert) {
			roots = append(roots, f)
		} else {
			subs = append(subs, f)
		}
	}
	return roots, subs
}

func certsOfFiles(files ...[]trustFile) []*x509.Certificate {
	var out []*x509.Certificate
	for _, fs := range files {
		for _, f := range fs {
			out = append(out, f.cert)
		}
	}
	return out
}

func fileOf(files []trustFile, c *x509.Certificate) string {
	for _, f := range files {
		if f.cert.Equal(c) {
			return f.name
		}
	}
	return "(not a corpus file)"
}

// TestTrustCorpus: every subordinate of shared/corpus/trust verifies under
// its root, SHA-1 ones included, at a time inside every certificate's
// validity and with the algorithm judged before the SHA-1 sunset; after the
// sunset the SHA-1 ones are refused. Every fingerprint is the one
// SOURCES.md publishes.
func TestTrustCorpus(t *testing.T) {
	dir := filepath.Join(corpusDir(t), "trust")
	sources, err := os.ReadFile(filepath.Join(dir, "SOURCES.md"))
	if err != nil {
		t.Fatal(err)
	}
	all := loadTrust(t, dir)
	roots, subs := split(all)
	if len(roots) < 5 || len(subs) < 13 {
		t.Fatalf("%d roots, %d subordinates", len(roots), len(subs))
	}
	for _, f := range all {
		if !bytes.Contains(sources, []byte(Fingerprint(f.cert))) {
			t.Errorf("%s: fingerprint %s not in SOURCES.md", f.name, Fingerprint(f.cert))
		}
	}
	anchors := certsOfFiles(roots)
	for _, r := range roots {
		wantPath(t, r.cert, Options{Anchors: anchors}, r.cert)
	}
	sha1 := 0
	for _, s := range subs {
		t.Run(s.name, func(t *testing.T) {
			at := s.cert.NotBefore.Add(time.Hour)
			o := Options{Anchors: anchors, Intermediates: certsOfFiles(subs), At: at, AlgorithmTime: at}
			usages := []Usage{UsageSigning}
			if slices.Contains(s.cert.ExtKeyUsage, x509.ExtKeyUsageTimeStamping) {
				usages = append(usages, UsageTimestamping)
			}
			for _, u := range usages {
				o.Usage = u
				p, err := Build(context.Background(), s.cert, o)
				if err != nil {
					t.Fatalf("usage %d: %v", u, err)
				}
				if len(p.Certs) != 2 || nameKey(p.Anchor.RawSubject) != nameKey(s.cert.RawIssuer) {
					t.Fatalf("path %v", names(p.Certs))
				}
				t.Logf("%s → %s", s.name, fileOf(roots, p.Anchor))
				isSHA1 := s.cert.SignatureAlgorithm == x509.SHA1WithRSA
				notes := 0
				for _, n := range p.Notes {
					if n.Code == NoteAlgorithmBeforeSunset && n.Cert.Equal(s.cert) && !n.Proven {
						notes++
					}
				}
				if isSHA1 != (notes == 1) || len(p.Notes) != notes {
					t.Errorf("SHA-1 %v, notes %+v", isSHA1, p.Notes)
				}
			}
			if s.cert.SignatureAlgorithm != x509.SHA1WithRSA {
				return
			}
			sha1++
			o.Usage = UsageSigning
			o.AlgorithmTime = DefaultSHA1Sunset.AddDate(0, 6, 0)
			e := wantCode(t, s.cert, o, AlgorithmRejected, s.cert)
			var ae *AlgorithmError
			if !errors.As(e, &ae) || !ae.Sunset.Equal(DefaultSHA1Sunset) {
				t.Errorf("cause %v", e.Err)
			}
		})
	}
	// VGCA G1, its TSA of 2013, Viettel-CA 2019 and NEWTEL-CA v2.
	if sha1 < 4 {
		t.Errorf("only %d SHA-1 subordinates", sha1)
	}
}

// TestTrustCorpusCandidates: the candidate roots, given as Known, end
// their subordinates' paths with UnknownRoot and the root's fingerprint;
// they share the legacy MIC root's name but not its key, and the trusted
// one is not taken for them. As anchors they would be accepted.
func TestTrustCorpusCandidates(t *testing.T) {
	dir := filepath.Join(corpusDir(t), "trust")
	sources, _ := os.ReadFile(filepath.Join(dir, "SOURCES.md"))
	roots, subs := split(loadTrust(t, dir))
	candRoots, candSubs := split(loadTrust(t, filepath.Join(dir, "candidates")))
	if len(candRoots) != 2 || len(candSubs) != 2 {
		t.Fatalf("%d candidate roots, %d subordinates", len(candRoots), len(candSubs))
	}
	for _, c := range candRoots {
		e := wantCode(t, c.cert, Options{Anchors: certsOfFiles(roots), Known: certsOfFiles(candRoots)}, UnknownRoot, c.cert)
		if e.Root != c.cert {
			t.Errorf("%s: root %v", c.name, e.Root)
		}
	}
	for _, s := range candSubs {
		t.Run(s.name, func(t *testing.T) {
			at := s.cert.NotBefore.Add(time.Hour)
			o := Options{Anchors: certsOfFiles(roots), Intermediates: certsOfFiles(subs, candSubs), Known: certsOfFiles(candRoots), At: at, AlgorithmTime: at}
			e := wantCode(t, s.cert, o, UnknownRoot, nil)
			rootFile := fileOf(candRoots, e.Root)
			fp := Fingerprint(e.Root)
			if !bytes.Contains(sources, []byte(fp)) || !strings.HasPrefix(rootFile, "mic-national-root-ca-2019-") {
				t.Errorf("root %s %s", rootFile, fp)
			}
			for _, r := range roots {
				if nameKey(r.cert.RawSubject) == nameKey(e.Root.RawSubject) && r.cert.Equal(e.Root) {
					t.Errorf("the trusted %s taken for the candidate", r.name)
				}
			}
			t.Logf("%s → unknown root %s (%s)", s.name, rootFile, fp)
			// Without the candidates the name alone leads nowhere.
			o.Known = nil
			if _, err := Build(context.Background(), s.cert, o); err == nil {
				t.Error("a path without the candidate root")
			}
			// Trusted explicitly, the same path validates.
			o.Anchors = append(o.Anchors, e.Root)
			if p, err := Build(context.Background(), s.cert, o); err != nil || !p.Anchor.Equal(e.Root) {
				t.Errorf("as an anchor: %v", err)
			}
		})
	}
}

// signedPDF is what a test needs of a signature in a real PDF.
type signedPDF struct {
	signer     *x509.Certificate
	embedded   []*x509.Certificate
	tsTime     time.Time
	tsa        *x509.Certificate
	tsEmbedded []*x509.Certificate
}

// readSignature extracts the one signature of a PDF with signing/pdf: the
// /Contents of the /V of the AcroForm's signature field, its signer
// certificate and its signature timestamp's.
func readSignature(t *testing.T, path string) signedPDF {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	st, _ := f.Stat()
	r, err := pdf.Open(f, st.Size())
	if err != nil {
		t.Fatal(err)
	}
	cat, _, err := r.Catalog()
	if err != nil {
		t.Fatal(err)
	}
	form, err := r.ResolveDict(cat["AcroForm"])
	if err != nil {
		t.Fatal(err)
	}
	fields, err := r.Resolve(form["Fields"])
	if err != nil {
		t.Fatal(err)
	}
	var contents []byte
	for _, fo := range fields.(pdf.Array) {
		fd, err := r.ResolveDict(fo)
		if err != nil || fd["FT"] != pdf.Name("Sig") {
			continue
		}
		v, err := r.ResolveDict(fd["V"])
		if err != nil {
			t.Fatal(err)
		}
		c, err := r.Resolve(v["Contents"])
		if err != nil {
			t.Fatal(err)
		}
		contents = []byte(c.(pdf.String))
	}
	if contents == nil {
		t.Fatal("no signature field")
	}
	sd, err := cms.Parse(contents)
	if err != nil {
		t.Fatal(err)
	}
	si := &sd.Signers[0]
	out := signedPDF{signer: si.FindCertificate(sd.Certificates), embedded: sd.Certificates}
	if out.signer == nil || si.TimestampToken == nil {
		t.Fatalf("signer %v, timestamp %d bytes", out.signer, len(si.TimestampToken))
	}
	ts, err := cms.ParseTimestampToken(si.TimestampToken)
	if err != nil {
		t.Fatal(err)
	}
	if out.tsa, err = ts.Verify(); err != nil {
		t.Fatal(err)
	}
	out.tsTime, out.tsEmbedded = ts.Time, ts.SignedData.Certificates
	return out
}

// TestRealVietnameseSignatures: the signer certificates of the VPCP PDFs
// (only the leaf embedded) chain to the VGCA anchors through the shipped
// intermediates — G1 with SHA-1 for vpcp_08-1, G2 for vpcp_222-ttg — and
// the TSA certificates of their timestamp tokens to the G1 root, at the
// timestamps' times (proven).
func TestRealVietnameseSignatures(t *testing.T) {
	dir := corpusDir(t)
	trust := loadTrust(t, filepath.Join(dir, "trust"))
	roots, subs := split(trust)
	for _, c := range []struct {
		file             string
		chain, tsaChain  []string // issuers after the leaf, the anchor last
		sha1Links        int
		embeddedOnlyLeaf bool
	}{
		{"vpcp_08-1.signed.pdf", []string{"vgca-cqcts-chinhphu-g1.pem", "vgca-rootca-g1.pem"}, []string{"vgca-rootca-g1.pem"}, 2, true},
		{"vpcp_222-ttg.signed.pdf", []string{"vgca-ca-nhanuoc-g2.pem", "vgca-rootca-g2.pem"}, []string{"vgca-rootca-g1.pem"}, 0, true},
	} {
		t.Run(c.file, func(t *testing.T) {
			s := readSignature(t, filepath.Join(dir, "vn", c.file))
			if c.embeddedOnlyLeaf && len(s.embedded) != 1 {
				t.Errorf("%d certificates embedded", len(s.embedded))
			}
			o := Options{
				Anchors: certsOfFiles(roots), Intermediates: append(certsOfFiles(subs), s.embedded...),
				At: s.tsTime, AlgorithmTime: s.tsTime, AlgorithmTimeProven: true,
			}
			p := buildChain(t, s.signer, o, trust, c.chain)
			sha1 := 0
			for _, n := range p.Notes {
				if n.Code == NoteAlgorithmBeforeSunset && n.Proven && n.At.Equal(s.tsTime) {
					sha1++
				}
			}
			if sha1 != c.sha1Links {
				t.Errorf("%d SHA-1 notes, want %d: %+v", sha1, c.sha1Links, p.Notes)
			}
			t.Logf("signer %q at %s: %v", s.signer.Subject.CommonName, s.tsTime, names(p.Certs))

			to := Options{Anchors: certsOfFiles(roots), Intermediates: append(certsOfFiles(subs), s.tsEmbedded...),
				At: s.tsTime, AlgorithmTime: s.tsTime, AlgorithmTimeProven: true, Usage: UsageTimestamping}
			buildChain(t, s.tsa, to, trust, c.tsaChain)

			if c.sha1Links > 0 {
				// Judged today, the G1 chain's SHA-1 is past its sunset.
				o.AlgorithmTime, o.AlgorithmTimeProven = time.Now(), false
				wantCode(t, s.signer, o, AlgorithmRejected, nil)
			}
			if now := time.Now(); now.After(s.signer.NotAfter) {
				o.At, o.AlgorithmTime = now, s.tsTime
				wantCode(t, s.signer, o, Expired, s.signer)
			}
		})
	}
}

// buildChain builds leaf's path and checks its issuers are the trust
// files want, the anchor last.
func buildChain(t *testing.T, leaf *x509.Certificate, o Options, trust []trustFile, want []string) *Path {
	t.Helper()
	p, err := Build(context.Background(), leaf, o)
	if err != nil {
		t.Fatalf("%q: %v", leaf.Subject, err)
	}
	var got []string
	for _, c := range p.Certs[1:] {
		got = append(got, fileOf(trust, c))
	}
	if !slices.Equal(got, want) {
		t.Errorf("chain %v, want %v", got, want)
	}
	return p
}
