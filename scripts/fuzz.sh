#!/usr/bin/env bash
# Runs every Go fuzz target of the module for a bounded number of
# executions: no panic, no failed check, no hang. Any failure fails the
# script, explained or not.
#
# Usage: scripts/fuzz.sh [BUDGET] [PACKAGE...]
#   BUDGET  20s (default): each target runs the number of executions it
#           manages in about 20 s (the table below); another duration
#           scales the counts (60s: three times as many); Nx: N executions
#           for every target.
#   PACKAGE go list patterns (default ./...).
#        scripts/fuzz.sh --measure DURATION [PACKAGE...]
#           runs each target for DURATION and prints its executions, in the
#           table's format (the verdict of such a run is not checked).
# Environment: FUZZ_ROOT, the module to fuzz (default: this repository);
# FUZZ_TIMEOUT, go test's -timeout per target (default 10m); FUZZ_TAGS,
# the build tags (default migrated_fynedo, as make test).
#
# Why counts, not durations (investigated with Go 1.26.8):
# - With a duration, -fuzztime becomes a context.WithTimeout inside
#   internal/fuzz.CoordinateFuzzing, and the coordinator compares that
#   context's error with its child's (fuzzCtx) to tell "time is up" from a
#   failure. context closes the parent's Done channel before it cancels the
#   children, so a coordinator woken in between sees DeadlineExceeded on
#   one and nil on the other and fails the run with a bare "context
#   deadline exceeded" and no input (golang/go#75804). Loaded machines hit
#   it; the old script retried once and then forgave it, so a real hang
#   (which ends the same way: the stuck worker is killed at the deadline,
#   its input unknown) could pass as that race.
# - With a count (-fuzztime Nx) there is no deadline at all: the context is
#   only cancelled on SIGINT, the run stops when the count is reached, and
#   that race cannot happen. -fuzzminimizetime is a count for the same
#   reason.
# - Go's worker has a per-input limit of its own, hard-coded: it panics,
#   without a word, on an input that runs 10 s (internal/fuzz.RunFuzzWorker);
#   the coordinator says "fuzzing process hung or terminated unexpectedly:
#   exit status 2" and keeps the input in testdata/fuzz/. A hang that
#   starts in the last 10 s of a duration never gets there: that is the
#   bare "context deadline exceeded" a hang produced. With a count there
#   is no such window.
# - A hang is then always explicit: every target arms fuzzguard.Watch
#   (internal/fuzzguard), which in a worker fires at 8 s, before Go's
#   limit: it writes the input and a report with the goroutines
#   (testdata/fuzz-hangs/<target>/, printed below) and exits 86; the
#   coordinator reports "exit status 86" and keeps the input too. A target
#   without the watchdog that hangs fails by Go's 10 s limit; go test's
#   -timeout (FUZZ_TIMEOUT) is the last resort for anything else.
# - The counts: executions per target in 20 s, measured with --measure
#   20s on the 2-core build machine while other work ran on it (load 2 to
#   4), rounded down. An idle machine finishes sooner, a loaded one later;
#   nothing fails for being slow short of FUZZ_TIMEOUT. Sixteen targets at
#   about 20 s each. A target missing from the table runs the default count.
#   Re-measure when a target changes a lot.
# internal/fuzzguard's TestFuzzScript runs this script on a throwaway
# module with a hanging, an unguarded hanging, a crashing and a sound
# target, and checks the verdicts.
set -euo pipefail
cd "${FUZZ_ROOT:-$(dirname "$0")/..}"

declare -A count=(
  ["app/render FuzzOpen"]=16000
  ["signing/cms FuzzParse"]=100000
  ["signing/cms FuzzParseTimestampToken"]=110000
  ["signing/cms FuzzParseTimestampRequest"]=210000
  ["signing/internal/pubkey FuzzVerify"]=120000
  ["signing/pdf FuzzOpen"]=19000
  ["signing/pdf FuzzParseObject"]=85000
  ["signing/revocation FuzzCheckOCSP"]=99000
  ["signing/revocation FuzzCheckCRL"]=74000
  ["signing/revocation FuzzParseAdobeRevocation"]=83000
  ["signing/stamp FuzzDecodePNG"]=110000
  ["signing/stamp FuzzText"]=1800
  ["signing/trustlist FuzzParseCertificates"]=120000
  ["signing/verify FuzzVerify"]=2400
  ["signing/verify FuzzForgery"]=900
  ["signing/certpath FuzzBuild"]=120000
  ["signing/certpath FuzzParseIssuers"]=110000
  ["signing/acroform FuzzRead"]=80000
  ["signing/pdfcopy FuzzExtractPages"]=32000
  ["edoc FuzzFold"]=120000
  ["edoc FuzzParseDocumentID"]=180000
  ["edoc FuzzParseOrganID"]=140000
  ["edoc FuzzReadDirectoryCSV"]=130000
  ["edoc FuzzReadDirectoryJSON"]=150000
  ["edoc/edxml FuzzRead"]=16000
  ["edoc/edxml FuzzVerify"]=4900
  ["edoc/report FuzzWriteXLSX"]=8000
  ["sync/client FuzzDecodeAnswer"]=33000
  ["sync/store FuzzApply"]=8000
  ["sync/store FuzzSetText"]=16000
  ["sync/store FuzzOpen"]=2700
  ["sync/profile FuzzKey"]=100000
  ["server FuzzDecodeCursor"]=37000
  ["server FuzzDecodeRequest"]=80000
)
default_count=20000

