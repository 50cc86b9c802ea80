package certpath

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"errors"
	"math/big"
	"strings"
	"testing"
	"time"
)

func TestPolicyHashes(t *testing.T) {
	p := DefaultPolicy()
	before := DefaultSHA1Sunset.Add(-time.Nanosecond)
	after := DefaultSHA1Sunset.AddDate(3, 0, 0)
	for _, c := range []struct {
		h  crypto.Hash
		at time.Time
		ok bool
	}{
		{crypto.SHA1, time.Date(2012, 1, 1, 0, 0, 0, 0, time.UTC), true},
		{crypto.SHA1, before, true},
		{crypto.SHA1, DefaultSHA1Sunset, false},
		{crypto.SHA1, after, false},
		{crypto.SHA1, time.Time{}, false}, // no time to judge at
		{crypto.SHA256, after, true},
		{crypto.SHA256, time.Time{}, true},
		{crypto.SHA224, after, true},
		{crypto.SHA384, after, true},
		{crypto.SHA512, after, true},
		{crypto.SHA512_256, after, true},
		{crypto.SHA3_256, after, true},
		{crypto.MD5, time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC), false},
		{crypto.MD4, time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC), false},
		{crypto.MD5SHA1, before, false},
		{crypto.RIPEMD160, before, false},
		{0, before, false},
	} {
		err := p.CheckHash(c.h, c.at)
		if (err == nil) != c.ok {
			t.Errorf("%v at %v: %v, want ok=%v", hashName(c.h), c.at, err, c.ok)
		}
		var ae *AlgorithmError
		if err != nil && !errors.As(err, &ae) {
			t.Errorf("%v: %T", c.h, err)
		}
	}
	// The error carries the sunset, or says never.
	var ae *AlgorithmError
	errors.As(p.CheckHash(crypto.SHA1, after), &ae)
	if !ae.Sunset.Equal(DefaultSHA1Sunset) || !strings.Contains(ae.Error(), "2021-01-01") {
		t.Errorf("%+v %q", ae, ae.Error())
	}
	errors.As(p.CheckHash(crypto.MD5, before), &ae)
	if !ae.Sunset.IsZero() || !strings.Contains(ae.Error(), "never") {
		t.Errorf("md5: %q", ae.Error())
	}
	// An IT policy can date SHA-224 and move SHA-1's sunset.
	p.Sunsets = map[crypto.Hash]time.Time{crypto.SHA224: time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)}
	p.SHA1Sunset = time.Date(2019, 1, 1, 0, 0, 0, 0, time.UTC)
	if p.CheckHash(crypto.SHA224, time.Date(2031, 1, 1, 0, 0, 0, 0, time.UTC)) == nil || p.CheckHash(crypto.SHA224, after) != nil {
		t.Error("SHA-224 sunset not applied")
	}
	if p.CheckHash(crypto.SHA1, time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC)) == nil {
		t.Error("SHA-1 sunset not moved")
	}
	// The map cannot rescue MD5.
	p.Sunsets[crypto.MD5] = time.Date(2100, 1, 1, 0, 0, 0, 0, time.UTC)
	if p.CheckHash(crypto.MD5, before) == nil {
		t.Error("MD5 accepted through Sunsets")
	}
	// The zero policy refuses SHA-1.
	if (&Policy{}).CheckHash(crypto.SHA1, time.Date(2010, 1, 1, 0, 0, 0, 0, time.UTC)) == nil {
		t.Error("zero policy accepts SHA-1")
	}
}

func TestPolicyKeys(t *testing.T) {
	p := DefaultPolicy()
	at := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	rsaOf := func(bits int) *rsa.PublicKey {
		n := new(big.Int).Lsh(big.NewInt(1), uint(bits-1))
		return &rsa.PublicKey{N: n.SetBit(n, 0, 1), E: 65537}
	}
	ec := func(c elliptic.Curve) *ecdsa.PublicKey {
		k, err := ecdsa.GenerateKey(c, rand.Reader)
		if err != nil {
			t.Fatal(err)
		}
		return &k.PublicKey
	}
	edPub, _, _ := ed25519.GenerateKey(rand.Reader)
	for _, c := range []struct {
		name string
		key  crypto.PublicKey
		ok   bool
	}{
		{"rsa 512", rsaOf(512), false},
		{"rsa 1023", rsaOf(1023), false},
		{"rsa 1024", rsaOf(1024), true},
		{"rsa 4096", rsaOf(4096), true},
		{"rsa nil", (*rsa.PublicKey)(nil), false},
		{"p256", ec(elliptic.P256()), true},
		{"p384", ec(elliptic.P384()), true},
		{"p521", ec(elliptic.P521()), true},
		{"p224", ec(elliptic.P224()), false},
		{"nil ecdsa", (*ecdsa.PublicKey)(nil), false},
		{"ed25519", edPub, true},
		{"short ed25519", ed25519.PublicKey(edPub[:10]), false},
		{"other", "key", false},
	} {
		if err := p.CheckKey(c.key, at); (err == nil) != c.ok {
			t.Errorf("%s: %v", c.name, err)
		}
	}
	p.MinRSABits = 2048
	if p.CheckKey(rsaOf(1024), at) == nil || p.CheckKey(rsaOf(2048), at) != nil {
		t.Error("MinRSABits")
	}
	p.MinRSABits = 512 // cannot go under 1024
	if p.CheckKey(rsaOf(768), at) == nil {
		t.Error("768-bit RSA accepted")
	}
	p.RSA2048Sunset = time.Date(2016, 1, 1, 0, 0, 0, 0, time.UTC)
	if p.CheckKey(rsaOf(1024), at) == nil || p.CheckKey(rsaOf(1024), time.Date(2015, 1, 1, 0, 0, 0, 0, time.UTC)) != nil {
		t.Error("RSA2048Sunset")
	}
}
