package testpki

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha1"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"encoding/json"
	"errors"
	"fmt"
	"math/big"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/miekg/pkcs11"

	"github.com/vanthuso/vanthu/signing/token"
)

// Option changes what Provision does.
type Option func(*options)

type options struct {
	setEnv bool
	module string
}

// SetEnv makes Provision leave SOFTHSM2_CONF pointing at the new
// configuration for the rest of the process (the demo needs this).
// Without it Provision restores the variable when done.
func SetEnv() Option { return func(o *options) { o.setEnv = true } }

// WithModule uses the SoftHSM2 library at path instead of looking for it.
func WithModule(path string) Option { return func(o *options) { o.module = path } }

// softHSMPaths are where distributions install libsofthsm2.so.
var softHSMPaths = []string{
	"/usr/lib/softhsm/libsofthsm2.so",
	"/usr/lib/x86_64-linux-gnu/softhsm/libsofthsm2.so",
	"/usr/lib/aarch64-linux-gnu/softhsm/libsofthsm2.so",
	"/usr/lib64/pkcs11/libsofthsm2.so",
	"/usr/local/lib/softhsm/libsofthsm2.so",
	"/opt/homebrew/lib/softhsm/libsofthsm2.so",
}

func findSoftHSM() (string, error) {
	for _, p := range softHSMPaths {
		if _, err := os.Stat(p); err == nil {
			return p, nil
		}
	}
	return "", fmt.Errorf("SoftHSM2 not found (apt install softhsm2); looked in %s", strings.Join(softHSMPaths, ", "))
}

// provisionMu serialises provisioning: it swaps a process-wide variable and
// initialises a process-wide library.
var provisionMu sync.Mutex

const manifestName = "pki.json"

// Provision makes the test PKI under dir: dir/softhsm2.conf (token
// directory dir/tokens, file backend, log level ERROR), four tokens and the
// keys and certificates described on PKI. Keys are generated on the tokens
// (C_GenerateKeyPair; sensitive, not extractable); certificates are signed
// by the CA keys on the CA token through token's crypto.Signer.
//
// Provision is idempotent: if dir already holds a complete PKI whose
// certificates are still valid it is loaded, otherwise dir/tokens is wiped
// and provisioned again. It takes a few seconds (RSA key generation on
// SoftHSM2); tests should use New, which copies a per-process template.
//
// SoftHSM2 reads SOFTHSM2_CONF when it is initialised, so Provision sets it
// for its own work and restores it afterwards unless SetEnv is given. No
// token.Module on SoftHSM2 may be open in the process meanwhile.
func Provision(dir string, opts ...Option) (*PKI, error) {
	var o options
	for _, opt := range opts {
		opt(&o)
	}
	if o.module == "" {
		m, err := findSoftHSM()
		if err != nil {
			return nil, fmt.Errorf("provision test PKI: %w", err)
		}
		o.module = m
	}
	dir, err := filepath.Abs(dir)
	if err != nil {
		return nil, fmt.Errorf("provision test PKI: %w", err)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("provision test PKI: %w", err)
	}
	conf, err := writeConfig(dir)
	if err != nil {
		return nil, fmt.Errorf("provision test PKI in %s: %w", dir, err)
	}

	p, err := load(dir, o.module)
	if err != nil || !p.fresh(time.Now()) {
		provisionMu.Lock()
		p, err = provision(dir, conf, o.module)
		provisionMu.Unlock()
		if err != nil {
			return nil, fmt.Errorf("provision test PKI in %s: %w", dir, err)
		}
	}
	if o.setEnv {
		os.Setenv(EnvConfig, conf)
	}
	return p, nil
}

// fresh reports whether the certificates meant to be valid still are, for
// at least a day.
func (p *PKI) fresh(now time.Time) bool {
	day := now.Add(24 * time.Hour)
	for _, id := range []Identity{p.Root, p.Sub, p.Leader, p.Agency, p.Agency2, p.Agency3, p.TSA, p.ECDSA, p.CertSignOnly, p.OCSP, p.Revoked} {
		if id.Cert.NotAfter.Before(day) {
			return false
		}
	}
	return true
}

