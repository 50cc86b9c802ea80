// Command signbench is the worker behind `make bench` (scripts/bench.sh):
// one process per measurement, so that the peak RSS /usr/bin/time reports
// belongs to one signing engine.
//
//	signbench -gen FILE -size BYTES [-pages N] [-xref-stream]  write a sample PDF (internal/samplepdf)
//	signbench -gen-batch DIR -count N                         write N one-page PDFs into DIR
//	signbench -provision DIR                                  provision (or reuse) the SoftHSM2 test PKI in DIR
//	signbench -pki DIR -token-ops N                           time N RSA-2048 signatures on the leader's token
//	signbench -pki DIR -engine ours|pdfsign -in F -out F      sign one file once with the leader's key
//	          [-as leader|agency]                             ... or with the agency's (a second signer)
//	signbench -pki DIR -engine ours|pdfsign -batch DIR -out-dir DIR
//	                                                          sign every *.pdf in DIR with one login
//	signbench -verify FILE [-expect N]                        verify the N (default 1) signatures of FILE (signing/verify)
//	signbench -report RAW                                     print the tables from the records bench.sh collected
//
// Measuring modes print one line of key=value pairs on stdout (durations
// in milliseconds), which bench.sh appends to its raw record file together
// with the wall time and peak RSS it measured around the process. The
// signing modes reuse the PKI made by -provision; they never provision
// themselves (provisioning is not part of what is timed).
package main

import (
	"context"
	"crypto"
	"crypto/rand"
	"crypto/sha256"
	"crypto/x509"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"runtime/pprof"
	"slices"
	"strings"
	"time"

	pdfsign "github.com/digitorus/pdfsign/sign"

	"github.com/vanthuso/vanthu/internal/samplepdf"
	"github.com/vanthuso/vanthu/internal/testpki"
	"github.com/vanthuso/vanthu/signing/pades"
)

func main() {
	var (
		gen        = flag.String("gen", "", "write a sample PDF to this path")
		size       = flag.Int64("size", 0, "with -gen: approximate size in bytes")
		pages      = flag.Int("pages", 1, "with -gen: page count")
		xrefStream = flag.Bool("xref-stream", false, "with -gen: cross-reference stream instead of a table")
		genBatch   = flag.String("gen-batch", "", "write -count one-page PDFs into this directory")
		count      = flag.Int("count", 1000, "with -gen-batch: number of documents")
		provision  = flag.String("provision", "", "provision (or reuse) the test PKI in this directory and exit")
		pkiDir     = flag.String("pki", "", "directory of a PKI made by -provision")
		tokenOps   = flag.Int("token-ops", 0, "time this many RSA signatures on the leader's token")
		engine     = flag.String("engine", "ours", "signing engine: ours (signing/pades) or pdfsign (github.com/digitorus/pdfsign)")
		as         = flag.String("as", "leader", "whose key signs: leader (Nguyễn Văn An) or agency (UBND tỉnh Nghệ An)")
		in         = flag.String("in", "", "PDF to sign")
		out        = flag.String("out", "", "signed output")
		batch      = flag.String("batch", "", "sign every *.pdf in this directory")
		outDir     = flag.String("out-dir", "", "with -batch: where the signed files go")
		verifyFile = flag.String("verify", "", "verify every signature of this PDF with signing/verify")
		expect     = flag.Int("expect", 1, "with -verify: the number of signatures the file must carry")
		report     = flag.String("report", "", "print the tables for this raw record file")
		cpuProfile = flag.String("cpuprofile", "", "write a CPU profile of the signing mode to this file (investigations)")
		memProfile = flag.String("memprofile", "", "write an allocation profile at exit to this file (investigations)")
	)
	flag.Parse()
	if flag.NArg() > 0 {
		fail(fmt.Errorf("unexpected arguments %q", flag.Args()))
	}
	if *cpuProfile != "" {
		f, err := os.Create(*cpuProfile)
		if err != nil {
			fail(err)
		}
		if err := pprof.StartCPUProfile(f); err != nil {
			fail(err)
		}
		defer func() {
			pprof.StopCPUProfile()
			f.Close()
		}()
	}
	if *memProfile != "" {
		defer func() {
			f, err := os.Create(*memProfile)
			if err == nil {
				pprof.Lookup("allocs").WriteTo(f, 0)
				f.Close()
			}
		}()
	}
	var err error
	switch {
	case *gen != "":
		err = samplepdf.WriteFile(*gen, samplepdf.Options{Pages: *pages, Size: *size, XRefStream: *xrefStream, Title: "Van ban thu nghiem toc do"})
	case *genBatch != "":
		err = generateBatch(*genBatch, *count)
	case *provision != "":
		err = provisionPKI(*provision)
	case *report != "":
		err = printReport(os.Stdout, *report)
	case *verifyFile != "":
		err = verifyOne(*verifyFile, *expect)
	case *pkiDir == "":
		err = errors.New("-pki is required to sign (make one with -provision)")
	case *as != "leader" && *as != "agency":
		err = fmt.Errorf("-as %q: leader or agency", *as)
	case *tokenOps > 0:
		err = timeTokenOps(*pkiDir, *tokenOps)
	case *batch != "":
		if *outDir == "" {
			err = errors.New("-batch needs -out-dir")
			break
		}
		err = signBatch(*pkiDir, *as, *engine, *batch, *outDir)
	case *in != "" && *out != "":
		err = signOne(*pkiDir, *as, *engine, *in, *out)
	default:
		flag.Usage()
		os.Exit(2)
	}
	if err != nil {
		fail(err)
	}
}

