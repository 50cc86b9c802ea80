package pades

import (
	"context"
	"crypto/x509"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	pdfsign "github.com/digitorus/pdfsign/sign"

	"github.com/vanthuso/vanthu/internal/pdftools"
)

// corpusOutcome is what happened to one corpus file.
type corpusOutcome struct {
	file          string
	before        int // signatures pdfsig called valid before
	oursDamaged   int // of those, not valid after our signature
	oursNew       string
	oursRefused   string
	peerDamaged   int
	peerNew       string
	peerFailed    string
	fieldsBefore  int
	fieldsMissing []string
}

// TestCorpusKeepsEarlierSignatures is the acceptance test of the signing
// engine: for every corpus PDF whose signatures pdfsig reports valid, add
// our signature and check that every earlier signature still verifies in
// pdfsig, that ours does, and that every form field survives. pdfsign runs
// on the same inputs; how many files it damages is printed for comparison.
func TestCorpusKeepsEarlierSignatures(t *testing.T) {
	files, err := pdftools.CorpusPDFs("dss", "vn")
	if err != nil {
		t.Fatal(err)
	}
	f := newFixture(t, false)
	var outcomes []corpusOutcome
	var lockedFiles []string
	for _, in := range files {
		before, _, err := pdftools.Pdfsig(in, "")
		if err != nil {
			t.Fatal(err)
		}
		validBefore := validFields(before)
		if len(validBefore) == 0 {
			continue
		}
		name := strings.TrimPrefix(in, filepath.Dir(filepath.Dir(in))+"/")
		oc := corpusOutcome{file: name, before: len(validBefore)}
		t.Run(name, func(t *testing.T) {
			f.t = t
			doc, err := Inspect(in)
			if err != nil {
				t.Fatalf("inspect: %v", err)
			}
			var fieldNames []string
			for _, fl := range doc.Fields {
				fieldNames = append(fieldNames, fl.Name)
			}
			certified := doc.DocMDP == 1
			lockErr := doc.CheckFieldLock("")
			doc.Close()
			oc.fieldsBefore = len(fieldNames)

			out := filepath.Join(t.TempDir(), "ours.pdf")
			_, err = SignFile(context.Background(), in, out, f.agencyOptions())
			switch {
			case certified && errors.Is(err, ErrCertifiedNoChanges):
				oc.oursRefused = "certified, no changes allowed"
				if fileExists(out) {
					t.Errorf("refused signature left an output file")
				}
			case lockErr != nil && errors.Is(err, ErrFieldLocked):
				oc.oursRefused = "locked by an earlier signature (FieldMDP)"
				lockedFiles = append(lockedFiles, name)
				if fileExists(out) {
					t.Errorf("refused signature left an output file")
				}
			case err != nil:
				t.Errorf("sign: %v", err)
				oc.oursRefused = err.Error()
			default:
				after, text, err := pdftools.Pdfsig(out, "")
				if err != nil {
					t.Fatal(err)
				}
				oc.oursDamaged, oc.oursNew = compareAfter(validBefore, after)
				if oc.oursDamaged > 0 || oc.oursNew != "valid" {
					t.Errorf("after our signature: %d earlier signatures damaged, ours %s\n%s", oc.oursDamaged, oc.oursNew, text)
				}
				// Form fields: every field is still there.
				d2, err := Inspect(out)
				if err != nil {
					t.Fatalf("inspect output: %v", err)
				}
				for _, n := range fieldNames {
					if _, ok := d2.Field(n); !ok {
						oc.fieldsMissing = append(oc.fieldsMissing, n)
					}
				}
				d2.Close()
				if len(oc.fieldsMissing) > 0 {
					t.Errorf("fields lost: %v", oc.fieldsMissing)
				}
				// Structure: no new qpdf complaint.
				if code, _ := pdftools.QpdfCheckCode(in); code == 0 {
					if err := pdftools.QpdfCheck(out); err != nil {
						t.Errorf("qpdf was clean before signing: %v", err)
					}
				}
			}

			// The peer, on the same input.
			peerOut := filepath.Join(t.TempDir(), "pdfsign.pdf")
			if err := signWithPdfsign(in, peerOut, f); err != nil {
				oc.peerFailed = err.Error()
				return
			}
			after, _, err := pdftools.Pdfsig(peerOut, "")
			if err != nil {
				oc.peerFailed = err.Error()
				return
			}
			oc.peerDamaged, oc.peerNew = compareAfter(validBefore, after)
		})
		outcomes = append(outcomes, oc)
	}
	// The files whose earlier signatures lock every field (FieldMDP All,
	// or /Lock /P 1): checked by hand in the corpus test of signing/acroform.
	if want := []string{"dss-2236/annotation-and-visible-change.pdf", "dss/AD-RB.pdf", "dss/test-with-vri.pdf"}; !slices.Equal(slices.Sorted(slices.Values(lockedFiles)), want) {
		t.Errorf("refused as locked: %q, want %q", lockedFiles, want)
	}
	if len(outcomes) < 20 {
		t.Fatalf("only %d corpus files had valid signatures; is the corpus complete?", len(outcomes))
	}
	printComparison(t, outcomes)
}