func writeConfig(dir string) (string, error) {
	tokens := filepath.Join(dir, "tokens")
	if err := os.MkdirAll(tokens, 0o700); err != nil {
		return "", err
	}
	conf := filepath.Join(dir, "softhsm2.conf")
	text := "# Văn Thư Số test PKI (internal/testpki); not for real keys.\n" +
		"directories.tokendir = " + tokens + "\n" +
		"objectstore.backend = file\n" +
		"log.level = ERROR\n" +
		"slots.removable = false\n"
	return conf, os.WriteFile(conf, []byte(text), 0o600)
}

// identitySpec describes one identity to provision.
type identitySpec struct {
	name     string // manifest key and PKI field
	token    string
	label    string // CKA_LABEL of key and certificate objects
	ec       bool
	issuer   string // "" for self-signed
	template func(now time.Time) *x509.Certificate
}

var (
	oidTitle                  = asn1.ObjectIdentifier{2, 5, 4, 12}
	oidOrganizationIdentifier = asn1.ObjectIdentifier{2, 5, 4, 97}
	oidEmailAddress           = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 9, 1}
	oidUID                    = asn1.ObjectIdentifier{0, 9, 2342, 19200300, 100, 1, 1}
	oidExtKeyUsage            = asn1.ObjectIdentifier{2, 5, 29, 37}
	oidKPTimeStamping         = asn1.ObjectIdentifier{1, 3, 6, 1, 5, 5, 7, 3, 8}
	oidNamedCurveP256         = asn1.ObjectIdentifier{1, 2, 840, 10045, 3, 1, 7}
	oidOCSPNoCheck            = asn1.ObjectIdentifier{1, 3, 6, 1, 5, 5, 7, 48, 1, 5}
)

const (
	orgBCY      = "Ban Cơ yếu Chính phủ"
	orgNgheAn   = "UBND tỉnh Nghệ An (thử nghiệm)"
	orgTaiChinh = "Sở Tài chính tỉnh Nghệ An (thử nghiệm)"
	orgNoiVu    = "Sở Nội vụ tỉnh Nghệ An (thử nghiệm)"
	// LeaderEmail is in Leader's subject and SAN.
	LeaderEmail = "nguyenvanan@thunghiem.nghean.gov.vn"
)

func leaf(name pkix.Name, notBefore, notAfter time.Time) *x509.Certificate {
	return &x509.Certificate{
		Subject:               name,
		NotBefore:             notBefore,
		NotAfter:              notAfter,
		BasicConstraintsValid: true,
		KeyUsage:              x509.KeyUsageDigitalSignature | x509.KeyUsageContentCommitment,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth, x509.ExtKeyUsageEmailProtection},
	}
}

// agencyCert is an organisation's seal certificate: CN and O the agency,
// organizationIdentifier its mã định danh.
func agencyCert(org, code string, now time.Time) *x509.Certificate {
	return leaf(pkix.Name{
		CommonName:   org,
		Organization: []string{org},
		Locality:     []string{"Nghệ An"},
		Country:      []string{"VN"},
		ExtraNames:   []pkix.AttributeTypeAndValue{{Type: oidOrganizationIdentifier, Value: code}},
	}, now.Add(-time.Hour), now.AddDate(2, 0, 0))
}

func leaderName(cn string) pkix.Name {
	return pkix.Name{
		CommonName:         cn,
		Organization:       []string{orgNgheAn},
		OrganizationalUnit: []string{"Văn phòng"},
		Locality:           []string{"Nghệ An"},
		Country:            []string{"VN"},
		ExtraNames: []pkix.AttributeTypeAndValue{
			{Type: oidTitle, Value: "Chủ tịch"},
			{Type: oidUID, Value: "CCCD:040080000123"},
			{Type: oidEmailAddress, Value: LeaderEmail},
		},
	}
}

