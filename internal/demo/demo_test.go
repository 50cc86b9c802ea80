package demo

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/vanthuso/vanthu/signing/trustlist"

	"github.com/vanthuso/vanthu/internal/pdftools"
	"github.com/vanthuso/vanthu/internal/testpki"
	"github.com/vanthuso/vanthu/signing/verify"
)

// TestPrepare prepares the demo twice in one folder (the second time
// reuses the tokens) and checks what a newcomer gets: documents, images,
// a timestamp authority that answers, and a leader-signed decision that
// pdfsig and our verifier accept against the demo's trust anchors.
func TestPrepare(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "vanthu-demo")
	t.Setenv(testpki.EnvConfig, "")
	var steps []Step
	env, err := Prepare(context.Background(), dir, WithProgress(func(s Step) { steps = append(steps, s) }))
	if err != nil {
		t.Fatal(err)
	}
	defer env.Close()
	if strings.Join(stepNames(steps), ",") != "pki,tsa,documents,leader" {
		t.Errorf("steps %v", steps)
	}
	if got := os.Getenv(testpki.EnvConfig); got != env.PKI.ConfigPath {
		t.Errorf("SOFTHSM2_CONF = %q, want the demo's %q", got, env.PKI.ConfigPath)
	}
	for _, f := range append(append([]string{}, env.Documents...), env.SignatureImage, env.SealImage, env.TrustRoot, env.ModulePath) {
		if st, err := os.Stat(f); err != nil || st.Size() == 0 {
			t.Errorf("%s: %v", f, err)
		}
	}
	if !strings.HasPrefix(env.TSAURL, "http://127.0.0.1:") || env.PIN != testpki.UserPIN {
		t.Errorf("TSA %q PIN %q", env.TSAURL, env.PIN)
	}

	signed := env.Documents[DocDecisionSigned]
	anchors, err := trustlist.ReadCertificates(env.TrustRoot)
	if err != nil {
		t.Fatal(err)
	}
	// The demo PKI runs no OCSP responder: revocation is accepted unchecked.
	rep, err := verify.VerifyFile(context.Background(), signed, verify.Options{Anchors: anchors, AcceptUnknownRevocation: true})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Verdict != verify.Valid || len(rep.Signatures) != 1 || rep.Signatures[0].Signer.Name != "Nguyễn Văn An" {
		t.Fatalf("leader-signed decision: %+v", rep)
	}
	sigs, text, err := pdftools.Pdfsig(signed, "")
	if err != nil || len(sigs) != 1 || !sigs[0].Valid() {
		t.Errorf("pdfsig: %v\n%s", err, text)
	}
	env.Close()

	// Again: the tokens are reused, the documents written anew.
	again, err := Prepare(context.Background(), dir)
	if err != nil {
		t.Fatal(err)
	}
	defer again.Close()
	if again.PKI.Leader.Cert.SerialNumber.Cmp(env.PKI.Leader.Cert.SerialNumber) != 0 {
		t.Error("the second Prepare provisioned new tokens")
	}
}

// A folder that cannot be created fails with the step that failed.
func TestPrepareBadFolder(t *testing.T) {
	file := filepath.Join(t.TempDir(), "file")
	if err := os.WriteFile(file, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	_, err := Prepare(context.Background(), filepath.Join(file, "demo"))
	var se *StepError
	if err == nil || !asStepError(err, &se) || se.Step != StepDocuments {
		t.Fatalf("err = %v", err)
	}
}

func asStepError(err error, target **StepError) bool {
	se, ok := err.(*StepError)
	*target = se
	return ok
}

func stepNames(s []Step) []string {
	var out []string
	for _, x := range s {
		out = append(out, string(x))
	}
	return out
}
