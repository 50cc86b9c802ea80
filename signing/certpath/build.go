package certpath

import (
	"bytes"
	"context"
	"crypto"
	"crypto/sha256"
	"crypto/x509"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/vanthuso/vanthu/signing/internal/pubkey"
)

// Usage is what the leaf certificate is used for.
type Usage int

const (
	// UsageSigning: document signatures. Any extended key usage is
	// accepted; the key usage is the verifier's to check.
	UsageSigning Usage = iota
	// UsageTimestamping: a time-stamp authority; the leaf needs the
	// timeStamping extended key usage.
	UsageTimestamping
	// UsageOCSPSigning: a delegated OCSP responder; the leaf needs the
	// OCSPSigning extended key usage.
	UsageOCSPSigning
)

// Bounds against hostile input.
const (
	// MaxPathCerts is the longest path built, leaf and anchor included.
	MaxPathCerts = 10
	// maxCandidates is how many issuer candidates are tried per certificate.
	maxCandidates = 32
	// maxSignatureChecks bounds the signature verifications of one Build.
	maxSignatureChecks = 256
	// maxFetches bounds the AIA fetches of one Build.
	maxFetches = 4
	// maxVisits bounds the partial paths one Build extends (cross-certified
	// meshes reach one certificate by many paths).
	maxVisits = 2048
)

// IssuerFetcher fetches the certificates at an AIA caIssuers URL.
type IssuerFetcher interface {
	FetchIssuer(ctx context.Context, url string) ([]*x509.Certificate, error)
}

// Options are the inputs of Build.
type Options struct {
	// Anchors are the trust anchors; their self-signatures are not
	// checked, their validity and CA status are.
	Anchors []*x509.Certificate
	// Intermediates are candidate issuers (certificates of the CMS, of the
	// DSS, shipped intermediates). They confer no trust.
	Intermediates []*x509.Certificate
	// Known are roots known but not trusted (shipped candidates): a path
	// ending at one is UnknownRoot with Root set.
	Known []*x509.Certificate
	// At is the evaluation time: every certificate of the path must be
	// valid at it. Zero means now.
	At time.Time
	// AlgorithmTime is the time the algorithm policy is judged at (the
	// signature time); zero means At.
	AlgorithmTime time.Time
	// AlgorithmTimeProven says whether AlgorithmTime is proven (by a
	// timestamp) or only claimed; the notes say which.
	AlgorithmTimeProven bool
	Usage               Usage
	// Policy judges hashes and keys; nil means DefaultPolicy().
	Policy *Policy
	// Fetcher, when set, fetches a missing issuer from the AIA caIssuers
	// URL of the certificate that needs it. Fetched certificates are
	// checked like any other path member.
	Fetcher IssuerFetcher
}

// Path is a validated certification path.
type Path struct {
	Certs  []*x509.Certificate // leaf first, anchor last
	Anchor *x509.Certificate
	Notes  []Note
	// Fetched lists the path's issuers that came from AIA.
	Fetched []*x509.Certificate
}

// Note codes.
const (
	// NoteAlgorithmBeforeSunset: a certificate's signature uses a hash with
	// a sunset (SHA-1 by default) and was accepted because AlgorithmTime
	// is before it.
	NoteAlgorithmBeforeSunset = "algorithm-before-sunset"
	// NoteFetchedIssuer: an issuer came from the AIA caIssuers URL.
	NoteFetchedIssuer = "fetched-issuer"
)

// Note is something a validated path's user should know.
type Note struct {
	Code   string
	Detail string // in English
	Cert   *x509.Certificate
	// For NoteAlgorithmBeforeSunset: the hash, its sunset, the time it was
	// judged at and whether that time is proven.
	Hash   crypto.Hash
	Sunset time.Time
	At     time.Time
	Proven bool
}

// Code classifies a failure.
type Code string

// Failure codes.
const (
	// UnknownRoot: the path ends at a self-signed certificate that is not
	// an anchor (Error.Root; its SHA-256 fingerprint is for the user).
	UnknownRoot Code = "unknown-root"
	// NoIssuer: no issuer found (its name and AIA URL in Detail).
	NoIssuer Code = "no-issuer"
	// Expired, NotYetValid: a certificate is outside its validity at At.
	Expired     Code = "expired"
	NotYetValid Code = "not-yet-valid"
	// AlgorithmRejected: a hash or key refused by the policy at
	// AlgorithmTime (Err is the *AlgorithmError, with the sunset).
	AlgorithmRejected Code = "algorithm-rejected"
	// BadSignature: a certificate's signature does not verify with its
	// issuer's key.
	BadSignature Code = "bad-signature"
	// NotCA: an issuer is not a CA.
	NotCA Code = "not-ca"
	// KeyUsage: an issuer's key usage lacks keyCertSign.
	KeyUsage Code = "key-usage"
	// ExtKeyUsage: the leaf lacks the extended key usage Usage needs.
	ExtKeyUsage Code = "ext-key-usage"
	// PathLength: a path length constraint is exceeded.
	PathLength Code = "path-length"
	// CriticalExtension: a critical extension not handled here.
	CriticalExtension Code = "critical-extension"
	// NameConstraints: a name outside an issuer's name constraints.
	NameConstraints Code = "name-constraints"
	// Unsupported: something that cannot be checked here (an algorithm,
	// a name constraint form, a path beyond the bounds).
	Unsupported Code = "unsupported"
)