var specs = []identitySpec{
	{name: "Root", token: CAToken, label: "Root CA (thử nghiệm)", template: func(now time.Time) *x509.Certificate {
		return &x509.Certificate{
			Subject: pkix.Name{
				CommonName:   "Cơ quan chứng thực số chuyên dùng Chính phủ (thử nghiệm)",
				Organization: []string{orgBCY},
				Country:      []string{"VN"},
			},
			NotBefore:             now.AddDate(-2, 0, 0),
			NotAfter:              now.AddDate(10, 0, 0),
			IsCA:                  true,
			BasicConstraintsValid: true,
			KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageCRLSign,
		}
	}},
	{name: "Sub", token: CAToken, label: "Sub CA (thử nghiệm)", issuer: "Root", template: func(now time.Time) *x509.Certificate {
		return &x509.Certificate{
			Subject: pkix.Name{
				CommonName:   "CA phục vụ các cơ quan Nhà nước (thử nghiệm)",
				Organization: []string{orgBCY},
				Country:      []string{"VN"},
			},
			NotBefore:             now.AddDate(-2, 0, 0),
			NotAfter:              now.AddDate(8, 0, 0),
			IsCA:                  true,
			BasicConstraintsValid: true,
			MaxPathLenZero:        true,
			KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageCRLSign,
		}
	}},
	{name: "TSA", token: CAToken, label: "TSA (thử nghiệm)", issuer: "Sub", template: func(now time.Time) *x509.Certificate {
		eku, _ := asn1.Marshal([]asn1.ObjectIdentifier{oidKPTimeStamping})
		return &x509.Certificate{
			Subject: pkix.Name{
				CommonName:   "Máy chủ cấp dấu thời gian (thử nghiệm)",
				Organization: []string{orgBCY},
				Country:      []string{"VN"},
			},
			NotBefore:             now.Add(-time.Hour),
			NotAfter:              now.AddDate(5, 0, 0),
			BasicConstraintsValid: true,
			KeyUsage:              x509.KeyUsageDigitalSignature,
			// RFC 3161 section 2.3: the only EKU, and critical; Go would
			// write it non-critical from ExtKeyUsage.
			ExtraExtensions: []pkix.Extension{{Id: oidExtKeyUsage, Critical: true, Value: eku}},
		}
	}},
	{name: "OCSP", token: CAToken, label: "OCSP (thử nghiệm)", issuer: "Sub", template: func(now time.Time) *x509.Certificate {
		return &x509.Certificate{
			Subject: pkix.Name{
				CommonName:   "Máy chủ OCSP (thử nghiệm)",
				Organization: []string{orgBCY},
				Country:      []string{"VN"},
			},
			NotBefore:             now.Add(-time.Hour),
			NotAfter:              now.AddDate(2, 0, 0),
			BasicConstraintsValid: true,
			KeyUsage:              x509.KeyUsageDigitalSignature,
			ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageOCSPSigning},
			// RFC 6960 section 4.2.2.2.1: id-pkix-ocsp-nocheck, value NULL.
			ExtraExtensions: []pkix.Extension{{Id: oidOCSPNoCheck, Value: []byte{0x05, 0x00}}},
		}
	}},
	{name: "Leader", token: LeaderToken, label: "Nguyễn Văn An", issuer: "Sub", template: func(now time.Time) *x509.Certificate {
		c := leaf(leaderName("Nguyễn Văn An"), now.Add(-time.Hour), now.AddDate(2, 0, 0))
		c.EmailAddresses = []string{LeaderEmail}
		return c
	}},
	{name: "Agency", token: AgencyToken, label: "UBND tỉnh Nghệ An", issuer: "Sub", template: func(now time.Time) *x509.Certificate {
		return agencyCert(orgNgheAn, AgencyCode, now)
	}},
	{name: "Agency2", token: Agency2Token, label: "Sở Tài chính tỉnh Nghệ An", issuer: "Sub", template: func(now time.Time) *x509.Certificate {
		return agencyCert(orgTaiChinh, Agency2Code, now)
	}},
	{name: "Agency3", token: Agency3Token, label: "Sở Nội vụ tỉnh Nghệ An", issuer: "Sub", template: func(now time.Time) *x509.Certificate {
		return agencyCert(orgNoiVu, Agency3Code, now)
	}},
	{name: "ECDSA", token: ExtraToken, label: "Nguyễn Văn An (ECDSA)", ec: true, issuer: "Sub", template: func(now time.Time) *x509.Certificate {
		return leaf(leaderName("Nguyễn Văn An (ECDSA thử nghiệm)"), now.Add(-time.Hour), now.AddDate(2, 0, 0))
	}},
	{name: "Expired", token: ExtraToken, label: "Nguyễn Văn An (hết hạn)", issuer: "Sub", template: func(now time.Time) *x509.Certificate {
		return leaf(leaderName("Nguyễn Văn An (hết hạn)"), now.AddDate(-1, -1, 0), now.AddDate(0, -1, 0))
	}},
	{name: "Revoked", token: ExtraToken, label: "Trần Văn Thu Hồi", issuer: "Sub", template: func(now time.Time) *x509.Certificate {
		n := leaderName("Trần Văn Thu Hồi (thử nghiệm)")
		n.ExtraNames = n.ExtraNames[:2] // title and CCCD; no e-mail
		return leaf(n, now.Add(-2*time.Hour), now.AddDate(2, 0, 0))
	}},
	{name: "CertSignOnly", token: ExtraToken, label: "Chỉ ký chứng thư", issuer: "Sub", template: func(now time.Time) *x509.Certificate {
		c := leaf(pkix.Name{CommonName: "Khóa chỉ ký chứng thư (thử nghiệm)", Organization: []string{orgBCY}, Country: []string{"VN"}},
			now.Add(-time.Hour), now.AddDate(2, 0, 0))
		c.KeyUsage = x509.KeyUsageCertSign
		c.ExtKeyUsage = nil
		return c
	}},
}

