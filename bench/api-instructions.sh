#!/usr/bin/env bash
# Instructions the server executes per decision answered through the API, counted by callgrind
# for one or two server binaries side by side. Each binary runs twice under callgrind, once
# answering FEW decisions and once MANY (one request at a time, each for a different sandbox
# company, instant sources, no answer reuse); the count per decision is the difference of the
# two runs' totals divided by MANY - FEW, so start-up and shutdown cancel out. Unlike time, the
# count does not depend on the machine's load.
#
#   bench/api-instructions.sh BIN [BIN]        (FEW=20, MANY=220)
set -euo pipefail
cd "$(dirname "$0")/.."
command -v valgrind >/dev/null || { echo "valgrind is needed (apt-get install valgrind)" >&2; exit 2; }
[ "$#" -ge 1 ] || { echo "usage: $0 BIN [BIN]" >&2; exit 2; }
FEW="${FEW:-20}"
MANY="${MANY:-220}"
PORT="${PORT:-3920}"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# shellcheck source=bench/server-env.sh
. bench/server-env.sh

# Valid SIRENs (Luhn), one company per request.
python3 - "$MANY" > "$work/sirens" <<'EOF'
import sys
for n in range(int(sys.argv[1])):
    prefix = str(31000000 + n).zfill(8)
    for check in range(10):
        value, total = prefix + str(check), 0
        for i, c in enumerate(reversed(value)):
            d = int(c) * (2 if i % 2 else 1)
            total += d - 9 if d > 9 else d
        if total % 10 == 0:
            print(value)
            break
EOF

count() {
  # $1: server binary, $2: decisions. Prints the run's total instruction count.
  local bin=$1 n=$2 data key vg
  data=$(mktemp -d -p "$work")
  key=$(AVAL_DATA_DIR="$data" AVAL_LOG__LEVEL=warn "$bin" keys create --mode sandbox --name bench)
  bench_server_env instant
  # A deadline no source misses under callgrind: every decision reads every source.
  env "${BENCH_SERVER_ENV[@]}" AVAL_DATA_DIR="$data" AVAL_LISTEN="127.0.0.1:$PORT" \
    AVAL_SOURCES__DEADLINE_MS=60000 \
    valgrind --tool=callgrind --callgrind-out-file="$data/callgrind.out" "$bin" >/dev/null 2>&1 &
  vg=$!
  for _ in $(seq 1 600); do curl -s -o /dev/null "http://127.0.0.1:$PORT/healthz" && break; sleep 0.2; done
  head -n "$n" "$work/sirens" | while read -r siren; do
    code=$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $key" \
      -H 'content-type: application/json' \
      -d "{\"siren\":\"$siren\",\"amount\":\"1500.00\",\"product\":\"bnpl\"}" \
      "http://127.0.0.1:$PORT/api/v1/decisions")
    [ "$code" = 201 ] || { echo "answer $code for $siren" >&2; exit 1; }
  done
  kill -INT "$vg"
  wait "$vg" 2>/dev/null || true
  awk '/^summary:/ {print $2}' "$data/callgrind.out"
}

echo "binary                          total ($FEW decisions)  total ($MANY decisions)  per decision"
for bin in "$@"; do
  few=$(count "$bin" "$FEW")
  many=$(count "$bin" "$MANY")
  printf '%-31s %-22s %-23s %s\n' "$bin" "$few" "$many" "$(((many - few) / (MANY - FEW)))"
done