// fail reports err and exits; profiles are not written then.
func fail(err error) {
	fmt.Fprintln(os.Stderr, "signbench:", err)
	os.Exit(1)
}

func ms(d time.Duration) string { return fmt.Sprintf("%.3f", float64(d)/float64(time.Millisecond)) }

func generateBatch(dir string, n int) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	for i := range n {
		p := filepath.Join(dir, fmt.Sprintf("doc-%05d.pdf", i+1))
		if err := samplepdf.WriteFile(p, samplepdf.Options{Title: fmt.Sprintf("Van ban so %d", i+1)}); err != nil {
			return err
		}
	}
	return nil
}

func provisionPKI(dir string) error {
	start := time.Now()
	p, err := testpki.Provision(dir)
	if err != nil {
		return err
	}
	fmt.Printf("provision_ms=%s module=%s\n", ms(time.Since(start)), p.Module)
	return nil
}

// session is one signer's key (the leader's or the agency's), logged in,
// and how long getting there took.
type session struct {
	pki *testpki.PKI
	id  testpki.Identity
	// asciiName is the signer's name without diacritics, for pdfsign.
	asciiName string
	signer    crypto.Signer
	close     func() error
	load      time.Duration // loading the provisioned PKI (pki.json, certificates)
	login     time.Duration // C_Initialize, open session, C_Login, find the key
}

func openLeader(dir string) (*session, error) { return openSigner(dir, "leader") }

// openSigner logs in to the token of who: "leader" or "agency".
func openSigner(dir, who string) (*session, error) {
	if _, err := os.Stat(filepath.Join(dir, "pki.json")); err != nil {
		return nil, fmt.Errorf("no provisioned PKI in %s (run signbench -provision %s first): %w", dir, dir, err)
	}
	start := time.Now()
	p, err := testpki.Provision(dir, testpki.SetEnv()) // loads; provisions only if stale
	if err != nil {
		return nil, err
	}
	loaded := time.Now()
	id, name := p.Leader, "Nguyen Van An"
	if who == "agency" {
		id, name = p.Agency, "UBND tinh Nghe An"
	}
	signer, closer, err := p.Signer(id, testpki.UserPIN)
	if err != nil {
		return nil, err
	}
	return &session{pki: p, id: id, asciiName: name, signer: signer, close: closer.Close, load: loaded.Sub(start), login: time.Since(loaded)}, nil
}

// signer signs in → out with one engine.
type signer func(ctx context.Context, in, out string) error

func newSigner(engine string, s *session) (signer, error) {
	id := s.id
	chain := id.Embedded()
	switch engine {
	case "ours":
		o := pades.Options{Signer: s.signer, Certificate: id.Cert, Chain: chain}
		return func(ctx context.Context, in, out string) error {
			_, err := pades.SignFile(ctx, in, out, o)
			return err
		}, nil
	case "pdfsign":
		return func(_ context.Context, in, out string) (err error) {
			defer func() {
				if r := recover(); r != nil {
					err = fmt.Errorf("pdfsign panicked: %v", r)
				}
			}()
			return pdfsign.SignFile(in, out, pdfsign.SignData{
				Signature: pdfsign.SignDataSignature{
					// Its default is a certification with "no changes
					// allowed"; an approval signature is what we write.
					CertType: pdfsign.ApprovalSignature,
					// ASCII: pdfsign breaks the file on some Vietnamese
					// letters (PDFSIGN-FINDINGS.md item 2).
					Info: pdfsign.SignDataSignatureInfo{Name: s.asciiName},
				},
				Signer:            s.signer,
				DigestAlgorithm:   crypto.SHA256,
				Certificate:       id.Cert,
				CertificateChains: [][]*x509.Certificate{chain},
			})
		}, nil
	}
	return nil, fmt.Errorf("unknown engine %q (ours or pdfsign)", engine)
}