var tokenLabels = []string{LeaderToken, AgencyToken, Agency2Token, Agency3Token, CAToken, ExtraToken}

// manifest is dir/pki.json: what Provision made, so a second call can load
// it. Written last, so its presence means provisioning finished.
type manifest struct {
	Version    int
	Identities map[string]manifestIdentity
}

type manifestIdentity struct {
	Token  string
	KeyID  []byte
	Cert   []byte // DER
	Issuer string
}

const manifestVersion = 3

func load(dir, module string) (*PKI, error) {
	data, err := os.ReadFile(filepath.Join(dir, manifestName))
	if err != nil {
		return nil, err
	}
	var m manifest
	if err := json.Unmarshal(data, &m); err != nil {
		return nil, err
	}
	if m.Version != manifestVersion {
		return nil, fmt.Errorf("manifest version %d, want %d", m.Version, manifestVersion)
	}
	for _, label := range tokenLabels {
		if _, err := findTokenDir(filepath.Join(dir, "tokens"), label); err != nil {
			return nil, err
		}
	}
	return fromManifest(dir, module, m)
}

func fromManifest(dir, module string, m manifest) (*PKI, error) {
	certs := map[string]*x509.Certificate{}
	for _, s := range specs {
		mi, ok := m.Identities[s.name]
		if !ok {
			return nil, fmt.Errorf("manifest lacks %s", s.name)
		}
		c, err := x509.ParseCertificate(mi.Cert)
		if err != nil {
			return nil, fmt.Errorf("manifest %s: %w", s.name, err)
		}
		certs[s.name] = c
	}
	ids := map[string]Identity{}
	for _, s := range specs {
		mi := m.Identities[s.name]
		id := Identity{Cert: certs[s.name], TokenLabel: mi.Token, KeyID: mi.KeyID}
		for iss := mi.Issuer; iss != ""; iss = m.Identities[iss].Issuer {
			id.Chain = append(id.Chain, certs[iss])
		}
		ids[s.name] = id
	}
	return &PKI{
		Module:       module,
		ConfigPath:   filepath.Join(dir, "softhsm2.conf"),
		Dir:          dir,
		Root:         ids["Root"],
		Sub:          ids["Sub"],
		Leader:       ids["Leader"],
		Agency:       ids["Agency"],
		Agency2:      ids["Agency2"],
		Agency3:      ids["Agency3"],
		TSA:          ids["TSA"],
		ECDSA:        ids["ECDSA"],
		Expired:      ids["Expired"],
		CertSignOnly: ids["CertSignOnly"],
		OCSP:         ids["OCSP"],
		Revoked:      ids["Revoked"],
	}, nil
}

