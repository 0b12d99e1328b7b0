#!/usr/bin/env bash
# The API against its own document: starts the server on a fresh database with a sandbox key
# and runs schemathesis against /api/v1/openapi.json for a bounded time: every check, in the
# coverage and fuzzing phases (see schemathesis.toml). Any failure it finds fails this script.
# Only this machine is contacted.
#   contract/run.sh [SERVER_BINARY]      (CONTRACT_SECONDS=120 by default)
set -euo pipefail
cd "$(dirname "$0")/.."
BIN="${1:-target/debug/server}"
SECONDS_BUDGET="${CONTRACT_SECONDS:-120}"
PORT="${CONTRACT_PORT:-3950}"
VENV="$PWD/.tools/venv"
SCHEMATHESIS_VERSION=4.32.5

if ! "$VENV/bin/schemathesis" --version 2>/dev/null | grep -q " $SCHEMATHESIS_VERSION\$"; then
  python3 -m venv "$VENV"
  "$VENV/bin/pip" install --quiet --disable-pip-version-check "schemathesis==$SCHEMATHESIS_VERSION"
fi

DATA=$(mktemp -d)
SERVER=""
cleanup() {
  [ -n "$SERVER" ] && kill "$SERVER" 2>/dev/null && wait "$SERVER" 2>/dev/null
  rm -rf "$DATA"
}
trap cleanup EXIT

KEY=$(AVAL_DATA_DIR="$DATA" AVAL_LOG__LEVEL=warn "$BIN" keys create --mode sandbox --name contract)
# Sandbox sources answer at once; the rate limit is out of the way of the fuzzer.
latency=()
for s in SIRENE_UNIT SIRENE_ESTABLISHMENTS BODACC OPEN_BANKING ACCOUNTING FILED_ACCOUNTS; do
  latency+=("AVAL_SOURCES__SANDBOX__LATENCY__${s}__MEDIAN_MS=0" "AVAL_SOURCES__SANDBOX__LATENCY__${s}__P99_MS=0")
done
env "${latency[@]}" AVAL_DATA_DIR="$DATA" AVAL_LISTEN="127.0.0.1:$PORT" AVAL_LOG__LEVEL=warn \
  AVAL_API__REQUESTS_PER_SECOND=1000000 AVAL_API__BURST=1000000 \
  AVAL_WEBHOOKS__HOSTS='{"lender.example"=["127.0.0.1"]}' AVAL_WEBHOOKS__ALLOWED_NETWORKS='["127.0.0.0/8", "::1/128"]' "$BIN" >"$DATA/server.log" 2>&1 &
SERVER=$!
for _ in $(seq 1 100); do
  curl -s -o /dev/null "http://127.0.0.1:$PORT/healthz" && break
  sleep 0.1
done

# One worker: Python 3.11 builds syntax trees with a depth counter shared by all
# the interpreter's threads (python/cpython#106905), and Hypothesis parses source files to
# describe its filters. Two workers parsing at once can make the counters disagree, and the
# parse fails with "SystemError: AST constructor recursion depth mismatch", which stops that
# operation's run. Two threads parsing schemathesis' own coverage module reproduce it at once;
# one thread does not.
SCHEMATHESIS_HOOKS=contract.hooks PYTHONPATH="$PWD" "$VENV/bin/schemathesis" \
  --config-file contract/schemathesis.toml run \
  "http://127.0.0.1:$PORT/api/v1/openapi.json" \
  --header "Authorization: Bearer $KEY" \
  --checks all \
  --max-time "$SECONDS_BUDGET" \
  --workers 1 \
  --no-color
