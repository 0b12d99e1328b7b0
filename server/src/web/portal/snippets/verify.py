# Verifies the signature of an Aval webhook delivery (Standard Webhooks, v1 = HMAC-SHA256); Python 3, standard library.
# Run: AVAL_WEBHOOK_SECRET=whsec_... WEBHOOK_ID=... WEBHOOK_TIMESTAMP=... WEBHOOK_SIGNATURE='v1,...' \
#        python3 verify.py body.json        # prints "valid" (exit 0) or "invalid: <reason>" (exit 1)
# Copy verify() into your handler and give it the raw request body (bytes, before any JSON parsing).
import base64
import binascii
import hashlib
import hmac
import os
import re
import sys
import time


class InvalidWebhook(Exception):
    pass


_BASE64 = re.compile(r"(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?")
_SECONDS = re.compile(r"[0-9]{1,15}")
TOLERANCE = 300  # seconds, either way


def verify(secret: str, msg_id: str, timestamp: str, signature_header: str, body: bytes) -> bool:
    """True when the delivery is genuine and recent; raises InvalidWebhook(reason) otherwise."""
    key = secret[len("whsec_"):] if secret.startswith("whsec_") else secret
    if not key or not _BASE64.fullmatch(key):
        raise InvalidWebhook("secret is not whsec_ + base64")
    try:
        key = base64.b64decode(key, validate=True)
    except binascii.Error:
        raise InvalidWebhook("secret is not whsec_ + base64")
    if not _SECONDS.fullmatch(timestamp):
        raise InvalidWebhook("timestamp is not a number of seconds")
    if abs(time.time() - int(timestamp)) > TOLERANCE:
        raise InvalidWebhook("timestamp too old or too new")
    signed = msg_id.encode() + b"." + timestamp.encode() + b"." + body
    expected = base64.b64encode(hmac.new(key, signed, hashlib.sha256).digest())
    for entry in signature_header.split():
        version, _, signature = entry.partition(",")
        # Bytes: compare_digest refuses str with non-ASCII characters.
        if version == "v1" and hmac.compare_digest(signature.encode(), expected):
            return True
    raise InvalidWebhook("no matching signature")


def main() -> int:
    if len(sys.argv) != 2:
        print("usage: AVAL_WEBHOOK_SECRET=... WEBHOOK_ID=... WEBHOOK_TIMESTAMP=... "
              "WEBHOOK_SIGNATURE=... python3 verify.py BODY_FILE", file=sys.stderr)
        return 2
    try:
        with open(sys.argv[1], "rb") as f:
            body = f.read()
    except OSError as e:
        print(f"cannot read the body: {e}", file=sys.stderr)
        return 2
    env = {}
    for name in ("AVAL_WEBHOOK_SECRET", "WEBHOOK_ID", "WEBHOOK_TIMESTAMP", "WEBHOOK_SIGNATURE"):
        env[name] = os.environ.get(name, "")
        if not env[name]:
            print(f"invalid: {name} is not set")
            return 1
    try:
        verify(env["AVAL_WEBHOOK_SECRET"], env["WEBHOOK_ID"], env["WEBHOOK_TIMESTAMP"],
               env["WEBHOOK_SIGNATURE"], body)
    except InvalidWebhook as reason:
        print(f"invalid: {reason}")
        return 1
    print("valid")
    return 0


if __name__ == "__main__":
    sys.exit(main())
