#!/usr/bin/env bash
# Verifies the signature of an Aval webhook delivery (Standard Webhooks, v1 = HMAC-SHA256), with openssl.
# Run: AVAL_WEBHOOK_SECRET=whsec_... WEBHOOK_ID=... WEBHOOK_TIMESTAMP=... WEBHOOK_SIGNATURE='v1,...' \
#        bash verify.sh body.json        # prints "valid" (exit 0) or "invalid: <reason>" (exit 1)
# For checking by hand: the shell cannot compare in constant time, so a server should use another language.
set -u

# verify SECRET ID TIMESTAMP SIGNATURE_HEADER BODY_FILE
# Returns 0 when valid; otherwise prints the reason on stdout and returns 1.
# Works with bash 3.2 (macOS), GNU or BSD coreutils, OpenSSL or LibreSSL.
verify() {
  local secret=$1 id=$2 timestamp=$3 header=$4 body_file=$5
  local key=${secret#whsec_}
  local b64='^([A-Za-z0-9+/]{4})*([A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$'
  if [[ -z $key || ! $key =~ $b64 ]]; then
    echo "secret is not whsec_ + base64"; return 1
  fi
  local digits='^[0-9]{1,15}$'
  if [[ ! $timestamp =~ $digits ]]; then
    echo "timestamp is not a number of seconds"; return 1
  fi
  # 10# : a leading zero must not make the number octal.
  local age=$(( $(date +%s) - 10#$timestamp ))
  if (( age > 300 || age < -300 )); then
    echo "timestamp too old or too new"; return 1
  fi
  # The key as hex; od -v so that repeated lines are not collapsed into "*".
  local hexkey
  hexkey=$(printf '%s' "$key" | base64 -d | od -An -v -tx1 | tr -d ' \n')
  # The signed bytes: id.timestamp.body, the body straight from the file (never through a variable).
  # (The hex key shows in this machine's process list while openssl runs.)
  local expected
  expected=$({ printf '%s.%s.' "$id" "$timestamp"; cat -- "$body_file"; } \
    | openssl dgst -sha256 -mac HMAC -macopt "hexkey:$hexkey" -binary | base64 | tr -d '\n')
  if [[ -z $expected ]]; then
    echo "could not compute the signature"; return 1
  fi
  # Any v1 entry may match. Not a constant-time comparison (see above).
  local entry entries
  read -r -a entries <<< "$header"
  for entry in ${entries[@]+"${entries[@]}"}; do
    if [[ $entry == v1,* && ${entry#v1,} == "$expected" ]]; then
      return 0
    fi
  done
  echo "no matching signature"; return 1
}

if [[ $# -ne 1 || ! -r $1 ]]; then
  echo "usage: AVAL_WEBHOOK_SECRET=... WEBHOOK_ID=... WEBHOOK_TIMESTAMP=... WEBHOOK_SIGNATURE=... $0 BODY_FILE" >&2
  exit 2
fi
for name in AVAL_WEBHOOK_SECRET WEBHOOK_ID WEBHOOK_TIMESTAMP WEBHOOK_SIGNATURE; do
  if [[ -z ${!name:-} ]]; then
    echo "invalid: $name is not set"; exit 1
  fi
done
if reason=$(verify "$AVAL_WEBHOOK_SECRET" "$WEBHOOK_ID" "$WEBHOOK_TIMESTAMP" "$WEBHOOK_SIGNATURE" "$1"); then
  echo valid
else
  echo "invalid: $reason"; exit 1
fi
