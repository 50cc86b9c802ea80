package revocation

import (
	"bytes"
	"context"
	"crypto"
	"crypto/sha256"
	"crypto/x509"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"time"

	xocsp "golang.org/x/crypto/ocsp"
)

// defaultClient is used when Checker.HTTPClient is nil; per-request
// timeouts come from contexts.
var defaultClient = &http.Client{}

func (c *Checker) client() *http.Client {
	if c.HTTPClient != nil {
		return c.HTTPClient
	}
	return defaultClient
}

// onlineOCSP answers from the cache or from the responder at url; the
// answer is verified and fresh at now.
func (c *Checker) onlineOCSP(ctx context.Context, url string, cert, issuer *x509.Certificate, now time.Time) (*Result, error) {
	req, err := xocsp.CreateRequest(cert, issuer, &xocsp.RequestOptions{Hash: crypto.SHA1})
	if err != nil {
		return nil, fmt.Errorf("build request: %v", err)
	}
	check := func(der []byte) (Result, error) {
		r, err := c.verifyOCSP(der, cert, issuer, nil)
		if errors.Is(err, errNotForCert) {
			err = errors.New("the response is about another certificate")
		}
		return r, err
	}
	return c.ask(ctx, onlineQuery{kind: "ocsp", url: url, method: http.MethodPost, body: req, limit: maxResponse, source: SourceOnlineOCSP}, cert, now, check)
}

// onlineCRL answers from the cache or from the CRL at url.
func (c *Checker) onlineCRL(ctx context.Context, url string, cert, issuer *x509.Certificate, now time.Time) (*Result, error) {
	check := func(der []byte) (Result, error) {
		r, err := c.verifyCRL(der, cert, issuer)
		if errors.Is(err, errNotForCert) {
			err = errors.New("the CRL is another issuer's")
		}
		return r, err
	}
	return c.ask(ctx, onlineQuery{kind: "crl", url: url, method: http.MethodGet, limit: maxCRL, source: SourceOnlineCRL}, cert, now, check)
}

// onlineQuery is one request to an OCSP responder or a CRL server.
type onlineQuery struct {
	kind, url, method string
	body              []byte
	limit             int64
	source            Source
}

// ask answers q from the on-disk cache while a cached answer is still
// fresh, else asks the server and caches what it says. check parses and
// verifies an answer; freshness at now is checked here.
func (c *Checker) ask(ctx context.Context, q onlineQuery, cert *x509.Certificate, now time.Time, check func([]byte) (Result, error)) (*Result, error) {
	checkFresh := func(der []byte) (Result, error) {
		r, err := check(der)
		if err == nil {
			err = c.fresh(r, cert, now)
		}
		return r, err
	}
	key := cacheKey(q.kind, q.url, q.body)
	if der := c.cacheGet(key); der != nil {
		if r, err := checkFresh(der); err == nil {
			r.Source = SourceCache
			return &r, nil
		}
	}
	if c.Offline {
		return nil, transient{errors.New("offline")}
	}
	der, err := c.httpDo(ctx, q.method, q.url, q.body, q.limit)
	if err != nil {
		return nil, err
	}
	r, err := checkFresh(der)
	if err != nil {
		return nil, err
	}
	r.Source = q.source
	c.cachePut(key, der, r.NextUpdate, now)
	return &r, nil
}

// httpDo makes one request bounded by Timeout and returns the body of a
// 200 answer.
func (c *Checker) httpDo(ctx context.Context, method, url string, body []byte, limit int64) ([]byte, error) {
	timeout := c.timeout()
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, method, url, bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	if method == http.MethodPost {
		req.Header.Set("Content-Type", "application/ocsp-request")
		req.Header.Set("Accept", "application/ocsp-response")
	}
	resp, err := c.client().Do(req)
	if err != nil {
		return nil, transient{netProblem(ctx, err, timeout)}
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		err := fmt.Errorf("HTTP %s", resp.Status)
		if resp.StatusCode >= 500 || resp.StatusCode == http.StatusTooManyRequests {
			return nil, transient{err}
		}
		return nil, err
	}
	data, err := io.ReadAll(io.LimitReader(resp.Body, limit+1))
	if err != nil {
		return nil, transient{netProblem(ctx, err, timeout)}
	}
	if int64(len(data)) > limit {
		return nil, fmt.Errorf("answer larger than %d bytes", limit)
	}
	return data, nil
}

