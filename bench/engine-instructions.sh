#!/usr/bin/env bash
# Instructions per engine decision, counted by callgrind rather than timed: on a shared virtual
# machine the time of one decision varies by ±20 % from run to run, an instruction count does
# not depend on the machine's load. Counts only what `decide_repeatedly` in
# server/benches/engine.rs runs (the decisions), not building the input.
#
#   bench/engine-instructions.sh [BENCH_BINARY ...]
#
# Each binary is the engine benchmark built with `cargo bench -p server --bench engine --no-run`
# (default: the newest one under target/release/deps). Give two binaries (two builds) to compare
# them side by side. For each case and binary: RUNS processes (default 5), each making CALLS
# decisions (default 20); the per-decision count is the process's count divided by CALLS.
set -euo pipefail
cd "$(dirname "$0")/.."
command -v valgrind >/dev/null || { echo "valgrind is needed (apt-get install valgrind)" >&2; exit 2; }
RUNS="${RUNS:-5}"
CALLS="${CALLS:-20}"
if [ "$#" -eq 0 ]; then
  set -- "$(ls -t target/release/deps/engine-* | grep -v '\.d$' | head -n 1)"
fi
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
printf '%-16s %-28s %s\n' case binary "instructions per decision (each run)"
for case in healthy cash_strapped; do
  for bin in "$@"; do
    counts=()
    for run in $(seq 1 "$RUNS"); do
      file="$out/$case-$run.out"
      ENGINE_CALLS="$CALLS" ENGINE_CASE="$case" valgrind --tool=callgrind --callgrind-out-file="$file" \
        --collect-atstart=no --toggle-collect='*decide_repeatedly*' "$bin" >/dev/null 2>&1
      total=$(grep -m1 '^summary:' "$file" | awk '{print $2}')
      counts+=("$((total / CALLS))")
    done
    printf '%-16s %-28s %s\n' "$case" "$(basename "$bin")" "${counts[*]}"
  done
done
