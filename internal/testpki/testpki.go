package testpki

import (
	"bytes"
	"crypto"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"

	"github.com/vanthuso/vanthu/signing/token"
)

// PINs of every token.
const (
	UserPIN = "123456"
	SOPIN   = "12345678"
)

// Token labels. The extra token's label is UTF-8 (12 bytes) on purpose.
const (
	LeaderToken = "Nguyen Van An" // Leader: the one credential the demo signs with
	AgencyToken = "UBND Nghe An"  // Agency: the organisation's seal certificate
	// The two other demo agencies' tokens: their clerks' seal certificates.
	Agency2Token = "So Tai chinh"
	Agency3Token = "So Noi vu"
	CAToken      = "CA"       // Root, Sub and TSA keys and certificates
	ExtraToken   = "Kiểm thử" // ECDSA, Expired, CertSignOnly, plus Root and Sub certificates without keys
)

// AgencyCode is the agency's mã định danh, in the organizationIdentifier
// attribute (OID 2.5.4.97) of Agency's subject.
const AgencyCode = "000.00.00.H41"

// Agency2Code and Agency3Code are the mã định danh of Sở Tài chính and Sở
// Nội vụ tỉnh Nghệ An in the test PKI and the demo: level-2 units under
// the province (the third group of the code).
const (
	Agency2Code = "000.00.01.H41"
	Agency3Code = "000.00.02.H41"
)

// EnvConfig is the variable SoftHSM2 reads its configuration path from, at
// C_Initialize.
const EnvConfig = "SOFTHSM2_CONF"

// Identity is a certificate and where its private key lives.
type Identity struct {
	Cert *x509.Certificate
	// Chain holds Cert's issuers, nearest first, ending with the root
	// (empty for Root itself).
	Chain      []*x509.Certificate
	TokenLabel string // label of the token holding the key and the certificate
	KeyID      []byte // CKA_ID of key and certificate objects; also Cert.SubjectKeyId
}

// Embedded returns the issuers a signature made with id carries: Chain
// without the root, which the verifier must already trust.
func (id Identity) Embedded() []*x509.Certificate {
	var out []*x509.Certificate
	for _, c := range id.Chain {
		if !bytes.Equal(c.RawIssuer, c.RawSubject) {
			out = append(out, c)
		}
	}
	return out
}

// PKI is a provisioned test PKI: a SoftHSM2 configuration and its tokens.
// Certificates are shared between PKIs made by New: treat them as
// read-only.
type PKI struct {
	Module     string // path of libsofthsm2.so
	ConfigPath string // the softhsm2.conf to put in SOFTHSM2_CONF
	Dir        string // holds softhsm2.conf, tokens/ and pki.json

	Root   Identity // self-signed, RSA 2048, CA token
	Sub    Identity // issued by Root, CA token; issues everything below
	Leader Identity // personal certificate of Nguyễn Văn An, leader token
	Agency Identity // organisation certificate of UBND tỉnh Nghệ An, agency token
	// Agency2 and Agency3 are the seal certificates of the two other
	// demo agencies, Sở Tài chính (Agency2Code) and Sở Nội vụ
	// (Agency3Code) of Nghệ An, each on its own token.
	Agency2, Agency3 Identity
	TSA              Identity // time-stamping (EKU timeStamping, critical), CA token

	ECDSA        Identity // ECDSA P-256 personal certificate, extra token
	Expired      Identity // expired a month ago, extra token
	CertSignOnly Identity // key usage keyCertSign only (not a signing credential), extra token

	// OCSP is a delegated OCSP responder issued by Sub (EKU OCSPSigning,
	// id-pkix-ocsp-nocheck), CA token.
	OCSP Identity
	// Revoked is a leader-like personal certificate, issued two hours
	// ago, extra token. Nothing is revoked at first: tests call Revoke.
	Revoked Identity
}

// Roots returns a pool holding Root.
func (p *PKI) Roots() *x509.CertPool {
	pool := x509.NewCertPool()
	pool.AddCert(p.Root.Cert)
	return pool
}

// Anchors returns Root, as signing/verify's Options.Anchors take it.
func (p *PKI) Anchors() []*x509.Certificate { return []*x509.Certificate{p.Root.Cert} }

// CACerts returns Sub, as signing/verify's Options.Intermediates take it.
func (p *PKI) CACerts() []*x509.Certificate { return []*x509.Certificate{p.Sub.Cert} }

// Intermediates returns a pool holding Sub.
func (p *PKI) Intermediates() *x509.CertPool {
	pool := x509.NewCertPool()
	pool.AddCert(p.Sub.Cert)
	return pool
}

