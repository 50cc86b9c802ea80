package certpath

import (
	"context"
	"crypto/x509"
	"encoding/binary"
	"errors"
	"testing"

	"github.com/vanthuso/vanthu/internal/fuzzguard"
)

// fuzzCerts cuts data into certificates: each a 2-byte length and that many
// bytes, kept when crypto/x509 parses them (as the verifier's inputs are).
func fuzzCerts(data []byte) []*x509.Certificate {
	var out []*x509.Certificate
	for len(data) >= 2 && len(out) < 64 {
		n := int(binary.BigEndian.Uint16(data))
		data = data[2:]
		n = min(n, len(data))
		if c, err := x509.ParseCertificate(data[:n]); err == nil {
			out = append(out, c)
		}
		data = data[n:]
	}
	return out
}

func fuzzSeed(certs ...*x509.Certificate) []byte {
	var b []byte
	for _, c := range certs {
		b = binary.BigEndian.AppendUint16(b, uint16(len(c.Raw)))
		b = append(b, c.Raw...)
	}
	return b
}

// FuzzBuild builds paths over fuzzed certificates (the first is the leaf,
// the others anchors, intermediates and known roots by turns): no panic,
// no hang, and every failure an *Error with a code.
func FuzzBuild(f *testing.F) {
	root := newRoot(f, "Gốc fuzz", nil)
	sub := root.issue(f, "CA fuzz", true, func(c *x509.Certificate) { c.PermittedDNSDomains = []string{"vn"} })
	leaf := sub.issue(f, "Lá fuzz", false, func(c *x509.Certificate) { c.DNSNames = []string{"a.vn"} })
	loopA := sub.issue(f, "CA fuzz", true, nil)
	f.Add(fuzzSeed(leaf.cert, root.cert, sub.cert))
	f.Add(fuzzSeed(leaf.cert, root.cert, sub.cert, loopA.cert, sub.cert))
	f.Add(fuzzSeed(sub.cert, sub.cert, root.cert))
	f.Add([]byte{0, 3, 0x30, 1, 0})
	f.Fuzz(func(t *testing.T, data []byte) {
		defer fuzzguard.Watch(t, fuzzguard.Limit, data)()
		certs := fuzzCerts(data)
		if len(certs) == 0 {
			return
		}
		var o Options
		for i, c := range certs[1:] {
			switch i % 3 {
			case 0:
				o.Anchors = append(o.Anchors, c)
			case 1:
				o.Intermediates = append(o.Intermediates, c)
			default:
				o.Known = append(o.Known, c)
			}
		}
		o.At = testNow
		o.Usage = Usage(len(data) % 3)
		p, err := Build(context.Background(), certs[0], o)
		var e *Error
		switch {
		case err == nil && (len(p.Certs) == 0 || len(p.Certs) > MaxPathCerts || p.Anchor == nil):
			t.Fatalf("path of %d certificates, anchor %v", len(p.Certs), p.Anchor)
		case err != nil && (!errors.As(err, &e) || e.Code == "" || e.Error() == ""):
			t.Fatalf("error %T %v", err, err)
		}
	})
}

// FuzzParseIssuers: any body an AIA server sends is parsed or refused
// without a panic, and the name comparison of any Name terminates.
func FuzzParseIssuers(f *testing.F) {
	root := newRoot(f, "Gốc fuzz", nil)
	f.Add(root.cert.Raw)
	f.Add([]byte("-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n"))
	f.Add([]byte("-----BEGIN PKCS7-----\nMIIB\n-----END PKCS7-----\n"))
	f.Add(root.cert.RawSubject)
	f.Fuzz(func(t *testing.T, data []byte) {
		defer fuzzguard.Watch(t, fuzzguard.Limit, data)()
		certs, err := ParseIssuers(data)
		if err == nil && len(certs) == 0 {
			t.Fatal("no certificates and no error")
		}
		if nameKey(data) != nameKey(append([]byte(nil), data...)) {
			t.Fatal("nameKey not deterministic")
		}
	})
}
