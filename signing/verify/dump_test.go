package verify

import (
	"context"
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/vanthuso/vanthu/internal/pdftools"
)

func TestDumpCorpus(t *testing.T) {
	if os.Getenv("VERIFY_DUMP") == "" {
		t.Skip()
	}
	files, err := pdftools.CorpusPDFs("dss", "rub", "vn")
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range files {
		if s := os.Getenv("VERIFY_DUMP"); s != "1" && !strings.Contains(f, s) {
			continue
		}
		rep, err := VerifyFile(context.Background(), f, Options{})
		if err != nil {
			fmt.Println(f, "ERR", err)
			continue
		}
		fmt.Printf("== %s %s revs=%d %v\n", f[strings.Index(f, "corpus/")+7:], rep.Verdict, rep.Revisions, rep.Reasons)
		for _, s := range rep.Signatures {
			fmt.Printf("   %q %s integ=%s cov=%s mod=%v lvl=%s sf=%s ts=%v\n", s.Field, s.Verdict, s.Integrity, s.Coverage, s.ModifiedAfterSigning, s.Level, s.SubFilter, s.ProvenByTimestamp)
			for _, r := range s.Reasons {
				if r.Code != "no-trust-anchors" {
					fmt.Printf("      R %s: %s\n", r.Code, r.EN)
				}
			}
			for _, c := range s.Changes {
				if !c.Allowed || os.Getenv("VERIFY_ALL") != "" {
					fmt.Printf("      C %+v\n", c)
				}
			}
		}
	}
}
