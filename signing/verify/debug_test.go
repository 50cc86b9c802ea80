package verify

import (
	"fmt"
	"io"
	"os"
	"testing"

	"github.com/vanthuso/vanthu/signing/pdf"
)

func TestDebugObjects(t *testing.T) {
	path := os.Getenv("VERIFY_DEBUG")
	if path == "" {
		t.Skip()
	}
	rep, _ := VerifyFile(t.Context(), path, Options{})
	for _, sg := range rep.Signatures {
		if sg.ModifiedAfterSigning {
			debugDiff(t, path, sg.signedEnd)
		}
	}
}

func debugDiff(t *testing.T, path string, end int64) {
	fmt.Println("### signed end", end)
	f, _ := os.Open(path)
	st, _ := f.Stat()
	cur, err := pdf.Open(f, st.Size())
	if err != nil {
		t.Fatal(err)
	}
	old, err := pdf.Open(io.NewSectionReader(f, 0, end), end)
	if err != nil {
		t.Fatal(err)
	}
	fmt.Println("eofs", cur.EOFOffsets(), "xrefs", cur.XRefOffsets())
	for _, r := range cur.Refs() {
		o1, i1, ok1 := old.ObjectOffset(r)
		o2, i2, ok2 := cur.ObjectOffset(r)
		if o1 != o2 || i1 != i2 || ok1 != ok2 {
			a, _ := old.Get(r)
			b, _ := cur.Get(r)
			fmt.Printf("%v: old %d/%d/%v new %d/%d/%v\n  OLD %s\n  NEW %s\n", r, o1, i1, ok1, o2, i2, ok2, trunc(a), trunc(b))
		}
	}
}

func trunc(o pdf.Object) string {
	if s, ok := o.(*pdf.Stream); ok {
		o = s.Dict
	}
	b := pdf.AppendObject(nil, o)
	if len(b) > 400 {
		b = b[:400]
	}
	return string(b)
}
