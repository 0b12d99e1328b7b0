#!/usr/bin/env bash
# Load benchmark of the decision API: POST /api/v1/decisions with durable audit writes at 32 and
# 128 concurrent connections, with instant sandbox sources and with the sandbox's realistic
# latencies, then GET /api/v1/ping. Uses autocannon (npm registry) as the load generator (closed
# model: each connection waits for its answer), then `server loadtest` (open model: decisions
# leave at fixed rates, latency from each request's scheduled time) at the rates of
# LOADTEST_RATES, on the same server, for a side-by-side reading.
#   bench/api.sh            (DURATION=20 by default, seconds per run; LOADTEST_RATES="100 250")
set -euo pipefail
cd "$(dirname "$0")/.."
DURATION="${DURATION:-20}"
LOADTEST_RATES="${LOADTEST_RATES:-100 250}"
TARGET="${CARGO_TARGET_DIR:-target}"
PORT="${PORT:-3900}"
TOOLS="$PWD/.tools"
export PATH="$TOOLS/node_modules/.bin:$PATH"
# shellcheck source=bench/server-env.sh
. bench/server-env.sh

command -v autocannon >/dev/null 2>&1 || npm install --prefix "$TOOLS" --no-audit --no-fund --silent autocannon@8
cargo build --release --locked -p server
BIN="$TARGET/release/server"

run_server() {
  # $1: data dir, $2: "instant" or "realistic"
  bench_server_env "$2"
  env "${BENCH_SERVER_ENV[@]}" AVAL_DATA_DIR="$1" AVAL_LISTEN="127.0.0.1:$PORT" "$BIN" >/dev/null &
  SERVER=$!
  for _ in $(seq 1 100); do curl -s -o /dev/null "http://127.0.0.1:$PORT/healthz" && return; sleep 0.1; done
  echo "server did not start" >&2; exit 1
}

load() {
  # $1: connections, $2: path, $3: method, $4: body (optional)
  local args=(-c "$1" -d "$DURATION" -H "Authorization=Bearer $KEY" -H "Content-Type=application/json" -m "$3")
  [ -n "${4:-}" ] && args+=(-b "$4")
  autocannon "${args[@]}" --json "http://127.0.0.1:$PORT$2" 2>/dev/null \
    | node -e 'const r=JSON.parse(require("fs").readFileSync(0));
      const ok=r["2xx"], all=r.requests.sent;
      console.log(`${process.argv[1]}: ${(ok/r.duration).toFixed(0)} req/s ok, p50 ${r.latency.p50} ms, p99 ${r.latency.p99} ms, non-2xx ${r.non2xx}, errors ${r.errors}, sent ${all}`)' "$5"
}

decisions() {
  # $1: connections, $2: label. Every request asks about a different company (bench/load.js).
  printf '%s: ' "$2"
  node bench/load.js "http://127.0.0.1:$PORT" "$KEY" "$1" "$DURATION" distinct
}

loadtest() {
  # $1: decisions per second, $2: label. The verdict's exit status is reported, not fatal.
  printf '%s: ' "$2"
  { "$BIN" loadtest --url "http://127.0.0.1:$PORT" --key "$KEY" --rate "$1" --duration "$DURATION" \
      --connections 128 --json || true; } \
    | node -e 'const r=JSON.parse(require("fs").readFileSync(0)), l=r.latency_ms;
      const errors=Object.entries(r.errors).map(([k,v])=>`${k}: ${v}`).join(", ")||"none";
      console.log(`${r.throughput_per_second.toFixed(0)} decisions/s answered of ${r.target_rate_per_second} asked, p50 ${l.p50.toFixed(0)} ms, p90 ${l.p90.toFixed(0)} ms, p99 ${l.p99.toFixed(0)} ms, p99.9 ${l.p99_9.toFixed(0)} ms, max ${l.max.toFixed(0)} ms, over 500 ms ${(100*r.over_budget_share).toFixed(2)} %, errors ${errors}, ${r.verdict.pass?"PASS":"FAIL: "+r.verdict.reasons.join("; ")}`)'
}

echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(date -u +%Y-%m-%d)"
for profile in instant realistic; do
  DATA=$(mktemp -d)
  KEY=$(AVAL_DATA_DIR="$DATA" AVAL_LOG__LEVEL=warn "$BIN" keys create --mode sandbox --name bench)
  run_server "$DATA" "$profile"
  for c in 32 128; do
    decisions "$c" "POST decisions, $profile sources, $c connections"
  done
  for rate in $LOADTEST_RATES; do
    loadtest "$rate" "server loadtest, $profile sources, $rate/s"
  done
  if [ "$profile" = instant ]; then
    load 32 /api/v1/ping GET "" "GET ping, 32 connections"
  fi
  RECORDS=$(AVAL_DATA_DIR="$DATA" AVAL_LOG__LEVEL=warn "$BIN" audit verify | node -e 'console.log(JSON.parse(require("fs").readFileSync(0)).records)' || true)
  kill "$SERVER"; wait "$SERVER" 2>/dev/null || true
  echo "  audit records written and verified: $RECORDS"
  rm -rf "$DATA"
done
