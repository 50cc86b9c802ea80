package token

import (
	"bytes"
	"crypto/x509"
)

// maxChainLength bounds the walk up a chain; real chains have two or
// three certificates above the signer.
const maxChainLength = 8

// Chain returns the issuers of leaf found among candidates (the
// certificates on the token, Credential.Certificate of every credential
// Credentials lists: tokens carry their CA certificates), nearest first,
// for embedding in the signature. An issuer is a candidate whose
// subject is the certificate's issuer and whose key verifies the
// certificate's signature, so a certificate that only has the right name
// is never taken. The walk stops at a self-signed certificate, which is
// left out: a root is a trust anchor the verifier must already have, and
// embedding it proves nothing. It also stops when no issuer is found.
func Chain(leaf *x509.Certificate, candidates []*x509.Certificate) []*x509.Certificate {
	var chain []*x509.Certificate
	seen := map[string]bool{string(leaf.Raw): true}
	cur := leaf
	for len(chain) < maxChainLength && !selfSigned(cur) {
		issuer := findIssuer(cur, candidates, seen)
		if issuer == nil || selfSigned(issuer) {
			break
		}
		seen[string(issuer.Raw)] = true
		chain = append(chain, issuer)
		cur = issuer
	}
	return chain
}

// findIssuer returns the candidate that issued c, or nil.
func findIssuer(c *x509.Certificate, candidates []*x509.Certificate, seen map[string]bool) *x509.Certificate {
	for _, p := range candidates {
		if seen[string(p.Raw)] || !bytes.Equal(p.RawSubject, c.RawIssuer) {
			continue
		}
		if c.CheckSignatureFrom(p) == nil {
			return p
		}
	}
	return nil
}

// selfSigned reports whether c is issued by itself (a root).
func selfSigned(c *x509.Certificate) bool {
	return bytes.Equal(c.RawIssuer, c.RawSubject) && c.CheckSignatureFrom(c) == nil
}
