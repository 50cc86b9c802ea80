package certpath

import (
	"bytes"
	"context"
	"crypto/sha256"
	"crypto/x509"
	"encoding/hex"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"time"

	"github.com/vanthuso/vanthu/signing/cms"
)

// MaxIssuerSize is the largest body HTTPFetcher reads: 1 MiB.
const MaxIssuerSize = 1 << 20

// DefaultFetchTimeout is HTTPFetcher's timeout when Timeout is zero.
const DefaultFetchTimeout = 10 * time.Second

// HTTPFetcher fetches issuers from AIA caIssuers URLs over http:// (RFC
// 5280 section 4.2.2.1 publishes them there; https would need a path of
// its own to trust). It is safe for concurrent use.
type HTTPFetcher struct {
	// CacheDir, when set, keeps each fetched body in a file named by the
	// SHA-256 of the URL (mode 0600, written to a temporary file, synced
	// and renamed; a failure to write it is ignored). A cached body that
	// does not parse is ignored and fetched again. Entries do not expire:
	// CA certificates do not change at their URL, and a changed one is
	// checked like any other.
	CacheDir string
	// Timeout bounds one fetch, the body included; zero means
	// DefaultFetchTimeout.
	Timeout time.Duration
	// Offline answers from the cache only.
	Offline bool
	// Client is the HTTP client; nil means one that follows at most three
	// redirects, to http:// URLs only.
	Client *http.Client
}

// ErrNotCached is wrapped by FetchIssuer's error when Offline and the URL
// is not in the cache.
var ErrNotCached = errors.New("not in the cache")

// FetchIssuer returns the certificates at u: a DER certificate, PEM
// certificates, or a certs-only PKCS#7 (.p7c) in DER or PEM. They confer
// no trust: Build checks them like any other path member.
func (f *HTTPFetcher) FetchIssuer(ctx context.Context, u string) ([]*x509.Certificate, error) {
	parsed, err := url.Parse(u)
	if err != nil {
		return nil, fmt.Errorf("issuer url %q: %w", u, err)
	}
	if parsed.Scheme != "http" || parsed.Host == "" {
		return nil, fmt.Errorf("issuer url %q: only http:// is fetched", u)
	}
	cachePath := ""
	if f.CacheDir != "" {
		sum := sha256.Sum256([]byte(u))
		cachePath = filepath.Join(f.CacheDir, hex.EncodeToString(sum[:])+".crt")
		if b, err := os.ReadFile(cachePath); err == nil {
			if certs, err := ParseIssuers(b); err == nil {
				return certs, nil
			}
		}
	}
	if f.Offline {
		return nil, fmt.Errorf("issuer %s: offline and %w", u, ErrNotCached)
	}
	body, err := f.get(ctx, u)
	if err != nil {
		return nil, fmt.Errorf("issuer %s: %w", u, err)
	}
	certs, err := ParseIssuers(body)
	if err != nil {
		return nil, fmt.Errorf("issuer %s: %w", u, err)
	}
	if cachePath != "" {
		// The cache only saves a fetch: failing to write it is not the
		// caller's problem.
		_ = writeCache(cachePath, body)
	}
	return certs, nil
}

func (f *HTTPFetcher) get(ctx context.Context, u string) ([]byte, error) {
	timeout := f.Timeout
	if timeout <= 0 {
		timeout = DefaultFetchTimeout
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return nil, err
	}
	client := f.Client
	if client == nil {
		client = &http.Client{CheckRedirect: func(r *http.Request, via []*http.Request) error {
			if len(via) >= 3 {
				return errors.New("too many redirects")
			}
			if r.URL.Scheme != "http" {
				return fmt.Errorf("redirect to %s: only http:// is fetched", r.URL.Scheme)
			}
			return nil
		}}
	}
	resp, err := client.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("http status %s", resp.Status)
	}
	if resp.ContentLength > MaxIssuerSize {
		return nil, fmt.Errorf("body of %d bytes, more than %d", resp.ContentLength, MaxIssuerSize)
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, MaxIssuerSize+1))
	if err != nil {
		return nil, fmt.Errorf("read body: %w", err)
	}
	if len(body) > MaxIssuerSize {
		return nil, fmt.Errorf("body larger than %d bytes", MaxIssuerSize)
	}
	return body, nil
}

// ParseIssuers parses what an AIA caIssuers URL serves: one or more DER
// certificates, PEM CERTIFICATE blocks, or a certs-only PKCS#7 SignedData
// (DER, or PEM PKCS7 blocks).
func ParseIssuers(b []byte) ([]*x509.Certificate, error) {
	if bytes.Contains(b, []byte("-----BEGIN")) {
		var out []*x509.Certificate
		for rest := b; ; {
			var blk *pem.Block
			blk, rest = pem.Decode(rest)
			if blk == nil {
				break
			}
			switch blk.Type {
			case "CERTIFICATE":
				c, err := x509.ParseCertificate(blk.Bytes)
				if err != nil {
					return nil, fmt.Errorf("pem certificate: %w", err)
				}
				out = append(out, c)
			case "PKCS7", "CMS":
				certs, err := pkcs7Certificates(blk.Bytes)
				if err != nil {
					return nil, err
				}
				out = append(out, certs...)
			}
		}
		if len(out) == 0 {
			return nil, errors.New("no certificate in the pem")
		}
		return out, nil
	}
	if certs, err := x509.ParseCertificates(b); err == nil && len(certs) > 0 {
		return certs, nil
	}
	certs, err := pkcs7Certificates(b)
	if err != nil {
		return nil, errors.New("not a certificate, pem or pkcs#7")
	}
	return certs, nil
}

func pkcs7Certificates(b []byte) ([]*x509.Certificate, error) {
	sd, err := cms.Parse(b)
	if err != nil {
		return nil, fmt.Errorf("pkcs#7: %w", err)
	}
	if len(sd.Certificates) == 0 {
		return nil, errors.New("pkcs#7 without certificates")
	}
	return sd.Certificates, nil
}

// writeCache writes body to path atomically: a temporary file (mode 0600,
// as os.CreateTemp makes it) in the same directory, synced, renamed.
func writeCache(path string, body []byte) error {
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return err
	}
	tmp, err := os.CreateTemp(dir, ".issuer-*")
	if err != nil {
		return err
	}
	name := tmp.Name()
	ok := false
	defer func() {
		if !ok {
			tmp.Close()
			os.Remove(name)
		}
	}()
	if _, err := tmp.Write(body); err != nil {
		return err
	}
	if err := tmp.Sync(); err != nil {
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	if err := os.Rename(name, path); err != nil {
		return err
	}
	ok = true
	return nil
}