// Error is the error of Build.
type Error struct {
	Code Code
	// Cert is the certificate the problem is about.
	Cert *x509.Certificate
	// Root is the self-signed certificate of an UnknownRoot path.
	Root   *x509.Certificate
	Detail string // in English
	Err    error  // the cause, when there is one
}

func (e *Error) Error() string {
	s := "certpath: " + string(e.Code)
	if e.Detail != "" {
		s += ": " + e.Detail
	}
	if e.Err != nil {
		s += ": " + e.Err.Error()
	}
	return s
}

func (e *Error) Unwrap() error { return e.Err }

// candidate is a certificate that may be an issuer.
type candidate struct {
	cert    *x509.Certificate
	subject string // nameKey(RawSubject)
	anchor  *x509.Certificate
	fetched bool
}

type sigKey struct {
	child  [32]byte
	issuer string // RawSubjectPublicKeyInfo
}

type sigResult struct {
	hash crypto.Hash
	err  error
}

// rank orders failures: the most informative is returned.
const (
	rankNoIssuer = iota + 1
	rankBadLink
	rankUnknownRoot
	rankAnchored
)

type builder struct {
	ctx      context.Context
	o        Options
	policy   *Policy
	at       time.Time
	algAt    time.Time
	byName   map[string][]*candidate
	seen     map[[32]byte]bool
	anchors  []*candidate
	sigCache map[sigKey]sigResult
	checks   int
	fetches  int
	visits   int
	// exhausted: a budget ran out; the search unwinds.
	exhausted bool
	fetched   map[string]error
	best      *Error
	bestRank  int
	stop      error
}

// Build builds and validates a certification path from leaf to one of
// o.Anchors (see the package documentation). It returns the first path
// that passes every check; when none does, an *Error: the most informative
// failure of the candidate paths (an anchored path's failure before an
// unknown root, before a bad signature, before a missing issuer).
func Build(ctx context.Context, leaf *x509.Certificate, o Options) (*Path, error) {
	if leaf == nil {
		return nil, &Error{Code: Unsupported, Detail: "no certificate"}
	}
	b := &builder{ctx: ctx, o: o, policy: o.Policy, at: o.At, algAt: o.AlgorithmTime,
		byName: map[string][]*candidate{}, seen: map[[32]byte]bool{}, sigCache: map[sigKey]sigResult{},
		fetched: map[string]error{}}
	if b.policy == nil {
		b.policy = DefaultPolicy()
	}
	if b.at.IsZero() {
		b.at = time.Now()
	}
	if b.algAt.IsZero() {
		b.algAt = b.at
	}
	for _, a := range o.Anchors {
		if c := b.add(a, false); c != nil {
			c.anchor = a
			b.anchors = append(b.anchors, c)
		}
	}
	for _, list := range [][]*x509.Certificate{o.Intermediates, o.Known} {
		for _, c := range list {
			b.add(c, false)
		}
	}
	if p := b.search([]*x509.Certificate{leaf}, nil); p != nil {
		return p, nil
	}
	if b.stop != nil {
		return nil, &Error{Code: NoIssuer, Cert: leaf, Detail: "path building stopped", Err: b.stop}
	}
	if b.best == nil {
		return nil, &Error{Code: NoIssuer, Cert: leaf, Detail: "no path"}
	}
	return nil, b.best
}

// add puts c among the candidate issuers, once.
func (b *builder) add(c *x509.Certificate, fetched bool) *candidate {
	if c == nil {
		return nil
	}
	id := sha256.Sum256(c.Raw)
	if b.seen[id] {
		return nil
	}
	b.seen[id] = true
	cand := &candidate{cert: c, subject: nameKey(c.RawSubject), fetched: fetched}
	b.byName[cand.subject] = append(b.byName[cand.subject], cand)
	return cand
}

func (b *builder) fail(rank int, e *Error) {
	if rank > b.bestRank {
		b.best, b.bestRank = e, rank
	}
}

