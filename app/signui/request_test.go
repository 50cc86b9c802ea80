package signui

import (
	"crypto/x509"
	"crypto/x509/pkix"
	"testing"
	"time"

	"github.com/vanthuso/vanthu/signing/stamp"
)

// The stamp time pattern chosen in the settings reaches the stamp.
func TestStampOptionsTimeLayout(t *testing.T) {
	cert := &x509.Certificate{Subject: pkix.Name{CommonName: "Nguyễn Văn An", Organization: []string{"UBND tỉnh Nghệ An"}}}
	for _, layout := range []string{"", "02.01.2006 15:04:05 -07:00"} {
		j := signJob{profile: stamp.Attachment, timeLayout: layout, place: placement{kind: placeCorner}}
		so, _, err := j.stampOptions(&docFacts{pages: 1}, cert, time.Now())
		if err != nil {
			t.Fatal(err)
		}
		if so.TimeLayout != layout || so.Info.Signer != "Nguyễn Văn An" {
			t.Errorf("layout %q: got %q, signer %q", layout, so.TimeLayout, so.Info.Signer)
		}
	}
}
