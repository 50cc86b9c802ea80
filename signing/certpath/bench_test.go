package certpath

import (
	"context"
	"crypto/x509"
	"testing"
)

// BenchmarkBuild: a valid three-certificate path, and the same leaf with
// 300 look-alike intermediates (same name and key identifier, other keys)
// given before the real one, which bound the search.
func BenchmarkBuild(b *testing.B) {
	root := newRoot(b, "Gốc đo", nil)
	sub := root.issue(b, "CA đo", true, nil)
	leaf := sub.issue(b, "Lá đo", false, nil)
	var fakes []*x509.Certificate
	for range 300 {
		tm := template("CA đo", true)
		tm.SubjectKeyId = sub.cert.SubjectKeyId
		fakes = append(fakes, root.issueWithKey(b, tm, p256(b)).cert)
	}
	for _, c := range []struct {
		name  string
		inter []*x509.Certificate
	}{
		{"valid", certsOf(sub)},
		{"look-alikes", append(fakes, sub.cert)},
	} {
		b.Run(c.name, func(b *testing.B) {
			o := Options{Anchors: certsOf(root), Intermediates: c.inter}
			b.ReportAllocs()
			for b.Loop() {
				Build(context.Background(), leaf.cert, o)
			}
		})
	}
}