// anchorFor returns the anchor c is: the same bytes, or (unless
// bytesOnly) the same subject and public key (a re-issued root).
func (b *builder) anchorFor(c *x509.Certificate, bytesOnly bool) *x509.Certificate {
	key := nameKey(c.RawSubject)
	for _, a := range b.anchors {
		if bytes.Equal(a.cert.Raw, c.Raw) {
			return a.anchor
		}
	}
	if bytesOnly {
		return nil
	}
	for _, a := range b.anchors {
		if a.subject == key && bytes.Equal(a.cert.RawSubjectPublicKeyInfo, c.RawSubjectPublicKeyInfo) {
			return a.anchor
		}
	}
	return nil
}

// checkSignature verifies child's signature with parent's key, once per
// pair, within the budget.
func (b *builder) checkSignature(child, parent *x509.Certificate) (crypto.Hash, error, bool) {
	k := sigKey{sha256.Sum256(child.Raw), string(parent.RawSubjectPublicKeyInfo)}
	if r, ok := b.sigCache[k]; ok {
		return r.hash, r.err, true
	}
	if b.checks >= maxSignatureChecks {
		return 0, nil, false
	}
	b.checks++
	h, err := pubkey.VerifyCertificateSignature(child.SignatureAlgorithm, parent.PublicKey, child.RawTBSCertificate, child.Signature)
	b.sigCache[k] = sigResult{h, err}
	return h, err, true
}

// selfSigned reports whether c is self-issued and its signature verifies
// with its own key.
func (b *builder) selfSigned(c *x509.Certificate) bool {
	if nameKey(c.RawIssuer) != nameKey(c.RawSubject) {
		return false
	}
	_, err, ok := b.checkSignature(c, c)
	return ok && err == nil
}

// inPath reports whether a certificate with c's subject and key is in
// path already (a loop, cross-certified CAs included).
func inPath(path []*x509.Certificate, c *x509.Certificate) bool {
	key := nameKey(c.RawSubject)
	for _, p := range path {
		if bytes.Equal(p.RawSubjectPublicKeyInfo, c.RawSubjectPublicKeyInfo) && nameKey(p.RawSubject) == key {
			return true
		}
	}
	return false
}

// issuers returns the candidates for c's issuer not in path: by name,
// narrowed by the authority key identifier, anchors first, then those
// valid at At, at most maxCandidates.
func (b *builder) issuers(c *x509.Certificate, path []*x509.Certificate) []*candidate {
	var out []*candidate
	for _, cand := range b.byName[nameKey(c.RawIssuer)] {
		if len(c.AuthorityKeyId) > 0 && len(cand.cert.SubjectKeyId) > 0 && !bytes.Equal(c.AuthorityKeyId, cand.cert.SubjectKeyId) {
			continue
		}
		if inPath(path, cand.cert) {
			continue
		}
		out = append(out, cand)
	}
	score := func(cand *candidate) int {
		s := 0
		if b.anchorFor(cand.cert, false) != nil {
			s += 4
		}
		if !b.at.Before(cand.cert.NotBefore) && !b.at.After(cand.cert.NotAfter) {
			s += 2
		}
		if len(c.AuthorityKeyId) > 0 && bytes.Equal(c.AuthorityKeyId, cand.cert.SubjectKeyId) {
			s++
		}
		return s
	}
	slices.SortStableFunc(out, func(x, y *candidate) int { return score(y) - score(x) })
	if len(out) > maxCandidates {
		out = out[:maxCandidates]
	}
	return out
}