func netProblem(ctx context.Context, err error, timeout time.Duration) error {
	var ne net.Error
	if errors.Is(ctx.Err(), context.DeadlineExceeded) || errors.As(err, &ne) && ne.Timeout() {
		return fmt.Errorf("timeout after %v", timeout)
	}
	if errors.Is(err, context.Canceled) {
		return errors.New("cancelled")
	}
	return fmt.Errorf("unreachable: %v", err)
}

// transient marks a failure that asking again later, or online, may
// cure: network errors, timeouts, HTTP 5xx, OCSP tryLater and
// internalError, Offline.
type transient struct{ error }

func (t transient) Unwrap() error { return t.error }

func isTransient(err error) bool {
	var t transient
	return errors.As(err, &t)
}

// cacheKey names a cache entry: kind, then the SHA-256 of URL and request.
func cacheKey(kind, url string, req []byte) string {
	h := sha256.New()
	h.Write([]byte(url))
	h.Write([]byte{0})
	h.Write(req)
	return kind + "-" + hex.EncodeToString(h.Sum(nil)) + ".der"
}

// cacheGet returns a cached answer, nil when none. The caller verifies it;
// an entry that fails verification is overwritten by the next fetch.
func (c *Checker) cacheGet(key string) []byte {
	if c.CacheDir == "" {
		return nil
	}
	data, err := os.ReadFile(filepath.Join(c.CacheDir, key))
	if err != nil {
		return nil
	}
	return data
}

// cachePut stores a verified answer while it has a nextUpdate to come.
// Errors are ignored: the cache is an optimisation.
func (c *Checker) cachePut(key string, der []byte, nextUpdate, now time.Time) {
	if c.CacheDir == "" || nextUpdate.IsZero() || !nextUpdate.After(now) {
		return
	}
	if err := os.MkdirAll(c.CacheDir, 0o700); err != nil {
		return
	}
	f, err := os.CreateTemp(c.CacheDir, ".tmp-*") // mode 0600
	if err != nil {
		return
	}
	_, werr := f.Write(der)
	cerr := f.Close()
	if werr != nil || cerr != nil || os.Rename(f.Name(), filepath.Join(c.CacheDir, key)) != nil {
		os.Remove(f.Name())
	}
}

// Fetch gets fresh revocation data for each certificate of chain (leaf
// first, each issued by the next) but the last, for embedding in a
// document (B-LT): a verified OCSP response when a responder answers,
// else the issuer's CRL. Delegated responder certificates embedded in
// responses are added to Certs. The cache is used and filled as by Check;
// Offline allows only the cache. Source is SourceDSS. The error lists the
// certificates nothing was found for; the Evidence holds what was.
func (c *Checker) Fetch(ctx context.Context, chain []*x509.Certificate) (Evidence, error) {
	ev := Evidence{Source: SourceDSS}
	var errs []error
	now := c.now()
	for i := 0; i+1 < len(chain); i++ {
		cert, issuer := chain[i], chain[i+1]
		if !bytes.Equal(cert.RawIssuer, issuer.RawSubject) {
			errs = append(errs, fmt.Errorf("%q: the next certificate is not its issuer", responderName(cert)))
			continue
		}
		r, problems, _ := c.online(ctx, cert, issuer, now)
		if r == nil {
			errs = append(errs, fmt.Errorf("%q: %s", responderName(cert), joinProblems(problems)))
			continue
		}
		if r.Method == MethodOCSP {
			ev.OCSP = append(ev.OCSP, r.Raw)
			if resp, err := xocsp.ParseResponseForCert(r.Raw, cert, nil); err == nil && resp.Certificate != nil {
				ev.Certs = appendCert(ev.Certs, resp.Certificate)
			}
		} else if !containsBytes(ev.CRLs, r.Raw) {
			ev.CRLs = append(ev.CRLs, r.Raw)
		}
	}
	if len(errs) > 0 {
		return ev, fmt.Errorf("revocation: fetch: %w", errors.Join(errs...))
	}
	return ev, nil
}

func joinProblems(p []string) string {
	if len(p) == 0 {
		return "nothing found"
	}
	out := p[0]
	for _, s := range p[1:] {
		out += "; " + s
	}
	return out
}

func appendCert(certs []*x509.Certificate, c *x509.Certificate) []*x509.Certificate {
	for _, have := range certs {
		if have.Equal(c) {
			return certs
		}
	}
	return append(certs, c)
}

func containsBytes(list [][]byte, b []byte) bool {
	for _, x := range list {
		if bytes.Equal(x, b) {
			return true
		}
	}
	return false
}