// WriteRootPEM writes Root's certificate as PEM to path.
func (p *PKI) WriteRootPEM(path string) error {
	data := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: p.Root.Cert.Raw})
	if err := os.WriteFile(path, data, 0o644); err != nil {
		return fmt.Errorf("write root certificate: %w", err)
	}
	return nil
}

// Signer opens the SoftHSM2 module, logs in to id's token with pin and
// returns the token's crypto.Signer for id (signing happens on the token;
// see token.Session.Signer for the accepted options). The caller closes the
// returned Closer, which closes the session and the module. SOFTHSM2_CONF
// must point at p.ConfigPath (New and Provision with SetEnv do that).
// A wrong pin gives token's *PINError.
func (p *PKI) Signer(id Identity, pin string) (crypto.Signer, io.Closer, error) {
	if got := os.Getenv(EnvConfig); got != p.ConfigPath {
		return nil, nil, fmt.Errorf("signer for %q: %s is %q, want %q (use New, or Provision with SetEnv)", id.Cert.Subject.CommonName, EnvConfig, got, p.ConfigPath)
	}
	m, err := token.Open(p.Module)
	if err != nil {
		return nil, nil, fmt.Errorf("signer for %q: %w", id.Cert.Subject.CommonName, err)
	}
	s, err := openToken(m, id.TokenLabel)
	if err != nil {
		m.Close()
		return nil, nil, fmt.Errorf("signer for %q: %w", id.Cert.Subject.CommonName, err)
	}
	closer := closerFunc(func() error { return errors.Join(s.Close(), m.Close()) })
	if err := s.Login(pin); err != nil {
		closer.Close()
		return nil, nil, fmt.Errorf("signer for %q: %w", id.Cert.Subject.CommonName, err)
	}
	c, err := s.FindByFingerprint(token.Fingerprint(id.Cert))
	if err != nil {
		closer.Close()
		return nil, nil, fmt.Errorf("signer for %q: %w", id.Cert.Subject.CommonName, err)
	}
	signer, err := s.Signer(c)
	if err != nil {
		closer.Close()
		return nil, nil, fmt.Errorf("signer for %q: %w", id.Cert.Subject.CommonName, err)
	}
	return signer, closer, nil
}

// Signers is Signer for several identities on one token, through one
// session: a crypto.Signer for each of ids, in order. The revocation
// servers use it for Sub and OCSP, both on the CA token. Signers from one
// session must not be used concurrently.
func (p *PKI) Signers(pin string, ids ...Identity) ([]crypto.Signer, io.Closer, error) {
	if len(ids) == 0 {
		return nil, nil, errors.New("signers: no identity")
	}
	for _, id := range ids[1:] {
		if id.TokenLabel != ids[0].TokenLabel {
			return nil, nil, fmt.Errorf("signers: %q and %q are on different tokens", ids[0].Cert.Subject.CommonName, id.Cert.Subject.CommonName)
		}
	}
	if got := os.Getenv(EnvConfig); got != p.ConfigPath {
		return nil, nil, fmt.Errorf("signers: %s is %q, want %q (use New, or Provision with SetEnv)", EnvConfig, got, p.ConfigPath)
	}
	m, err := token.Open(p.Module)
	if err != nil {
		return nil, nil, fmt.Errorf("signers: %w", err)
	}
	s, err := openToken(m, ids[0].TokenLabel)
	if err != nil {
		m.Close()
		return nil, nil, fmt.Errorf("signers: %w", err)
	}
	closer := closerFunc(func() error { return errors.Join(s.Close(), m.Close()) })
	if err := s.Login(pin); err != nil {
		closer.Close()
		return nil, nil, fmt.Errorf("signers: %w", err)
	}
	var out []crypto.Signer
	for _, id := range ids {
		c, err := s.FindByFingerprint(token.Fingerprint(id.Cert))
		if err == nil {
			var signer crypto.Signer
			if signer, err = s.Signer(c); err == nil {
				out = append(out, signer)
				continue
			}
		}
		closer.Close()
		return nil, nil, fmt.Errorf("signer for %q: %w", id.Cert.Subject.CommonName, err)
	}
	return out, closer, nil
}

// openToken opens a session on the initialised token labelled label.
func openToken(m *token.Module, label string) (*token.Session, error) {
	tokens, err := m.Tokens()
	if err != nil {
		return nil, err
	}
	i := slices.IndexFunc(tokens, func(t token.TokenInfo) bool { return t.Initialized && t.Label == label })
	if i < 0 {
		return nil, fmt.Errorf("no token labelled %q (is %s right?): %w", label, EnvConfig, token.ErrNoToken)
	}
	return m.OpenSession(tokens[i].SlotID)
}

type closerFunc func() error

func (f closerFunc) Close() error { return f() }

// TokenLabels returns the labels of every token Provision makes.
func TokenLabels() []string { return append([]string(nil), tokenLabels...) }
