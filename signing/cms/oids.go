package cms

import (
	"crypto"
	"encoding/asn1"
	"fmt"
	"strings"

	_ "crypto/md5" // registers crypto.MD5 so legacy signatures can be reported, never made
	_ "crypto/sha1"
	_ "crypto/sha256"
	_ "crypto/sha3"
	_ "crypto/sha512"
)

// Content types and attribute types used by PDF signatures and RFC 3161.
var (
	OIDData                     = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 7, 1}
	OIDSignedData               = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 7, 2}
	OIDTSTInfo                  = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 9, 16, 1, 4}
	OIDAttrContentType          = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 9, 3}
	OIDAttrMessageDigest        = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 9, 4}
	OIDAttrSigningTime          = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 9, 5}
	OIDAttrSigningCertificate   = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 9, 16, 2, 12}
	OIDAttrSigningCertificateV2 = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 9, 16, 2, 47}
	OIDAttrTimestampToken       = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 9, 16, 2, 14}
	// OIDExtKeyUsageTimeStamping is id-kp-timeStamping.
	OIDExtKeyUsageTimeStamping = asn1.ObjectIdentifier{1, 3, 6, 1, 5, 5, 7, 3, 8}
)

var (
	oidRSAEncryption = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 1, 1}
	oidRSAPSS        = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 1, 10}
	oidMGF1          = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 1, 8}
	oidECPublicKey   = asn1.ObjectIdentifier{1, 2, 840, 10045, 2, 1}
	oidEd25519       = asn1.ObjectIdentifier{1, 3, 101, 112}
)

type digestAlg struct {
	oid  asn1.ObjectIdentifier
	hash crypto.Hash
}

var digestAlgs = []digestAlg{
	{asn1.ObjectIdentifier{2, 16, 840, 1, 101, 3, 4, 2, 1}, crypto.SHA256},
	{asn1.ObjectIdentifier{2, 16, 840, 1, 101, 3, 4, 2, 2}, crypto.SHA384},
	{asn1.ObjectIdentifier{2, 16, 840, 1, 101, 3, 4, 2, 3}, crypto.SHA512},
	{asn1.ObjectIdentifier{2, 16, 840, 1, 101, 3, 4, 2, 4}, crypto.SHA224},
	{asn1.ObjectIdentifier{2, 16, 840, 1, 101, 3, 4, 2, 5}, crypto.SHA512_224},
	{asn1.ObjectIdentifier{2, 16, 840, 1, 101, 3, 4, 2, 6}, crypto.SHA512_256},
	{asn1.ObjectIdentifier{2, 16, 840, 1, 101, 3, 4, 2, 7}, crypto.SHA3_224},
	{asn1.ObjectIdentifier{2, 16, 840, 1, 101, 3, 4, 2, 8}, crypto.SHA3_256},
	{asn1.ObjectIdentifier{2, 16, 840, 1, 101, 3, 4, 2, 9}, crypto.SHA3_384},
	{asn1.ObjectIdentifier{2, 16, 840, 1, 101, 3, 4, 2, 10}, crypto.SHA3_512},
	{asn1.ObjectIdentifier{1, 3, 14, 3, 2, 26}, crypto.SHA1},
	{asn1.ObjectIdentifier{1, 2, 840, 113549, 2, 5}, crypto.MD5},
}

// sigKind is the family of a signature algorithm.
type sigKind int

const (
	sigUnknown  sigKind = iota
	sigRSA              // PKCS#1 v1.5
	sigRSAPSS           // RSASSA-PSS
	sigECDSA            // ECDSA, ASN.1 DER signature value
	sigECDSARaw         // ECDSA, plain r||s (BSI TR-03111)
	sigEd25519          // pure Ed25519 over the signed attributes
)

type sigAlg struct {
	oid  asn1.ObjectIdentifier
	kind sigKind
	hash crypto.Hash // 0: the SignerInfo's digestAlgorithm
	name string
}

