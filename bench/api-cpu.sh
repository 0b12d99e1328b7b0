#!/usr/bin/env bash
# Processor time the server spends per decision answered through the API, for one or two server
# binaries side by side (alternating rounds). On a shared virtual machine the throughput and
# latency of bench/api.sh move by a quarter from run to run; the server's own processor time per
# decision (user + system, from /proc) moves much less, so a difference between two builds shows.
# Instant sandbox sources, no answer reuse, every request for a different company (bench/load.js).
#
#   bench/api-cpu.sh BIN [BIN]     (ROUNDS=3, DURATION=10 seconds, CONNECTIONS=32)
set -euo pipefail
cd "$(dirname "$0")/.."
ROUNDS="${ROUNDS:-3}"
DURATION="${DURATION:-10}"
CONNECTIONS="${CONNECTIONS:-32}"
PORT="${PORT:-3910}"
TOOLS="$PWD/.tools"
[ -d "$TOOLS/node_modules/autocannon" ] || npm install --prefix "$TOOLS" --no-audit --no-fund --silent autocannon@8
[ "$#" -ge 1 ] || { echo "usage: $0 BIN [BIN]" >&2; exit 2; }
HZ=$(getconf CLK_TCK)
# shellcheck source=bench/server-env.sh
. bench/server-env.sh

ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }

one_round() {
  # $1: server binary. Prints "decisions cpu_ms_per_decision decisions_per_s".
  local bin=$1 data key server before after out ok
  data=$(mktemp -d)
  key=$(AVAL_DATA_DIR="$data" AVAL_LOG__LEVEL=warn "$bin" keys create --mode sandbox --name bench)
  bench_server_env instant
  env "${BENCH_SERVER_ENV[@]}" AVAL_DATA_DIR="$data" AVAL_LISTEN="127.0.0.1:$PORT" "$bin" >/dev/null &
  server=$!
  for _ in $(seq 1 100); do curl -s -o /dev/null "http://127.0.0.1:$PORT/healthz" && break; sleep 0.1; done
  before=$(ticks "$server")
  out=$(node bench/load.js "http://127.0.0.1:$PORT" "$key" "$CONNECTIONS" "$DURATION" distinct)
  after=$(ticks "$server")
  kill "$server"
  wait "$server" 2>/dev/null || true
  rm -rf "$data"
  ok=$(node -e 'const r=JSON.parse(process.argv[1]); console.log(r.ok_per_s * Number(process.argv[2]))' "$out" "$DURATION")
  awk -v t=$((after - before)) -v hz="$HZ" -v ok="$ok" -v d="$DURATION" \
    'BEGIN { printf "%d %.3f %.0f\n", ok, t * 1000 / hz / ok, ok / d }'
}

echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(date -u +%Y-%m-%d)"
echo "round  binary                          decisions  server ms of processor per decision  decisions/s"
for round in $(seq 1 "$ROUNDS"); do
  for bin in "$@"; do
    read -r ok ms rate < <(one_round "$bin")
    printf '%-6s %-31s %-10s %-36s %s\n' "$round" "$bin" "$ok" "$ms" "$rate"
  done
done
