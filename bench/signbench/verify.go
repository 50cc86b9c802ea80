package main

import (
	"context"
	"fmt"
	"os"
	"slices"
	"time"

	"github.com/vanthuso/vanthu/signing/verify"
)

// verifyOne verifies every signature of path with signing/verify, as
// `vanthuctl verify --offline` does without trust anchors (pdfsig -nocert
// is the peer: integrity and coverage, no certificate path), and prints
// the verdict and the time VerifyFile took. The file must carry exactly
// expect signatures, each intact, covering a whole revision and not
// modified after signing; with more than one, every signature but the
// last must have been followed by a later revision that the change
// analysis looked at and found only allowed changes in (so a file whose
// second signature was not an incremental update, or whose analysis did
// not run, fails), and the last must cover the whole file. A fast wrong
// answer is no result: anything else fails the run.
func verifyOne(path string, expect int) error {
	if expect < 1 {
		return fmt.Errorf("-expect %d: at least 1", expect)
	}
	st, err := os.Stat(path)
	if err != nil {
		return err
	}
	start := time.Now()
	rep, err := verify.VerifyFile(context.Background(), path, verify.Options{})
	if err != nil {
		return err
	}
	took := time.Since(start)
	if len(rep.Signatures) != expect {
		return fmt.Errorf("%s: %d signatures found, %d expected", path, len(rep.Signatures), expect)
	}
	sigs := slices.Clone(rep.Signatures)
	end := func(s verify.Signature) int64 {
		if len(s.ByteRange) != 4 {
			return -1
		}
		return s.ByteRange[2] + s.ByteRange[3]
	}
	slices.SortStableFunc(sigs, func(a, b verify.Signature) int { return int(min(max(end(a)-end(b), -1), 1)) })
	changes := 0
	for i, s := range sigs {
		if s.Integrity != verify.IntegrityOK || s.Coverage != verify.CoverageWholeRevision || s.ModifiedAfterSigning {
			return fmt.Errorf("%s: signature %s: integrity %s, coverage %s, modified %v", path, s.Field, s.Integrity, s.Coverage, s.ModifiedAfterSigning)
		}
		for _, c := range s.Changes {
			if !c.Allowed {
				return fmt.Errorf("%s: signature %s: change not allowed: %s %s", path, s.Field, c.Kind, c.Detail)
			}
		}
		last := i == len(sigs)-1
		switch {
		case last && end(s) != st.Size():
			return fmt.Errorf("%s: the last signature %s ends at byte %d of %d: it does not cover the whole file", path, s.Field, end(s), st.Size())
		case !last && end(s) >= st.Size():
			return fmt.Errorf("%s: signature %s is not followed by a later revision", path, s.Field)
		case !last && len(s.Changes) == 0:
			return fmt.Errorf("%s: signature %s: no change after it reported, though the file grew from %d to %d bytes: the change analysis did not run", path, s.Field, end(s), st.Size())
		}
		changes += len(s.Changes)
	}
	fmt.Printf("verdict=%s signatures=%d revisions=%d changes=%d verify_ms=%s\n", rep.Verdict, len(rep.Signatures), rep.Revisions, changes, ms(took))
	return nil
}
