package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/vanthuso/vanthu/signing/pades"
)

// signBatch signs every *.pdf of f.batch (sorted, not recursive) into
// f.outDir under the same name, with one module, one session and one
// login. A file that fails is reported and the others go on; a token
// problem (removed, logged out) stops the batch, since every later file
// would fail the same way.
func (c *cli) signBatch(ctx context.Context, f signFlags, req signRequest) error {
	names, err := c.batchFiles(f.batch, f.outDir)
	if err != nil {
		return err
	}
	pin, err := c.readPIN(f.pinStdin)
	if err != nil {
		return err
	}
	key, err := c.openSigningKey(f.tokenFlags, pin)
	if err != nil {
		return err
	}
	defer key.Close()
	return c.runBatch(ctx, key, req, names, f)
}

// runBatch signs names, from f.batch into f.outDir, with key.
func (c *cli) runBatch(ctx context.Context, key *signingKey, req signRequest, names []string, f signFlags) error {
	tsa := req.timestamper()
	results := make([]fileResult, 0, len(names))
	var stopped error
	failed := 0
	start := time.Now()
	for i, name := range names {
		in, out := filepath.Join(f.batch, name), filepath.Join(f.outDir, name)
		fmt.Fprintf(c.stderr, "[%d/%d] %s … ", i+1, len(names), name)
		res, err := c.signBatchFile(ctx, key, req, tsa, in, out, f.force)
		results = append(results, res)
		if err == nil {
			fmt.Fprintln(c.stderr, "ok")
			continue
		}
		failed++
		fmt.Fprintln(c.stderr, c.t("batch.file-failed", res.Error))
		if isTokenProblem(err) || errors.Is(err, context.Canceled) {
			stopped = err
			for _, rest := range names[i+1:] {
				r := req.newResult(filepath.Join(f.batch, rest), filepath.Join(f.outDir, rest))
				r.Status = statusNotAttempted
				results = append(results, r)
			}
			break
		}
	}
	elapsed := time.Since(start)
	if f.json {
		c.writeJSON(results)
	}
	c.batchSummary(results, elapsed, f.outDir)
	switch {
	case stopped != nil:
		code, msg := c.explain(stopped)
		return &exitError{code: code, msg: c.t("err.batch-stopped", msg, countStatus(results, statusNotAttempted)), err: stopped}
	case failed > 0:
		return &exitError{code: exitFailed, msg: c.t("err.batch-failed", failed, len(names))}
	}
	return nil
}

// signBatchFile signs one file of a batch; an existing output is refused
// unless --force, like in single mode.
func (c *cli) signBatchFile(ctx context.Context, key *signingKey, req signRequest, tsa pades.Timestamper, in, out string, force bool) (fileResult, error) {
	if _, err := os.Stat(out); err == nil && !force {
		res := req.newResult(in, out)
		err := c.inputErr(nil, "err.batch-out-exists", out)
		res.Error = err.Error()
		return res, err
	}
	res, err := c.signDocument(ctx, key, req, tsa, in, out)
	if err != nil {
		_, res.Error = c.explain(err)
	}
	return res, err
}

// batchFiles lists the PDFs to sign and prepares the output folder, which
// must not be the input folder (that would replace the originals).
func (c *cli) batchFiles(dir, outDir string) ([]string, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, c.inputErr(err, "err.batch-dir", dir, err.Error())
	}
	if samePath(dir, outDir) {
		return nil, c.usageErr("usage.batch-same-dir", outDir)
	}
	var names []string
	for _, e := range entries {
		if e.Type().IsRegular() && strings.EqualFold(filepath.Ext(e.Name()), ".pdf") {
			names = append(names, e.Name())
		}
	}
	slices.Sort(names)
	if len(names) == 0 {
		return nil, c.inputErr(nil, "err.batch-empty", dir)
	}
	if err := os.MkdirAll(outDir, 0o755); err != nil {
		return nil, c.inputErr(err, "err.batch-out-dir", outDir, err.Error())
	}
	return names, nil
}

func countStatus(rs []fileResult, status string) int {
	n := 0
	for _, r := range rs {
		if r.Status == status {
			n++
		}
	}
	return n
}

// batchSummary prints counts, time and documents per second.
func (c *cli) batchSummary(rs []fileResult, elapsed time.Duration, outDir string) {
	ok := countStatus(rs, statusOK)
	rate := 0.0
	if s := elapsed.Seconds(); s > 0 {
		rate = float64(ok) / s
	}
	fmt.Fprintln(c.stderr, c.t("batch.summary", ok, len(rs), countStatus(rs, statusError),
		countStatus(rs, statusNotAttempted), elapsed.Seconds(), rate, outDir))
}