// signOne signs one file once with who's key and prints where the time
// went.
func signOne(dir, who, engine, in, out string) error {
	start := time.Now()
	s, err := openSigner(dir, who)
	if err != nil {
		return err
	}
	sign, err := newSigner(engine, s)
	if err != nil {
		s.close()
		return err
	}
	t0 := time.Now()
	err = sign(context.Background(), in, out)
	signed := time.Since(t0)
	if err != nil {
		s.close()
		return fmt.Errorf("%s: sign %s: %w", engine, in, err)
	}
	t1 := time.Now()
	if err := s.close(); err != nil {
		return err
	}
	closed := time.Since(t1)
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	fmt.Printf("load_ms=%s login_ms=%s sign_ms=%s close_ms=%s main_ms=%s go_alloc_mib=%.1f go_sys_mib=%.1f gc=%d\n",
		ms(s.load), ms(s.login), ms(signed), ms(closed), ms(time.Since(start)),
		float64(m.TotalAlloc)/(1<<20), float64(m.Sys)/(1<<20), m.NumGC)
	return nil
}

// signBatch signs every *.pdf in dir into outDir, one login for all.
func signBatch(pkiDir, who, engine, dir, outDir string) error {
	files, err := filepath.Glob(filepath.Join(dir, "*.pdf"))
	if err != nil {
		return err
	}
	if len(files) == 0 {
		return fmt.Errorf("no *.pdf in %s", dir)
	}
	slices.Sort(files)
	if err := os.MkdirAll(outDir, 0o755); err != nil {
		return err
	}
	s, err := openSigner(pkiDir, who)
	if err != nil {
		return err
	}
	defer s.close()
	sign, err := newSigner(engine, s)
	if err != nil {
		return err
	}
	ctx := context.Background()
	per := make([]time.Duration, 0, len(files))
	t0 := time.Now()
	for _, f := range files {
		d0 := time.Now()
		if err := sign(ctx, f, filepath.Join(outDir, filepath.Base(f))); err != nil {
			return fmt.Errorf("%s: sign %s: %w", engine, f, err)
		}
		per = append(per, time.Since(d0))
	}
	total := time.Since(t0)
	slices.Sort(per)
	fmt.Printf("docs=%d login_ms=%s sign_ms=%s docs_per_s=%.1f doc_median_ms=%s doc_p95_ms=%s doc_max_ms=%s\n",
		len(files), ms(s.login), ms(total), float64(len(files))/total.Seconds(),
		ms(per[len(per)/2]), ms(per[len(per)*95/100]), ms(per[len(per)-1]))
	return nil
}

// timeTokenOps times n RSA PKCS#1 v1.5 signatures of a SHA-256 digest on
// the leader's SoftHSM2 token: the token operation inside every signing.
func timeTokenOps(dir string, n int) error {
	s, err := openLeader(dir)
	if err != nil {
		return err
	}
	defer s.close()
	digest := sha256.Sum256([]byte("Văn Thư Số"))
	if _, err := s.signer.Sign(rand.Reader, digest[:], crypto.SHA256); err != nil { // warm-up
		return err
	}
	d := make([]time.Duration, n)
	for i := range d {
		t0 := time.Now()
		if _, err := s.signer.Sign(rand.Reader, digest[:], crypto.SHA256); err != nil {
			return err
		}
		d[i] = time.Since(t0)
	}
	slices.Sort(d)
	fmt.Printf("ops=%d median_ms=%s min_ms=%s max_ms=%s login_ms=%s key=%s\n",
		n, ms(d[n/2]), ms(d[0]), ms(d[n-1]), ms(s.login), keyDesc(s.pki.Leader.Cert))
	return nil
}

func keyDesc(c *x509.Certificate) string {
	return strings.ReplaceAll(fmt.Sprintf("%v-%d", c.PublicKeyAlgorithm, bitLen(c)), " ", "")
}

func bitLen(c *x509.Certificate) int {
	if k, ok := c.PublicKey.(interface{ Size() int }); ok {
		return 8 * k.Size()
	}
	return 0
}
