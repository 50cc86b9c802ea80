package pades

import (
	"path/filepath"
	"testing"

	"github.com/vanthuso/vanthu/internal/samplepdf"
)

func TestSignFreshDocument(t *testing.T) {
	f := newFixture(t, true)
	cases := []struct {
		name string
		doc  samplepdf.Options
		opts func() Options
	}{
		{"pades-bb-table", samplepdf.Options{Pages: 2}, f.leaderOptions},
		{"pades-bb-xrefstream", samplepdf.Options{Pages: 2, XRefStream: true}, f.leaderOptions},
		{"adbe-bb", samplepdf.Options{}, func() Options {
			o := f.leaderOptions()
			o.SubFilter = PKCS7
			return o
		}},
		{"pades-bt", samplepdf.Options{}, func() Options {
			o := f.leaderOptions()
			o.Level = LevelT
			o.TSA = f.tsaClient()
			return o
		}},
		{"pades-bt-xrefstream", samplepdf.Options{XRefStream: true}, func() Options {
			o := f.agencyOptions()
			o.Level = LevelT
			o.TSA = f.tsaClient()
			return o
		}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			in := sample(t, "in.pdf", c.doc)
			out := filepath.Join(t.TempDir(), "out.pdf")
			res := sign(t, in, out, c.opts())
			if res.Used > res.Reserved || res.Used == 0 {
				t.Errorf("CMS used %d of %d reserved bytes", res.Used, res.Reserved)
			}
			f.t = t
			f.checkAllVerifiers(out, 1, true)
		})
	}
}
