package testpki

import (
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
	"math/big"
	"os"
	"path/filepath"
	"sync"
	"time"
)

// RFC 5280 section 5.3.1 CRL reason codes the tests use.
const (
	ReasonUnspecified          = 0
	ReasonKeyCompromise        = 1
	ReasonAffiliationChanged   = 3
	ReasonSuperseded           = 4
	ReasonCessationOfOperation = 5
)

// revocationsName is the revocation database under the PKI dir, read by
// the OCSP and CRL servers of internal/testpki/ocsp on every request.
const revocationsName = "revocations.json"

// Revocation is one entry of the revocation database.
type Revocation struct {
	Serial    *big.Int
	Issuer    []byte // DER subject of the issuer (Sub for every leaf)
	RevokedAt time.Time
	Reason    int
}

// revocationMu serialises read-modify-write of revocation databases.
var revocationMu sync.Mutex

// Revoke records that cert's issuer revoked cert at the given time with
// an RFC 5280 reason code (ReasonKeyCompromise…), in dir/revocations.json.
// A second Revoke of the same certificate replaces the first. The time may
// lie in the past (back-dated revocation, as for a key compromise), which
// lets tests sign before and after it.
func (p *PKI) Revoke(cert *x509.Certificate, at time.Time, reason int) error {
	if reason < 0 || reason > 10 || reason == 7 {
		return fmt.Errorf("revoke %q: reason %d is not an RFC 5280 reason code", cert.Subject.CommonName, reason)
	}
	revocationMu.Lock()
	defer revocationMu.Unlock()
	list, err := p.Revocations()
	if err != nil {
		return fmt.Errorf("revoke %q: %w", cert.Subject.CommonName, err)
	}
	r := Revocation{Serial: cert.SerialNumber, Issuer: cert.RawIssuer, RevokedAt: at.UTC().Truncate(time.Second), Reason: reason}
	replaced := false
	for i := range list {
		if list[i].Serial.Cmp(r.Serial) == 0 && string(list[i].Issuer) == string(r.Issuer) {
			list[i], replaced = r, true
		}
	}
	if !replaced {
		list = append(list, r)
	}
	data, err := json.MarshalIndent(list, "", "\t")
	if err != nil {
		return err
	}
	path := filepath.Join(p.Dir, revocationsName)
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, data, 0o644); err != nil {
		return fmt.Errorf("revoke %q: %w", cert.Subject.CommonName, err)
	}
	if err := os.Rename(tmp, path); err != nil {
		return fmt.Errorf("revoke %q: %w", cert.Subject.CommonName, err)
	}
	return nil
}

// Revocations returns the revocation database; empty when nothing was
// revoked.
func (p *PKI) Revocations() ([]Revocation, error) {
	data, err := os.ReadFile(filepath.Join(p.Dir, revocationsName))
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var list []Revocation
	if err := json.Unmarshal(data, &list); err != nil {
		return nil, fmt.Errorf("%s: %w", revocationsName, err)
	}
	return list, nil
}