// search extends path (leaf first) to an anchor, depth first.
// fetchedUsed lists the path's members that came from AIA.
func (b *builder) search(path []*x509.Certificate, fetchedUsed []*x509.Certificate) *Path {
	if b.stop != nil || b.exhausted {
		return nil
	}
	if err := b.ctx.Err(); err != nil {
		b.stop = err
		return nil
	}
	c := path[len(path)-1]
	if b.visits++; b.visits > maxVisits {
		b.exhausted = true
		b.fail(rankBadLink, &Error{Code: Unsupported, Cert: c, Detail: fmt.Sprintf("path building gave up after %d partial paths", maxVisits)})
		return nil
	}
	// The leaf is an anchor only as itself: another certificate of the
	// same subject and key would stand in for it with other contents.
	if a := b.anchorFor(c, len(path) == 1); a != nil {
		full := append(slices.Clone(path[:len(path)-1]), a)
		p, err := b.validate(full)
		if err != nil {
			b.fail(rankAnchored, err)
			return nil
		}
		p.Fetched = slices.Clone(fetchedUsed)
		for _, f := range fetchedUsed {
			p.Notes = append(p.Notes, Note{Code: NoteFetchedIssuer, Cert: f,
				Detail: fmt.Sprintf("issuer %q was fetched from %s", subjectName(f), strings.Join(f.IssuingCertificateURL, " "))})
		}
		return p
	}
	if b.selfSigned(c) {
		b.fail(rankUnknownRoot, &Error{Code: UnknownRoot, Cert: c, Root: c,
			Detail: fmt.Sprintf("the path ends at %q (SHA-256 %s), which is not a trust anchor", subjectName(c), Fingerprint(c))})
		return nil
	}
	if len(path) >= MaxPathCerts {
		b.fail(rankBadLink, &Error{Code: Unsupported, Cert: c, Detail: fmt.Sprintf("path longer than %d certificates", MaxPathCerts)})
		return nil
	}
	tried := false
	for round := 0; round < 2; round++ {
		linked := false
		for _, cand := range b.issuers(c, path) {
			if round == 1 && !cand.fetched {
				continue
			}
			tried = true
			_, err, ok := b.checkSignature(c, cand.cert)
			if !ok {
				b.exhausted = true
				b.fail(rankBadLink, &Error{Code: Unsupported, Cert: c,
					Detail: fmt.Sprintf("path building gave up after %d signature checks", maxSignatureChecks)})
				return nil
			}
			if err != nil {
				code := BadSignature
				if errors.Is(err, pubkey.ErrUnsupported) {
					code = Unsupported
					if isWeakAlgorithm(c.SignatureAlgorithm) {
						code = AlgorithmRejected
						err = &AlgorithmError{Algorithm: c.SignatureAlgorithm.String(), At: b.algAt}
					}
				}
				b.fail(rankBadLink, &Error{Code: code, Cert: c, Err: err,
					Detail: fmt.Sprintf("the signature of %q does not verify with the key of %q", subjectName(c), subjectName(cand.cert))})
				continue
			}
			linked = true
			used := fetchedUsed
			if cand.fetched {
				used = append(slices.Clone(fetchedUsed), cand.cert)
			}
			if p := b.search(append(slices.Clone(path), cand.cert), used); p != nil {
				return p
			}
			if b.stop != nil || b.exhausted {
				return nil
			}
		}
		if linked || round == 1 || !b.fetch(c) {
			break
		}
	}
	if !tried {
		b.fail(rankNoIssuer, b.noIssuer(c))
	}
	return nil
}

// isWeakAlgorithm reports the signature algorithms the policy never
// accepts and pubkey refuses to check.
func isWeakAlgorithm(a x509.SignatureAlgorithm) bool {
	return a == x509.MD2WithRSA || a == x509.MD5WithRSA
}

// fetch asks the Fetcher for c's issuer; it reports whether it added a
// certificate.
func (b *builder) fetch(c *x509.Certificate) bool {
	if b.o.Fetcher == nil {
		return false
	}
	added := false
	for _, u := range c.IssuingCertificateURL {
		if _, done := b.fetched[u]; done || b.fetches >= maxFetches {
			continue
		}
		b.fetches++
		certs, err := b.o.Fetcher.FetchIssuer(b.ctx, u)
		b.fetched[u] = err
		for _, f := range certs {
			if b.add(f, true) != nil {
				added = true
			}
		}
		if err == nil && len(certs) == 0 {
			b.fetched[u] = errors.New("no certificate")
		}
	}
	return added
}

func (b *builder) noIssuer(c *x509.Certificate) *Error {
	var d strings.Builder
	fmt.Fprintf(&d, "no issuer %q found for %q", issuerName(c), subjectName(c))
	var errs []error
	if len(c.IssuingCertificateURL) > 0 {
		fmt.Fprintf(&d, "; AIA caIssuers %s", strings.Join(c.IssuingCertificateURL, " "))
		for _, u := range c.IssuingCertificateURL {
			if err, done := b.fetched[u]; done && err != nil {
				errs = append(errs, fmt.Errorf("fetch %s: %w", u, err))
			}
		}
		if b.o.Fetcher == nil {
			d.WriteString(" (not fetched)")
		}
	}
	return &Error{Code: NoIssuer, Cert: c, Detail: d.String(), Err: errors.Join(errs...)}
}

// Fingerprint returns the SHA-256 of c's DER in upper-case hex, bytes
// separated by colons, as certificate viewers show it.
func Fingerprint(c *x509.Certificate) string {
	sum := sha256.Sum256(c.Raw)
	var s strings.Builder
	for i, x := range sum {
		if i > 0 {
			s.WriteByte(':')
		}
		fmt.Fprintf(&s, "%02X", x)
	}
	return s.String()
}

func subjectName(c *x509.Certificate) string { return c.Subject.String() }
func issuerName(c *x509.Certificate) string  { return c.Issuer.String() }