measure=""
if [[ "${1:-}" == --measure ]]; then
  measure="${2:?usage: scripts/fuzz.sh --measure DURATION [PACKAGE...]}"
  shift 2
fi
budget="20s"
if [[ -z "$measure" && $# -gt 0 && "$1" =~ ^[0-9]+(x|s|m)$ ]]; then
  budget="$1"
  shift
fi
(($#)) || set -- ./...
timeout="${FUZZ_TIMEOUT:-10m}"
tags="${FUZZ_TAGS:-migrated_fynedo}"

# executions KEY: the count for one target under the budget.
executions() {
  local n="${count[$1]:-$default_count}"
  case "$budget" in
    *x) echo "${budget%x}" ;;
    *s) echo $((n * ${budget%s} / 20)) ;;
    *m) echo $((n * ${budget%m} * 60 / 20)) ;;
  esac
}

# files DIR: the files under DIR, one a line, sorted.
files() { { find "$1" -type f 2>/dev/null || true; } | sort; }

log=$(mktemp)
trap 'rm -f "$log"' EXIT
failed=()
start=$SECONDS
module=$(go list -m)
while IFS='|' read -r pkg dir testfiles; do
  rel="${pkg#"$module"/}"
  # Targets in the test files go test builds with these tags (a target
  # behind another build tag, like fuzzguard's self-test, is not one).
  targets=$(cd "$dir" && for t in $testfiles; do grep -hoE '^func Fuzz[A-Za-z0-9_]*\(' "$t" || true; done | sed -E 's/^func (Fuzz[A-Za-z0-9_]*)\(/\1/' | sort -u)
  for f in $targets; do
    key="$rel $f"
    t0=$SECONDS
    if [[ -n "$measure" ]]; then
      set +e
      go test -tags "$tags" -run '^$' -fuzz "^${f}\$" -fuzztime "$measure" -fuzzminimizetime 200x -timeout "$timeout" "$pkg" >"$log" 2>&1
      set -e
      n=$(grep -oE 'execs: [0-9]+' "$log" | tail -1 | grep -oE '[0-9]+' || echo 0)
      echo "  [\"$key\"]=$n  # $((SECONDS - t0)) s in all"
      continue
    fi
    n=$(executions "$key")
    before_crash=$(files "$dir/testdata/fuzz/$f")
    before_hang=$(files "$dir/testdata/fuzz-hangs/$f")
    echo "fuzz: $key (${n} executions)"
    set +e
    go test -tags "$tags" -run '^$' -fuzz "^${f}\$" -fuzztime "${n}x" -fuzzminimizetime 200x -timeout "$timeout" "$pkg" 2>&1 | tee "$log"
    rc=${PIPESTATUS[0]}
    set -e
    new_crash=$(comm -13 <(echo "$before_crash") <(files "$dir/testdata/fuzz/$f") | sed '/^$/d')
    new_hang=$(comm -13 <(echo "$before_hang") <(files "$dir/testdata/fuzz-hangs/$f") | grep -v '\.hang$' | sed '/^$/d' || true)
    why=""
    if [[ -n "$new_hang" ]] || grep -q 'exit status 86$' "$log"; then
      why="hang"
      for h in $new_hang; do
        echo "fuzz: hang: $key: input kept in $h; its report ($h.hang):"
        head -n 60 "$h.hang" 2>/dev/null || echo "fuzz: hang: (no report next to it)"
      done
    elif grep -q 'fuzzing process hung or terminated unexpectedly' "$log"; then
      why="a worker died without fuzzguard's report (Go's own 10 s per-input limit, or a crash that ended the process); input kept"
    elif grep -q 'panic: test timed out' "$log"; then
      why="no result within -timeout $timeout (a hang without fuzzguard.Watch, or far too slow)"
    elif [[ -n "$new_crash" ]] || grep -q 'Failing input written' "$log"; then
      why="failing input"
    elif grep -q '^testing: warning: no fuzz tests to fuzz' "$log"; then
      why="go test found no such target"
    elif ((rc != 0)); then
      why="go test exited $rc without a failing input (unexplained: see the output above)"
    fi
    if [[ -n "$why" ]]; then
      [[ -n "$new_crash" ]] && echo "fuzz: $key: new input(s): $new_crash"
      echo "fuzz: $key FAILED: $why ($((SECONDS - t0)) s)" >&2
      failed+=("$key: $why")
    else
      echo "fuzz: $key ok ($((SECONDS - t0)) s)"
    fi
  done
done < <(go list -tags "$tags" -f '{{.ImportPath}}|{{.Dir}}|{{join .TestGoFiles " "}} {{join .XTestGoFiles " "}}' "$@")
if [[ -n "$measure" ]]; then
  exit 0
fi
echo "fuzz: $((SECONDS - start)) s"
if ((${#failed[@]})); then
  printf 'fuzz: FAILED %s\n' "${failed[@]}" >&2
  exit 1
fi
