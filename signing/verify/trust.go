package verify

import (
	"bytes"
	"crypto/x509"
	"encoding/pem"
	"fmt"
	"os"
	"path/filepath"
)

// LoadTrust reads certificates from bundle files and directories (not
// recursive) holding PEM or DER certificates. Self-signed certificates become
// trust anchors (roots); the others are returned as intermediates for chain
// building. A named file that holds no certificate is an error; in a
// directory, files that are not certificates (README, notes) are skipped.
func LoadTrust(paths ...string) (roots, intermediates *x509.CertPool, err error) {
	roots, intermediates = x509.NewCertPool(), x509.NewCertPool()
	add := func(c *x509.Certificate) {
		if bytes.Equal(c.RawIssuer, c.RawSubject) && c.CheckSignatureFrom(c) == nil {
			roots.AddCert(c)
		} else {
			intermediates.AddCert(c)
		}
	}
	for _, p := range paths {
		st, err := os.Stat(p)
		if err != nil {
			return nil, nil, fmt.Errorf("load trust: %w", err)
		}
		if !st.IsDir() {
			certs, err := readCerts(p)
			if err != nil {
				return nil, nil, fmt.Errorf("load trust: %s: %w", p, err)
			}
			for _, c := range certs {
				add(c)
			}
			continue
		}
		ents, err := os.ReadDir(p)
		if err != nil {
			return nil, nil, fmt.Errorf("load trust: %w", err)
		}
		for _, e := range ents {
			if e.IsDir() {
				continue
			}
			certs, err := readCerts(filepath.Join(p, e.Name()))
			if err != nil {
				continue
			}
			for _, c := range certs {
				add(c)
			}
		}
	}
	return roots, intermediates, nil
}

const maxTrustFile = 16 << 20

func readCerts(path string) ([]*x509.Certificate, error) {
	st, err := os.Stat(path)
	if err != nil {
		return nil, err
	}
	if st.Size() > maxTrustFile {
		return nil, fmt.Errorf("too large for a certificate bundle")
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var out []*x509.Certificate
	rest := b
	for {
		var blk *pem.Block
		blk, rest = pem.Decode(rest)
		if blk == nil {
			break
		}
		if blk.Type != "CERTIFICATE" {
			continue
		}
		c, err := x509.ParseCertificate(blk.Bytes)
		if err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	if len(out) > 0 {
		return out, nil
	}
	certs, err := x509.ParseCertificates(b)
	if err != nil || len(certs) == 0 {
		return nil, fmt.Errorf("no certificate found")
	}
	return certs, nil
}