// provision does the work of Provision with provisionMu held.
func provision(dir, conf, module string) (p *PKI, err error) {
	tokensDir := filepath.Join(dir, "tokens")
	os.Remove(filepath.Join(dir, manifestName))
	if err := os.RemoveAll(tokensDir); err != nil {
		return nil, err
	}
	if err := os.MkdirAll(tokensDir, 0o700); err != nil {
		return nil, err
	}

	old, had := os.LookupEnv(EnvConfig)
	os.Setenv(EnvConfig, conf)
	defer func() {
		if had {
			os.Setenv(EnvConfig, old)
		} else {
			os.Unsetenv(EnvConfig)
		}
	}()

	ck := pkcs11.New(module)
	if ck == nil {
		return nil, fmt.Errorf("load %s", module)
	}
	if err := ck.Initialize(); err != nil {
		if errors.Is(err, pkcs11.Error(pkcs11.CKR_CRYPTOKI_ALREADY_INITIALIZED)) {
			return nil, fmt.Errorf("SoftHSM2 is already initialised in this process (a token.Module is open?): %w", err)
		}
		return nil, fmt.Errorf("initialize %s: %w", module, err)
	}
	defer func() {
		if ferr := ck.Finalize(); ferr != nil && err == nil {
			err = fmt.Errorf("finalize %s: %w", module, ferr)
		}
	}()

	sessions := map[string]pkcs11.SessionHandle{}
	for _, label := range tokenLabels {
		sh, err := initToken(ck, label)
		if err != nil {
			return nil, fmt.Errorf("init token %q: %w", label, err)
		}
		sessions[label] = sh
	}

	type key struct {
		id  []byte
		pub crypto.PublicKey
	}
	keys := map[string]key{}
	for _, s := range specs {
		id, pub, err := generateKey(ck, sessions[s.token], s.label, s.ec)
		if err != nil {
			return nil, fmt.Errorf("generate key %q on token %q: %w", s.label, s.token, err)
		}
		keys[s.name] = key{id, pub}
	}

	// Sign certificates with the CA keys through signing/token. It shares
	// this process's initialisation of SoftHSM2 (and never finalises it).
	tm, err := token.Open(module)
	if err != nil {
		return nil, err
	}
	defer tm.Close()
	caSession, err := openToken(tm, CAToken)
	if err != nil {
		return nil, err
	}
	if err := caSession.Login(UserPIN); err != nil {
		return nil, err
	}
	signers := map[string]crypto.Signer{}
	for _, name := range []string{"Root", "Sub"} {
		k := keys[name]
		if signers[name], err = caSession.SignerByID(k.id, k.pub); err != nil {
			return nil, err
		}
	}

	now := time.Now().Truncate(time.Second)
	m := manifest{Version: manifestVersion, Identities: map[string]manifestIdentity{}}
	certs := map[string]*x509.Certificate{}
	for _, s := range specs {
		k := keys[s.name]
		tmpl := s.template(now)
		tmpl.SerialNumber, err = randomSerial()
		if err != nil {
			return nil, err
		}
		tmpl.SubjectKeyId = k.id
		parent, signer := tmpl, signers[s.name]
		if s.issuer != "" {
			parent, signer = certs[s.issuer], signers[s.issuer]
		}
		der, err := x509.CreateCertificate(rand.Reader, tmpl, parent, k.pub, signer)
		if err != nil {
			return nil, fmt.Errorf("issue certificate %q: %w", s.label, err)
		}
		cert, err := x509.ParseCertificate(der)
		if err != nil {
			return nil, err
		}
		certs[s.name] = cert
		m.Identities[s.name] = manifestIdentity{Token: s.token, KeyID: k.id, Cert: der, Issuer: s.issuer}
		if err := importCert(ck, sessions[s.token], cert, s.label, k.id); err != nil {
			return nil, fmt.Errorf("import certificate %q into token %q: %w", s.label, s.token, err)
		}
	}
	// Real tokens often carry their CA chain too: certificates without keys.
	for _, name := range []string{"Root", "Sub"} {
		c := certs[name]
		if err := importCert(ck, sessions[ExtraToken], c, c.Subject.CommonName, keys[name].id); err != nil {
			return nil, fmt.Errorf("import CA certificate into token %q: %w", ExtraToken, err)
		}
	}
	if err := caSession.Close(); err != nil {
		return nil, err
	}
	for _, sh := range sessions {
		ck.Logout(sh)
		ck.CloseSession(sh)
	}

	data, err := json.MarshalIndent(m, "", "\t")
	if err != nil {
		return nil, err
	}
	if err := os.WriteFile(filepath.Join(dir, manifestName), data, 0o644); err != nil {
		return nil, err
	}
	return fromManifest(dir, module, m)
}

