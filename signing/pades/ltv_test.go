package pades

import (
	"context"
	"crypto/rand"
	"crypto/x509"
	"math/big"
	"path/filepath"
	"testing"
	"time"

	"github.com/vanthuso/vanthu/internal/pdftools"
	"github.com/vanthuso/vanthu/internal/samplepdf"
	"github.com/vanthuso/vanthu/internal/testpki"
	"github.com/vanthuso/vanthu/signing/cms"
	"github.com/vanthuso/vanthu/signing/pdf"
)

// B-T, then a DSS with the chain and a CRL signed on the CA token, then a
// document timestamp: the LT and LTA steps leave the signature valid and
// the file clean for every independent tool.
func TestLongTermValidation(t *testing.T) {
	f := newFixture(t, true)
	ca, closer, err := f.pki.Signer(f.pki.Sub, testpki.UserPIN)
	if err != nil {
		t.Fatal(err)
	}
	defer closer.Close()
	crl, err := x509.CreateRevocationList(rand.Reader, &x509.RevocationList{
		Number:     big.NewInt(1),
		ThisUpdate: time.Now().Add(-time.Minute),
		NextUpdate: time.Now().Add(24 * time.Hour),
	}, f.pki.Sub.Cert, ca)
	if err != nil {
		t.Fatal(err)
	}

	dir := t.TempDir()
	in := sample(t, "in.pdf", samplepdf.Options{})
	bt := filepath.Join(dir, "bt.pdf")
	o := f.leaderOptions()
	o.Level, o.TSA = LevelT, f.tsaClient()
	res := sign(t, in, bt, o)

	lt := filepath.Join(dir, "lt.pdf")
	chain := append([]*x509.Certificate{f.pki.Leader.Cert}, f.pki.Leader.Chain...)
	v := Validation{Certs: chain, CRLs: [][]byte{crl}}
	if err := AddDSS(context.Background(), bt, lt, v, res.Field); err != nil {
		t.Fatal(err)
	}
	// A second DSS update with the same material adds nothing new.
	lt2 := filepath.Join(dir, "lt2.pdf")
	if err := AddDSS(context.Background(), lt, lt2, v); err != nil {
		t.Fatal(err)
	}
	d, err := Inspect(lt2)
	if err != nil {
		t.Fatal(err)
	}
	dss, err := d.Reader.ResolveDict(d.catalog["DSS"])
	if err != nil || dss == nil {
		t.Fatalf("no /DSS: %v", err)
	}
	certs, _ := mustResolve(d.Reader, dss["Certs"]).(pdf.Array)
	crls, _ := mustResolve(d.Reader, dss["CRLs"]).(pdf.Array)
	vri, _ := d.Reader.ResolveDict(dss["VRI"])
	if len(certs) != len(chain) || len(crls) != 1 || len(vri) != 1 {
		t.Errorf("DSS has %d certs, %d CRLs, %d VRI entries; want %d, 1, 1", len(certs), len(crls), len(vri), len(chain))
	}
	d.Close()

	lta := filepath.Join(dir, "lta.pdf")
	dts, err := AddDocumentTimestamp(context.Background(), lt2, lta, f.tsaClient(), 0)
	if err != nil {
		t.Fatal(err)
	}
	if err := pdftools.QpdfCheck(lta); err != nil {
		t.Error(err)
	}
	sigs, text, err := pdftools.Pdfsig(lta, f.nss)
	if err != nil {
		t.Fatal(err)
	}
	// poppler 22.12 lists a document timestamp but cannot validate one
	// ("Signature Type: unknown"): its token is checked below instead.
	if len(sigs) != 2 || !sigs[0].Valid() || !sigs[0].Trusted() || sigs[1].Field != dts.Field {
		t.Errorf("pdfsig:\n%s", text)
	}
	// The document timestamp's token covers the document's byte ranges.
	d2, err := Inspect(lta)
	if err != nil {
		t.Fatal(err)
	}
	defer d2.Close()
	fl, _ := d2.Field(dts.Field)
	fd, _ := d2.Reader.ResolveDict(fl.Ref)
	sd, _ := d2.Reader.ResolveDict(fd["V"])
	tok, _ := sd["Contents"].(pdf.String)
	ts, err := cms.ParseTimestampToken(trimDER(tok))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ts.Verify(); err != nil {
		t.Errorf("document timestamp token: %v", err)
	}
	want := hashRanges(t, lta, dts.ByteRange)
	if string(ts.HashedMessage) != string(want) {
		t.Error("document timestamp imprint does not match the byte ranges")
	}
	ps, err := pdftools.PdfcpuValidate(lta)
	if err != nil {
		t.Errorf("pdfcpu: %v", err)
	}
	for _, s := range ps {
		if !s.IntegrityOK() {
			t.Errorf("pdfcpu %s: %s %s %v", s.Field, s.Status, s.Reason, s.Problems)
		}
	}
}

// staticValidation is a ValidationFetcher for tests: the certificates of
// every chain and one CRL made on the CA token (the real fetcher, over OCSP
// and CRL servers, is signing/revocation's and has its own tests).
type staticValidation struct {
	crl    []byte
	chains int
}

func (s *staticValidation) Fetch(_ context.Context, chains ...[]*x509.Certificate) (Validation, error) {
	var v Validation
	for _, c := range chains {
		v.Certs = append(v.Certs, c...)
	}
	s.chains = len(chains)
	v.CRLs = [][]byte{s.crl}
	return v, nil
}

func TestSignLevels(t *testing.T) {
	f := newFixture(t, true)
	ca, closer, err := f.pki.Signer(f.pki.Sub, testpki.UserPIN)
	if err != nil {
		t.Fatal(err)
	}
	defer closer.Close()
	crl, err := x509.CreateRevocationList(rand.Reader, &x509.RevocationList{
		Number: big.NewInt(2), ThisUpdate: time.Now().Add(-time.Minute), NextUpdate: time.Now().Add(time.Hour),
	}, f.pki.Sub.Cert, ca)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		level Level
		sigs  int
	}{{LevelLT, 1}, {LevelLTA, 2}} {
		t.Run(string(c.level), func(t *testing.T) {
			in := sample(t, "in.pdf", samplepdf.Options{XRefStream: true})
			dir := t.TempDir()
			out := filepath.Join(dir, "out.pdf")
			o := f.leaderOptions()
			sv := &staticValidation{crl: crl}
			o.Level, o.TSA, o.Validation = c.level, f.tsaClient(), sv
			sign(t, in, out, o)
			if sv.chains != 2 {
				t.Errorf("fetcher asked for %d chains, want the signer's and the TSA's", sv.chains)
			}
			sigs, text, err := pdftools.Pdfsig(out, f.nss)
			if err != nil || len(sigs) != c.sigs || !sigs[0].Valid() || !sigs[0].Trusted() {
				t.Errorf("pdfsig: %v\n%s", err, text)
			}
			if err := pdftools.QpdfCheck(out); err != nil {
				t.Error(err)
			}
			assertNoTemp(t, dir)
			ents, _ := filepath.Glob(filepath.Join(dir, ".vanthu-*"))
			if len(ents) > 0 {
				t.Errorf("temporary files left: %v", ents)
			}
		})
	}
}