// validFields returns the field names of signatures pdfsig calls valid.
func validFields(sigs []pdftools.PdfsigSignature) map[string]bool {
	m := map[string]bool{}
	for i, s := range sigs {
		if s.Valid() {
			m[fieldKey(i, s)] = true
		}
	}
	return m
}

func fieldKey(i int, s pdftools.PdfsigSignature) string {
	if s.Field != "" {
		return s.Field
	}
	return fmt.Sprintf("#%d", i+1)
}

// compareAfter counts earlier valid signatures no longer valid and says
// what became of the new one (the signature whose field was not there
// before, or the last one).
func compareAfter(validBefore map[string]bool, after []pdftools.PdfsigSignature) (damaged int, newSig string) {
	seen := map[string]bool{}
	newSig = "missing"
	for i, s := range after {
		k := fieldKey(i, s)
		if validBefore[k] && !seen[k] {
			seen[k] = true
			if !s.Valid() {
				damaged++
			}
			continue
		}
		if !validBefore[k] && i == len(after)-1 {
			if s.Valid() {
				newSig = "valid"
			} else {
				newSig = strings.TrimSuffix(s.Validation, ".")
			}
		}
	}
	damaged += len(validBefore) - len(seen)
	return damaged, newSig
}

// signWithPdfsign signs in → out with github.com/digitorus/pdfsign as an
// approval signature (its default, a certification with no changes
// allowed, would make the comparison unfair).
func signWithPdfsign(in, out string, f *fixture) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("pdfsign panicked: %v", r)
		}
	}()
	o := f.agencyOptions()
	err = pdfsign.SignFile(in, out, pdfsign.SignData{
		Signature: pdfsign.SignDataSignature{
			CertType: pdfsign.ApprovalSignature,
			Info:     pdfsign.SignDataSignatureInfo{Name: "UBND tinh Nghe An"},
		},
		Signer:            o.Signer,
		Certificate:       o.Certificate,
		CertificateChains: [][]*x509.Certificate{o.Chain},
	})
	if err != nil {
		os.Remove(out)
	}
	return err
}

func printComparison(t *testing.T, outcomes []corpusOutcome) {
	var b strings.Builder
	var ours, peer, peerEarlier, peerNewBad, peerFailed, refused, files int
	fmt.Fprintf(&b, "%-72s %6s %-22s %-22s\n", "file", "valid", "ours: damaged/new", "pdfsign: damaged/new")
	for _, o := range outcomes {
		files++
		os := fmt.Sprintf("%d/%s", o.oursDamaged, o.oursNew)
		if o.oursRefused != "" {
			os = "refused: " + o.oursRefused
			refused++
		}
		ps := fmt.Sprintf("%d/%s", o.peerDamaged, o.peerNew)
		if o.peerFailed != "" {
			ps = "failed"
			peerFailed++
		}
		if o.oursDamaged > 0 || (o.oursRefused == "" && o.oursNew != "valid") {
			ours++
		}
		if o.peerFailed == "" && (o.peerDamaged > 0 || o.peerNew != "valid") {
			peer++
		}
		if o.peerFailed == "" && o.peerDamaged > 0 {
			peerEarlier++
		}
		if o.peerFailed == "" && o.peerNew != "valid" {
			peerNewBad++
		}
		fmt.Fprintf(&b, "%-72s %6d %-22s %-22s\n", o.file, o.before, os, ps)
	}
	fmt.Fprintf(&b, "files with valid signatures: %d; damaged (an earlier signature broken or the new one invalid): ours %d, pdfsign %d (earlier signature broken: %d, its own signature invalid: %d, failed outright: %d); refused by ours with a reason: %d\n",
		files, ours, peer, peerEarlier, peerNewBad, peerFailed, refused)
	t.Log("\n" + b.String())
	fmt.Fprint(os.Stderr, b.String())
}
