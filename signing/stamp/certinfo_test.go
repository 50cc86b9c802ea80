package stamp

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"math/big"
	"testing"
	"time"
)

func TestInfoFromCertificate(t *testing.T) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1),
		Subject: pkix.Name{
			CommonName:         "Nguyễn Văn An",
			OrganizationalUnit: []string{"Văn phòng"},
			ExtraNames: []pkix.AttributeTypeAndValue{
				{Type: oidTitle, Value: "Chủ tịch"},
				{Type: oidEmail, Value: "an@example.gov.vn"},
			},
		},
		NotBefore: time.Now().Add(-time.Hour),
		NotAfter:  time.Now().Add(time.Hour),
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	c, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	at := time.Date(2026, 6, 26, 8, 19, 1, 0, time.UTC)
	got := InfoFromCertificate(c, at)
	want := Info{Signer: "Nguyễn Văn An", Organization: "Văn phòng", Position: "Chủ tịch", Email: "an@example.gov.vn", Time: at}
	if got != want {
		t.Errorf("got %+v, want %+v", got, want)
	}
	c.Subject.Organization = []string{"UBND tỉnh Nghệ An"}
	if o := Organization(c); o != "UBND tỉnh Nghệ An" {
		t.Errorf("Organization prefers O: %q", o)
	}
}

func TestReason(t *testing.T) {
	for _, c := range []struct {
		p            Profile
		number, form string
		want         string
	}{
		{Approval, "", "", "Ký duyệt"},
		{Issue, "05/QĐ-UBND", "", "Ký phát hành văn bản số 05/QĐ-UBND"},
		{Attachment, "05/QĐ-UBND", "", "Ký phụ lục kèm theo văn bản số 05/QĐ-UBND"},
		{Copy, "", "SAO Y", "SAO Y"},
	} {
		if got := Reason(c.p, c.number, c.form); got != c.want {
			t.Errorf("Reason(%s) = %q, want %q", c.p, got, c.want)
		}
	}
}
