package testpki

import (
	"encoding/pem"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
)

// NSS nicknames of the test CA certificates.
const (
	NSSRootNickname = "vanthu-test-root"
	NSSSubNickname  = "vanthu-test-sub"
)

// NSSDB creates (or updates) an NSS certificate database in dir trusting
// Root for signing ("CT,C,C") and holding Sub as an untrusted
// intermediate, using certutil (libnss3-tools). It returns the database
// name to pass to NSS tools, "sql:" + dir, e.g. pdfsig -nssdir.
func (p *PKI) NSSDB(dir string) (string, error) {
	dir, err := filepath.Abs(dir)
	if err != nil {
		return "", fmt.Errorf("create NSS database: %w", err)
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return "", fmt.Errorf("create NSS database: %w", err)
	}
	db := "sql:" + dir
	if _, err := os.Stat(filepath.Join(dir, "cert9.db")); os.IsNotExist(err) {
		if err := certutil("-N", "--empty-password", "-d", db); err != nil {
			return "", fmt.Errorf("create NSS database %s: %w", dir, err)
		}
	}
	for _, c := range []struct {
		nick, trust string
		der         []byte
	}{
		{NSSRootNickname, "CT,C,C", p.Root.Cert.Raw},
		{NSSSubNickname, ",,", p.Sub.Cert.Raw},
	} {
		f, err := os.CreateTemp(dir, "ca-*.pem")
		if err != nil {
			return "", fmt.Errorf("create NSS database %s: %w", dir, err)
		}
		pem.Encode(f, &pem.Block{Type: "CERTIFICATE", Bytes: c.der})
		f.Close()
		err = certutil("-A", "-d", db, "-n", c.nick, "-t", c.trust, "-i", f.Name())
		os.Remove(f.Name())
		if err != nil {
			return "", fmt.Errorf("add %s to NSS database %s: %w", c.nick, dir, err)
		}
	}
	return db, nil
}

func certutil(args ...string) error {
	out, err := exec.Command("certutil", args...).CombinedOutput()
	if err != nil {
		return fmt.Errorf("certutil %v: %w: %s", args, err, out)
	}
	return nil
}
