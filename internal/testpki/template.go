package testpki

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/miekg/pkcs11"
)

// template is the PKI provisioned once per process for New, kept in
// memory so no temporary directory outlives the process.
var template struct {
	once     sync.Once
	err      error
	files    map[string]templateFile // relative to the PKI dir
	module   string
	duration time.Duration
}

type templateFile struct {
	data []byte
	mode fs.FileMode
}

// TB is the part of testing.TB that New uses. *testing.T, *testing.B,
// *testing.F and testing.TB satisfy it, so tests call testpki.New(t); it is
// declared here so that what links testpki (the demo, in the release
// binaries) does not link the testing package.
type TB interface {
	Helper()
	Fatalf(format string, args ...any)
	TempDir() string
	Setenv(key, value string)
}

// New returns a PKI private to the test: a copy, in t.TempDir(), of a
// template provisioned on first use in the process (a few seconds once,
// then milliseconds). It sets SOFTHSM2_CONF with t.Setenv. That variable is
// process-wide and SoftHSM2 reads it when initialised, so a test using New
// cannot run in parallel with other tests that use SoftHSM2 (t.Setenv
// panics in parallel tests), and every token.Module the test opens must be
// closed before the test ends.
func New(t TB) *PKI {
	t.Helper()
	template.once.Do(buildTemplate)
	if template.err != nil {
		t.Fatalf("testpki: %v", template.err)
	}
	dir := t.TempDir()
	for rel, f := range template.files {
		path := filepath.Join(dir, rel)
		if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
			t.Fatalf("testpki: %v", err)
		}
		if err := os.WriteFile(path, f.data, f.mode); err != nil {
			t.Fatalf("testpki: %v", err)
		}
	}
	conf, err := writeConfig(dir)
	if err != nil {
		t.Fatalf("testpki: %v", err)
	}
	p, err := load(dir, template.module)
	if err != nil {
		t.Fatalf("testpki: load copy: %v", err)
	}
	t.Setenv(EnvConfig, conf)
	if err := checkNotInitialized(p.Module); err != nil {
		t.Fatalf("testpki: %v", err)
	}
	return p
}

// probe is a handle on SoftHSM2 kept for checkNotInitialized; never
// unloaded, so the library is not reloaded for every test.
var probe struct {
	once sync.Once
	ck   *pkcs11.Ctx
}

// checkNotInitialized fails when SoftHSM2 is still initialised in the
// process, which means a token.Module (or a Signer's Closer) from an
// earlier test was not closed: its configuration would shadow the new one.
func checkNotInitialized(module string) error {
	probe.once.Do(func() { probe.ck = pkcs11.New(module) })
	if probe.ck == nil {
		return fmt.Errorf("load %s", module)
	}
	err := probe.ck.Initialize()
	switch {
	case err == nil:
		return probe.ck.Finalize()
	case errors.Is(err, pkcs11.Error(pkcs11.CKR_CRYPTOKI_ALREADY_INITIALIZED)):
		return errors.New("SoftHSM2 is still initialised by an earlier test: close every token.Module and Signer closer before the test ends")
	}
	return fmt.Errorf("initialize %s with the new configuration: %w", module, err)
}

// TemplateDuration reports how long provisioning the per-process template
// took (zero before the first New).
func TemplateDuration() time.Duration { return template.duration }

func buildTemplate() {
	dir, err := os.MkdirTemp("", "vanthu-testpki-")
	if err != nil {
		template.err = err
		return
	}
	defer os.RemoveAll(dir)
	start := time.Now()
	p, err := Provision(dir)
	if err != nil {
		template.err = err
		return
	}
	template.duration = time.Since(start)
	template.module = p.Module
	template.files = map[string]templateFile{}
	template.err = filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, err := filepath.Rel(dir, path)
		if err != nil || rel == "softhsm2.conf" {
			return err
		}
		info, err := d.Info()
		if err != nil {
			return err
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		template.files[rel] = templateFile{data: data, mode: info.Mode().Perm()}
		return nil
	})
}