var sigAlgs = []sigAlg{
	{oidRSAEncryption, sigRSA, 0, "RSA"},
	{asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 1, 4}, sigRSA, crypto.MD5, "RSA-MD5"},
	{asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 1, 5}, sigRSA, crypto.SHA1, "RSA-SHA1"},
	{asn1.ObjectIdentifier{1, 3, 14, 3, 2, 29}, sigRSA, crypto.SHA1, "RSA-SHA1"},
	{asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 1, 11}, sigRSA, crypto.SHA256, "RSA-SHA256"},
	{asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 1, 12}, sigRSA, crypto.SHA384, "RSA-SHA384"},
	{asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 1, 13}, sigRSA, crypto.SHA512, "RSA-SHA512"},
	{asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 1, 14}, sigRSA, crypto.SHA224, "RSA-SHA224"},
	{asn1.ObjectIdentifier{2, 16, 840, 1, 101, 3, 4, 3, 13}, sigRSA, crypto.SHA3_224, "RSA-SHA3-224"},
	{asn1.ObjectIdentifier{2, 16, 840, 1, 101, 3, 4, 3, 14}, sigRSA, crypto.SHA3_256, "RSA-SHA3-256"},
	{asn1.ObjectIdentifier{2, 16, 840, 1, 101, 3, 4, 3, 15}, sigRSA, crypto.SHA3_384, "RSA-SHA3-384"},
	{asn1.ObjectIdentifier{2, 16, 840, 1, 101, 3, 4, 3, 16}, sigRSA, crypto.SHA3_512, "RSA-SHA3-512"},
	{oidRSAPSS, sigRSAPSS, 0, "RSA-PSS"},
	{oidECPublicKey, sigECDSA, 0, "ECDSA"},
	{asn1.ObjectIdentifier{1, 2, 840, 10045, 4, 1}, sigECDSA, crypto.SHA1, "ECDSA-SHA1"},
	{asn1.ObjectIdentifier{1, 2, 840, 10045, 4, 3, 1}, sigECDSA, crypto.SHA224, "ECDSA-SHA224"},
	{asn1.ObjectIdentifier{1, 2, 840, 10045, 4, 3, 2}, sigECDSA, crypto.SHA256, "ECDSA-SHA256"},
	{asn1.ObjectIdentifier{1, 2, 840, 10045, 4, 3, 3}, sigECDSA, crypto.SHA384, "ECDSA-SHA384"},
	{asn1.ObjectIdentifier{1, 2, 840, 10045, 4, 3, 4}, sigECDSA, crypto.SHA512, "ECDSA-SHA512"},
	{asn1.ObjectIdentifier{2, 16, 840, 1, 101, 3, 4, 3, 9}, sigECDSA, crypto.SHA3_224, "ECDSA-SHA3-224"},
	{asn1.ObjectIdentifier{2, 16, 840, 1, 101, 3, 4, 3, 10}, sigECDSA, crypto.SHA3_256, "ECDSA-SHA3-256"},
	{asn1.ObjectIdentifier{2, 16, 840, 1, 101, 3, 4, 3, 11}, sigECDSA, crypto.SHA3_384, "ECDSA-SHA3-384"},
	{asn1.ObjectIdentifier{2, 16, 840, 1, 101, 3, 4, 3, 12}, sigECDSA, crypto.SHA3_512, "ECDSA-SHA3-512"},
	{asn1.ObjectIdentifier{0, 4, 0, 127, 0, 7, 1, 1, 4, 1, 1}, sigECDSARaw, crypto.SHA1, "ECDSA-plain-SHA1"},
	{asn1.ObjectIdentifier{0, 4, 0, 127, 0, 7, 1, 1, 4, 1, 2}, sigECDSARaw, crypto.SHA224, "ECDSA-plain-SHA224"},
	{asn1.ObjectIdentifier{0, 4, 0, 127, 0, 7, 1, 1, 4, 1, 3}, sigECDSARaw, crypto.SHA256, "ECDSA-plain-SHA256"},
	{asn1.ObjectIdentifier{0, 4, 0, 127, 0, 7, 1, 1, 4, 1, 4}, sigECDSARaw, crypto.SHA384, "ECDSA-plain-SHA384"},
	{asn1.ObjectIdentifier{0, 4, 0, 127, 0, 7, 1, 1, 4, 1, 5}, sigECDSARaw, crypto.SHA512, "ECDSA-plain-SHA512"},
	{oidEd25519, sigEd25519, 0, "Ed25519"},
}

func hashForOID(o asn1.ObjectIdentifier) (crypto.Hash, bool) {
	for _, d := range digestAlgs {
		if d.oid.Equal(o) {
			return d.hash, true
		}
	}
	return 0, false
}

func oidForHash(h crypto.Hash) (asn1.ObjectIdentifier, bool) {
	for _, d := range digestAlgs {
		if d.hash == h {
			return d.oid, true
		}
	}
	return nil, false
}

func sigAlgForOID(o asn1.ObjectIdentifier) (sigAlg, bool) {
	for _, s := range sigAlgs {
		if s.oid.Equal(o) {
			return s, true
		}
	}
	return sigAlg{}, false
}

// digestAlgorithmID encodes an AlgorithmIdentifier for h with NULL
// parameters, as most PDF signers write it.
func digestAlgorithmID(h crypto.Hash) ([]byte, error) {
	o, ok := oidForHash(h)
	if !ok {
		return nil, fmt.Errorf("unsupported hash %v", h)
	}
	return seq(oid(o), derNull), nil
}

// hashName gives a readable name for error messages.
func hashName(h crypto.Hash) string {
	if h == 0 {
		return "unknown hash"
	}
	return h.String()
}

// shortHashName gives the compact form used in algorithm names: SHA256,
// SHA3-256.
func shortHashName(h crypto.Hash) string {
	if h == 0 {
		return "unknown"
	}
	return strings.Replace(h.String(), "SHA-", "SHA", 1)
}