// initToken initialises the free token, sets the user PIN and returns a
// read-write session logged in as the user.
func initToken(ck *pkcs11.Ctx, label string) (pkcs11.SessionHandle, error) {
	slots, err := ck.GetSlotList(true)
	if err != nil {
		return 0, err
	}
	free := -1
	for i, slot := range slots {
		ti, err := ck.GetTokenInfo(slot)
		if err == nil && ti.Flags&pkcs11.CKF_TOKEN_INITIALIZED == 0 {
			free = i
			break
		}
	}
	if free < 0 {
		return 0, errors.New("no free SoftHSM2 slot")
	}
	slot := slots[free]
	if err := ck.InitToken(slot, SOPIN, label); err != nil {
		return 0, err
	}
	sh, err := ck.OpenSession(slot, pkcs11.CKF_SERIAL_SESSION|pkcs11.CKF_RW_SESSION)
	if err != nil {
		return 0, err
	}
	if err := ck.Login(sh, pkcs11.CKU_SO, SOPIN); err != nil {
		return 0, fmt.Errorf("login as SO: %w", err)
	}
	if err := ck.InitPIN(sh, UserPIN); err != nil {
		return 0, fmt.Errorf("set user PIN: %w", err)
	}
	if err := ck.Logout(sh); err != nil {
		return 0, err
	}
	if err := ck.Login(sh, pkcs11.CKU_USER, UserPIN); err != nil {
		return 0, fmt.Errorf("login as user: %w", err)
	}
	return sh, nil
}

// generateKey makes an RSA 2048 or ECDSA P-256 key pair on the token and
// sets CKA_ID of both halves to the SHA-1 of the public key (the usual
// subject key identifier).
func generateKey(ck *pkcs11.Ctx, sh pkcs11.SessionHandle, label string, ec bool) ([]byte, crypto.PublicKey, error) {
	tmpID := make([]byte, 20)
	if _, err := rand.Read(tmpID); err != nil {
		return nil, nil, err
	}
	pubTmpl := []*pkcs11.Attribute{
		pkcs11.NewAttribute(pkcs11.CKA_TOKEN, true),
		pkcs11.NewAttribute(pkcs11.CKA_PRIVATE, false),
		pkcs11.NewAttribute(pkcs11.CKA_VERIFY, true),
		pkcs11.NewAttribute(pkcs11.CKA_ENCRYPT, false),
		pkcs11.NewAttribute(pkcs11.CKA_LABEL, label),
		pkcs11.NewAttribute(pkcs11.CKA_ID, tmpID),
	}
	privTmpl := []*pkcs11.Attribute{
		pkcs11.NewAttribute(pkcs11.CKA_TOKEN, true),
		pkcs11.NewAttribute(pkcs11.CKA_PRIVATE, true),
		pkcs11.NewAttribute(pkcs11.CKA_SENSITIVE, true),
		pkcs11.NewAttribute(pkcs11.CKA_EXTRACTABLE, false),
		pkcs11.NewAttribute(pkcs11.CKA_SIGN, true),
		pkcs11.NewAttribute(pkcs11.CKA_DECRYPT, false),
		pkcs11.NewAttribute(pkcs11.CKA_LABEL, label),
		pkcs11.NewAttribute(pkcs11.CKA_ID, tmpID),
	}
	var mech uint
	if ec {
		params, err := asn1.Marshal(oidNamedCurveP256)
		if err != nil {
			return nil, nil, err
		}
		mech = pkcs11.CKM_EC_KEY_PAIR_GEN
		pubTmpl = append(pubTmpl, pkcs11.NewAttribute(pkcs11.CKA_EC_PARAMS, params))
	} else {
		mech = pkcs11.CKM_RSA_PKCS_KEY_PAIR_GEN
		pubTmpl = append(pubTmpl,
			pkcs11.NewAttribute(pkcs11.CKA_MODULUS_BITS, 2048),
			pkcs11.NewAttribute(pkcs11.CKA_PUBLIC_EXPONENT, []byte{1, 0, 1}))
	}
	pubH, privH, err := ck.GenerateKeyPair(sh, []*pkcs11.Mechanism{pkcs11.NewMechanism(mech, nil)}, pubTmpl, privTmpl)
	if err != nil {
		return nil, nil, err
	}
	pub, err := readPublicKey(ck, sh, pubH, ec)
	if err != nil {
		return nil, nil, fmt.Errorf("read public key: %w", err)
	}
	id, err := subjectKeyID(pub)
	if err != nil {
		return nil, nil, err
	}
	for _, h := range []pkcs11.ObjectHandle{pubH, privH} {
		if err := ck.SetAttributeValue(sh, h, []*pkcs11.Attribute{pkcs11.NewAttribute(pkcs11.CKA_ID, id)}); err != nil {
			return nil, nil, fmt.Errorf("set CKA_ID: %w", err)
		}
	}
	return id, pub, nil
}

