#!/usr/bin/env bash
# One entry point for a fresh Debian machine with Rust:
#   ./dev.sh run    install what is missing, build, and run the application (demo mode)
#   ./dev.sh test   install what is missing and run every test; non-zero exit on any failure
# Both skip whatever is already installed or built.
set -euo pipefail
cd "$(dirname "$0")"

CARGO_LEPTOS_VERSION=0.3.10
WASM_BINDGEN_VERSION=0.2.130
BINARYEN_VERSION=132
TOOLS="$PWD/.tools"
export PATH="$TOOLS/node_modules/.bin:$HOME/.cargo/bin:$PATH"

say() { printf '\033[1;34m==>\033[0m %s\n' "$*"; }

apt_install() {
  local SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  say "installing $* (apt)"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "$@"
}

ensure_wasm_target() {
  rustup target list --installed | grep -qx wasm32-unknown-unknown \
    || { say "adding the wasm32-unknown-unknown target"; rustup target add wasm32-unknown-unknown; }
}

ensure_cargo_leptos() {
  if ! cargo leptos --version 2>/dev/null | grep -q " $CARGO_LEPTOS_VERSION\$"; then
    say "installing cargo-leptos $CARGO_LEPTOS_VERSION (takes a while, once)"
    cargo install cargo-leptos --version "$CARGO_LEPTOS_VERSION" --locked
  fi
}

ensure_wasm_bindgen() {
  if ! wasm-bindgen --version 2>/dev/null | grep -q " $WASM_BINDGEN_VERSION\$"; then
    say "installing wasm-bindgen-cli $WASM_BINDGEN_VERSION"
    cargo install wasm-bindgen-cli --version "$WASM_BINDGEN_VERSION"
  fi
}

ensure_node() {
  command -v npm >/dev/null 2>&1 || apt_install nodejs npm
}

ensure_wasm_opt() {
  ensure_node
  if ! "$TOOLS/node_modules/.bin/wasm-opt" --version 2>/dev/null | grep -q "version $BINARYEN_VERSION"; then
    say "installing wasm-opt (npm binaryen@$BINARYEN_VERSION)"
    mkdir -p "$TOOLS"
    npm install --prefix "$TOOLS" --no-audit --no-fund --silent "binaryen@$BINARYEN_VERSION"
  fi
}

ensure_chromium() {
  [ -x /usr/bin/chromium ] || apt_install chromium
}

ensure_playwright() {
  ensure_node
  if [ ! -d end2end/node_modules/@playwright/test ]; then
    say "installing the browser-test dependencies"
    (cd end2end && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund --silent)
  fi
}

# The storage tests run against a real PostgreSQL too (TEST_POSTGRES_URL, default the local
# server with trust auth). Start the local cluster if it is installed but stopped; install it
# if missing. Databases left by earlier runs are dropped.
ensure_python_venv() {
  # The API contract test installs schemathesis (PyPI) into .tools/venv.
  [ -x .tools/venv/bin/pip ] && return
  local probe
  probe=$(mktemp -d)
  python3 -m venv "$probe/v" >/dev/null 2>&1 || apt_install python3 python3-venv
  rm -rf "$probe"
}

ensure_postgres() {
  export TEST_POSTGRES_URL="${TEST_POSTGRES_URL:-postgres://postgres@127.0.0.1:5432/postgres}"
  if ! pg_isready -q -d "$TEST_POSTGRES_URL" 2>/dev/null; then
    command -v pg_ctlcluster >/dev/null 2>&1 || apt_install postgresql
    local version
    version=$(ls /etc/postgresql | sort -V | tail -n 1)
    say "starting PostgreSQL $version"
    pg_ctlcluster --skip-systemctl-redirect "$version" main start || true
    for _ in $(seq 1 30); do pg_isready -q -d "$TEST_POSTGRES_URL" && break; sleep 1; done
  fi
  psql -q -At -d "$TEST_POSTGRES_URL" \
    -c "SELECT datname FROM pg_database WHERE datname LIKE 'aval_test_%'" 2>/dev/null \
    | while read -r db; do psql -q -d "$TEST_POSTGRES_URL" -c "DROP DATABASE IF EXISTS \"$db\"" >/dev/null; done
}

ensure_openssl() {
  # The portal's signature snippets are run by the tests; the shell one calls openssl.
  command -v openssl >/dev/null 2>&1 || apt_install openssl
}
ensure_build_tools() {
  ensure_wasm_target
  ensure_cargo_leptos
  ensure_wasm_bindgen
}

run() {
  ensure_build_tools
  ensure_wasm_opt
  say "building (release)"
  cargo leptos build --release
  say "starting at http://127.0.0.1:3000 (data in ./data)"
  AVAL_MODE="${AVAL_MODE:-demo}" exec ./target/release/server "$@"
}

test_all() {
  ensure_build_tools
  ensure_chromium
  ensure_playwright
  ensure_postgres
  ensure_python_venv
  ensure_openssl
  say "formatting"
  cargo fmt --all --check
  say "lints"
  cargo clippy --all-targets --locked -- -D warnings
  say "crate boundaries: aval-core does no I/O, the server links no training"
  if cargo tree --locked -p aval-core -e normal | grep -E 'tokio|sqlx|axum|reqwest|hyper|leptos'; then
    echo "aval-core depends on an I/O crate (above)" >&2
    exit 1
  fi
  if cargo tree --locked -p server -e normal | grep -E 'forust-ml|aval-training'; then
    echo "the server links training code (above)" >&2
    exit 1
  fi
  say "Rust unit and integration tests"
  cargo test --locked -p aval-core -p aval-training -p app -p server
  say "API contract: schemathesis against the generated document (bounded time)"
  contract/run.sh target/debug/server
  say "browser tests (Chromium)"
  cargo leptos build --frontend-only
  (cd end2end && E2E_SERVER_BIN="$PWD/../target/debug/server" npx playwright test)
}

case "${1:-}" in
  run) shift; run "$@" ;;
  test) test_all ;;
  *) echo "usage: $0 run | test" >&2; exit 2 ;;
esac
