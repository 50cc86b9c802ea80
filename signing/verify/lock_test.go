package verify

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/vanthuso/vanthu/internal/samplepdf"
	"github.com/vanthuso/vanthu/signing/acroform"
	"github.com/vanthuso/vanthu/signing/pades"
	"github.com/vanthuso/vanthu/signing/pdf"
)

// A signature whose field carries a /Lock forbids changing the fields it
// locks: the attacker fills the text field HoTen after the leader signed
// (form filling, which an approval signature otherwise allows). Every way
// of naming HoTen locks it, an /Action we do not know included (read as
// All, the strictest: a lock is never talked out of by a misspelling);
// a lock of other fields does not.
func TestFieldLockEnforced(t *testing.T) {
	f := newSignerFixture(t, false)
	names := func(ns ...string) pdf.Array {
		var a pdf.Array
		for _, n := range ns {
			a = append(a, pdf.TextString(n))
		}
		return a
	}
	lock := func(action string, fields ...string) pdf.Dict {
		d := pdf.Dict{"Type": pdf.Name("SigFieldLock"), "Action": pdf.Name(action)}
		if fields != nil {
			d["Fields"] = names(fields...)
		}
		return d
	}
	for _, c := range []struct {
		name   string
		lock   pdf.Dict
		locked bool
	}{
		{"include", lock("Include", "HoTen"), true},
		{"all", lock("All"), true},
		{"exclude-other", lock("Exclude", "Khac"), true},
		{"unknown-action", lock("Bogus", "Khac"), true},
		{"include-other", lock("Include", "Khac"), false},
		{"exclude", lock("Exclude", "HoTen"), false},
	} {
		t.Run(c.name, func(t *testing.T) {
			dir := t.TempDir()
			in := filepath.Join(dir, "in.pdf")
			if err := samplepdf.WriteFile(in, samplepdf.Options{Fields: true}); err != nil {
				t.Fatal(err)
			}
			base, _ := os.ReadFile(in)
			u := openUpdate(t, base)
			form, err := acroform.Read(u.r)
			if err != nil {
				t.Fatal(err)
			}
			var sigRef, textRef pdf.Ref
			for _, fl := range form.Fields {
				switch fl.Name {
				case "ChuKyLanhDao":
					sigRef = fl.Ref
				case "HoTen":
					textRef = fl.Ref
				}
			}
			if sigRef == (pdf.Ref{}) || textRef == (pdf.Ref{}) {
				t.Fatal("the sample lacks its fields")
			}
			sd := maps(u.dict(sigRef))
			sd["Lock"] = c.lock
			u.set(sigRef, sd)
			if err := os.WriteFile(in, u.bytes(), 0o644); err != nil {
				t.Fatal(err)
			}
			signed := filepath.Join(dir, "signed.pdf")
			o := f.leaderOptions()
			o.Field = "ChuKyLanhDao"
			if _, err := pades.SignFile(context.Background(), in, signed, o); err != nil {
				t.Fatal(err)
			}
			data, _ := os.ReadFile(signed)
			u = openUpdate(t, data)
			td := maps(u.dict(textRef))
			td["V"] = pdf.TextString("Kẻ giả mạo")
			u.set(textRef, td)
			forged := filepath.Join(dir, "forged.pdf")
			if err := os.WriteFile(forged, u.bytes(), 0o644); err != nil {
				t.Fatal(err)
			}
			rep, err := VerifyFile(context.Background(), forged, f.trust())
			if err != nil {
				t.Fatal(err)
			}
			if len(rep.Signatures) != 1 {
				t.Fatalf("%d signatures", len(rep.Signatures))
			}
			s := rep.Signatures[0]
			var lockedChange bool
			for _, ch := range s.Changes {
				if ch.Kind == "locked-field" && !ch.Allowed && bytes.Contains([]byte(ch.Detail), []byte("HoTen")) {
					lockedChange = true
				}
			}
			if lockedChange != c.locked {
				t.Errorf("locked-field change %v, want %v: %+v", lockedChange, c.locked, s.Changes)
			}
			if c.locked && (s.Verdict == Valid || !s.ModifiedAfterSigning) {
				t.Errorf("verdict %s, modified %v after a locked field was filled", s.Verdict, s.ModifiedAfterSigning)
			}
		})
	}
}
