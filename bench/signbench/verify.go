package main

import (
	"context"
	"fmt"
	"time"

	"github.com/vanthuso/vanthu/signing/verify"
)

// verifyOne verifies every signature of path with signing/verify, as
// `vanthuctl verify --offline` does without trust anchors (pdfsig -nocert
// is the peer: integrity and coverage, no certificate path), and prints
// the verdict and the time VerifyFile took. A signature that is not intact
// fails the run: a fast wrong answer is no result.
func verifyOne(path string) error {
	start := time.Now()
	rep, err := verify.VerifyFile(context.Background(), path, verify.Options{})
	if err != nil {
		return err
	}
	took := time.Since(start)
	if len(rep.Signatures) == 0 {
		return fmt.Errorf("%s: no signature found", path)
	}
	for _, s := range rep.Signatures {
		if s.Integrity != verify.IntegrityOK || s.Coverage != verify.CoverageWholeRevision || s.ModifiedAfterSigning {
			return fmt.Errorf("%s: signature %s: integrity %s, coverage %s, modified %v", path, s.Field, s.Integrity, s.Coverage, s.ModifiedAfterSigning)
		}
	}
	fmt.Printf("verdict=%s signatures=%d verify_ms=%s\n", rep.Verdict, len(rep.Signatures), ms(took))
	return nil
}