func readPublicKey(ck *pkcs11.Ctx, sh pkcs11.SessionHandle, h pkcs11.ObjectHandle, ec bool) (crypto.PublicKey, error) {
	if ec {
		a, err := ck.GetAttributeValue(sh, h, []*pkcs11.Attribute{pkcs11.NewAttribute(pkcs11.CKA_EC_POINT, nil)})
		if err != nil {
			return nil, err
		}
		var point []byte
		if _, err := asn1.Unmarshal(a[0].Value, &point); err != nil {
			return nil, fmt.Errorf("CKA_EC_POINT: %w", err)
		}
		return ecdsa.ParseUncompressedPublicKey(elliptic.P256(), point)
	}
	a, err := ck.GetAttributeValue(sh, h, []*pkcs11.Attribute{
		pkcs11.NewAttribute(pkcs11.CKA_MODULUS, nil),
		pkcs11.NewAttribute(pkcs11.CKA_PUBLIC_EXPONENT, nil),
	})
	if err != nil {
		return nil, err
	}
	e := new(big.Int).SetBytes(a[1].Value)
	if !e.IsInt64() || e.Int64() > 1<<31-1 {
		return nil, errors.New("public exponent out of range")
	}
	return &rsa.PublicKey{N: new(big.Int).SetBytes(a[0].Value), E: int(e.Int64())}, nil
}

// subjectKeyID is the SHA-1 of the subjectPublicKey bits (RFC 5280
// section 4.2.1.2, method 1).
func subjectKeyID(pub crypto.PublicKey) ([]byte, error) {
	der, err := x509.MarshalPKIXPublicKey(pub)
	if err != nil {
		return nil, err
	}
	var spki struct {
		Algorithm pkix.AlgorithmIdentifier
		PublicKey asn1.BitString
	}
	if _, err := asn1.Unmarshal(der, &spki); err != nil {
		return nil, err
	}
	sum := sha1.Sum(spki.PublicKey.Bytes)
	return sum[:], nil
}

func importCert(ck *pkcs11.Ctx, sh pkcs11.SessionHandle, cert *x509.Certificate, label string, id []byte) error {
	serial, err := asn1.Marshal(cert.SerialNumber)
	if err != nil {
		return err
	}
	_, err = ck.CreateObject(sh, []*pkcs11.Attribute{
		pkcs11.NewAttribute(pkcs11.CKA_CLASS, pkcs11.CKO_CERTIFICATE),
		pkcs11.NewAttribute(pkcs11.CKA_CERTIFICATE_TYPE, pkcs11.CKC_X_509),
		pkcs11.NewAttribute(pkcs11.CKA_TOKEN, true),
		pkcs11.NewAttribute(pkcs11.CKA_PRIVATE, false),
		pkcs11.NewAttribute(pkcs11.CKA_LABEL, label),
		pkcs11.NewAttribute(pkcs11.CKA_ID, id),
		pkcs11.NewAttribute(pkcs11.CKA_SUBJECT, cert.RawSubject),
		pkcs11.NewAttribute(pkcs11.CKA_ISSUER, cert.RawIssuer),
		pkcs11.NewAttribute(pkcs11.CKA_SERIAL_NUMBER, serial),
		pkcs11.NewAttribute(pkcs11.CKA_VALUE, cert.Raw),
	})
	return err
}

func randomSerial() (*big.Int, error) {
	n, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 127))
	if err != nil {
		return nil, err
	}
	return n.Add(n, big.NewInt(1)), nil
}
