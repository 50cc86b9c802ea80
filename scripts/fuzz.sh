#!/usr/bin/env bash
# Runs every Go fuzz target in the module for a bounded time each
# (default 20s): no panic, no hang. Usage: scripts/fuzz.sh [DURATION]
#
# Go 1.26's fuzz coordinator can end a run that found nothing with a bare
# "context deadline exceeded" at the -fuzztime boundary (a race between its
# deadline and the workers, golang/go#75804, fixed in Go 1.27). Such a run
# wrote no failing input: it is tried once more, and if the race strikes
# again it is reported and not counted as a failure. Any other failure, or
# a new input under testdata/fuzz/, fails the script.
set -euo pipefail
cd "$(dirname "$0")/.."
t="${1:-20s}"
log=$(mktemp)
trap 'rm -f "$log"' EXIT
status=0
flakes=()

# crashers DIR TARGET: how many failing inputs the target has kept.
crashers() { { find "$1/testdata/fuzz/$2" -type f 2>/dev/null || true; } | wc -l; }

for pkg in $(go list ./...); do
  dir=$(go list -f '{{.Dir}}' "$pkg")
  for f in $(grep -hoE '^func (Fuzz[A-Za-z0-9_]+)\(' "$dir"/*_test.go 2>/dev/null | sed -E 's/func (Fuzz[A-Za-z0-9_]+)\(/\1/' | sort -u); do
    for try in 1 2; do
      again=""
      ((try == 2)) && again=", again"
      echo "fuzz: $pkg $f ($t$again)"
      before=$(crashers "$dir" "$f")
      set +e
      go test -run '^$' -fuzz "^${f}\$" -fuzztime "$t" -fuzzminimizetime 200x "$pkg" 2>&1 | tee "$log"
      rc=${PIPESTATUS[0]}
      set -e
      ((rc == 0)) && break
      after=$(crashers "$dir" "$f")
      if ((after == before)) && grep -q '^    context deadline exceeded$' "$log" && ! grep -q 'Failing input written\|panic:\|fuzzing process hung' "$log"; then
        if ((try == 1)); then
          echo "fuzz: $f: 'context deadline exceeded' without a failing input (golang/go#75804); trying once more"
          continue
        fi
        echo "fuzz: $f: the coordinator race struck twice, no failing input: not counted"
        flakes+=("$pkg $f")
        break
      fi
      echo "fuzz: $pkg $f FAILED" >&2
      status=1
      break
    done
  done
done
if ((${#flakes[@]})); then
  echo "fuzz: ended by golang/go#75804 twice, without any failing input: ${flakes[*]}"
fi
exit "$status"
