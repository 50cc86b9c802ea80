package trustlist

import (
	"bytes"
	"crypto/x509"
	"encoding/asn1"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/vanthuso/vanthu/signing/cms"
)

// MaxFileSize is the largest certificate file ReadCertificates reads.
// CA publications are a few kilobytes; a bundle of every Vietnamese CA is
// under 100 KiB.
const MaxFileSize = 4 << 20

// ErrNoCertificate: a file holds no certificate in a form this package
// reads.
var ErrNoCertificate = errors.New("no certificate (PEM, DER or PKCS#7 certs-only)")

// ReadCertificates reads the certificates of the named files and
// directories, in order, each certificate once (the first time it is
// seen). A file may be a PEM bundle (CERTIFICATE, X509 CERTIFICATE,
// TRUSTED CERTIFICATE and PKCS7 blocks; other blocks such as keys are
// skipped, text around the blocks ignored), a DER certificate, or a DER
// PKCS#7 certs-only SignedData (.p7b, .p7c). A directory contributes the
// certificates of its regular files, not recursively; there a file that is
// not a certificate file (or larger than MaxFileSize) is skipped. A named
// file that holds no certificate, a damaged block, a file over
// MaxFileSize or one that is not a regular file is an error naming it;
// nothing is returned then.
func ReadCertificates(paths ...string) ([]*x509.Certificate, error) {
	var out []*x509.Certificate
	seen := map[string]bool{}
	add := func(certs []*x509.Certificate) {
		for _, c := range certs {
			if fp := string(c.Raw); !seen[fp] {
				seen[fp] = true
				out = append(out, c)
			}
		}
	}
	for _, p := range paths {
		st, err := os.Stat(p)
		if err != nil {
			return nil, fmt.Errorf("read certificates: %w", err)
		}
		if !st.IsDir() {
			certs, err := readCertFile(p, st)
			if err != nil {
				return nil, fmt.Errorf("read certificates: %s: %w", p, err)
			}
			add(certs)
			continue
		}
		ents, err := os.ReadDir(p)
		if err != nil {
			return nil, fmt.Errorf("read certificates: %w", err)
		}
		for _, e := range ents {
			path := filepath.Join(p, e.Name())
			st, err := os.Stat(path)
			if err != nil || !st.Mode().IsRegular() {
				continue // a broken link, a folder, a device or a pipe
			}
			certs, err := readCertFile(path, st)
			var pe *os.PathError
			switch {
			case errors.As(err, &pe):
				return nil, fmt.Errorf("read certificates: %w", err)
			case err != nil:
				continue // not a certificate file
			}
			add(certs)
		}
	}
	return out, nil
}

// readCertFile reads one file that Stat described as st.
func readCertFile(path string, st os.FileInfo) ([]*x509.Certificate, error) {
	if !st.Mode().IsRegular() {
		return nil, errors.New("not a regular file")
	}
	if st.Size() > MaxFileSize {
		return nil, fmt.Errorf("%d bytes, larger than the %d a certificate file may have", st.Size(), MaxFileSize)
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	// The size can change between Stat and read: read at most one byte
	// more than allowed to tell.
	data, err := io.ReadAll(io.LimitReader(f, MaxFileSize+1))
	if err != nil {
		return nil, err
	}
	if len(data) > MaxFileSize {
		return nil, fmt.Errorf("larger than the %d bytes a certificate file may have", MaxFileSize)
	}
	return ParseCertificates(data)
}

// pemBegin starts every PEM block.
var pemBegin = []byte("-----BEGIN ")

// ParseCertificates parses the certificates of one file's contents, in
// the forms ReadCertificates accepts. It returns an error wrapping
// ErrNoCertificate when there is none, and an error for any certificate
// block that does not parse (a damaged bundle is never read in part).
// It never panics.
func ParseCertificates(data []byte) ([]*x509.Certificate, error) {
	if !bytes.Contains(data, pemBegin) {
		return parseDER(data)
	}
	var out []*x509.Certificate
	rest := data
	for n := 1; ; n++ {
		var block *pem.Block
		block, rest = pem.Decode(rest)
		if block == nil {
			break
		}
		var certs []*x509.Certificate
		var err error
		switch block.Type {
		case "CERTIFICATE", "X509 CERTIFICATE":
			var c *x509.Certificate
			c, err = x509.ParseCertificate(block.Bytes)
			certs = []*x509.Certificate{c}
		case "TRUSTED CERTIFICATE":
			// OpenSSL's form: the certificate, then its trust settings.
			var raw asn1.RawValue
			if _, err = asn1.Unmarshal(block.Bytes, &raw); err == nil {
				var c *x509.Certificate
				c, err = x509.ParseCertificate(raw.FullBytes)
				certs = []*x509.Certificate{c}
			}
		case "PKCS7", "CMS":
			certs, err = parsePKCS7(block.Bytes)
		default:
			continue // a key, a CRL, a request: not ours to read
		}
		if err != nil {
			return nil, fmt.Errorf("PEM block %d (%s): %w", n, block.Type, err)
		}
		out = append(out, certs...)
	}
	if len(out) == 0 {
		if bytes.Contains(rest, pemBegin) {
			return nil, fmt.Errorf("malformed PEM block: %w", ErrNoCertificate)
		}
		return nil, ErrNoCertificate
	}
	return out, nil
}

// parseDER reads a DER certificate or a DER PKCS#7 certs-only file.
func parseDER(data []byte) ([]*x509.Certificate, error) {
	if len(data) == 0 {
		return nil, ErrNoCertificate
	}
	if c, err := x509.ParseCertificate(data); err == nil {
		return []*x509.Certificate{c}, nil
	}
	certs, err := parsePKCS7(data)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrNoCertificate, err)
	}
	return certs, nil
}

// parsePKCS7 returns the certificates of a PKCS#7 SignedData.
func parsePKCS7(der []byte) ([]*x509.Certificate, error) {
	sd, err := cms.Parse(der)
	if err != nil {
		return nil, err
	}
	switch {
	case len(sd.CertificateErrors) > 0:
		return nil, fmt.Errorf("PKCS#7: %w", errors.Join(sd.CertificateErrors...))
	case sd.ExtraBytes > 0:
		return nil, fmt.Errorf("PKCS#7: %d bytes after the structure", sd.ExtraBytes)
	case len(sd.Certificates) == 0:
		return nil, fmt.Errorf("PKCS#7 without certificates: %w", ErrNoCertificate)
	}
	return sd.Certificates, nil
}
