"""Schemathesis hooks: strategies for the string formats of Aval's API document that JSON Schema
cannot check by itself (a SIREN's Luhn check digit, an IBAN's check digits), so that the data
schemathesis calls valid is valid for the server too."""

import csv
import pathlib

import schemathesis
from hypothesis import strategies as st


def _luhn_ok(digits: str) -> bool:
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = int(ch)
        if i % 2 == 1:
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return total % 10 == 0


@st.composite
def _siren(draw):
    body = draw(st.text(alphabet="0123456789", min_size=8, max_size=8))
    return next(body + d for d in "0123456789" if _luhn_ok(body + d))


_VECTORS = pathlib.Path(__file__).resolve().parent.parent / "testdata/testvectors/iban_vectors.csv"
with _VECTORS.open(newline="", encoding="utf-8") as f:
    _IBANS = sorted({row["compact"] for row in csv.DictReader(f) if row["expected"] == "valid"})

schemathesis.openapi.format("siren", _siren())
schemathesis.openapi.format("iban", st.sampled_from(_IBANS))


def _cents(body: dict, field: str):
    """An amount of the request in cents, as the server would read it (None when not given)."""
    cents = body.get(f"{field}_cents")
    if isinstance(cents, (int, float)) and not isinstance(cents, bool):
        return cents
    euros = body.get(field)
    if isinstance(euros, str):
        try:
            return round(float(euros.strip()) * 100)
        except ValueError:
            return None
    return None


@schemathesis.hook
def filter_body(ctx, body):
    """A factoring amount may not exceed the invoice: a rule between two fields, which JSON
    Schema cannot state. Bodies that break it are left out of generation (the server answers
    them 422 naming /amount, as the document says)."""
    operation = ctx.operation
    if operation is None or operation.method.upper() != "POST" or operation.path != "/decisions":
        return True
    if not isinstance(body, dict) or body.get("product") != "factoring":
        return True
    amount, invoice = _cents(body, "amount"), _cents(body, "invoice_amount")
    return amount is None or invoice is None or amount <= invoice


@schemathesis.hook
def map_body(ctx, body):
    """A webhook endpoint's host must resolve to an address the server may reach, which JSON
    Schema cannot state. The contract's server resolves `lender.example` to this machine (and
    allows it), so generated `https://` addresses are given that host, keeping the rest; no
    name is looked up beyond this machine."""
    operation = ctx.operation
    if operation is None or operation.method.upper() != "POST" or operation.path != "/webhook-endpoints":
        return body
    if not isinstance(body, dict) or not isinstance(body.get("url"), str):
        return body
    url = body["url"]
    stripped = url.strip()
    if not stripped.startswith("https://"):
        return body
    rest = stripped[len("https://"):]
    cut = min((i for i in (rest.find(c) for c in "/?#") if i >= 0), default=len(rest))
    # Only a host the document allows is replaced: an address made invalid on purpose (white
    # space inside, too long) stays as generated, so the server's refusal is still checked.
    if len(stripped) > 2048 or any(c.isspace() for c in rest[:cut]):
        return body
    lead = url[: len(url) - len(url.lstrip())]
    trail = url[len(url.rstrip()):]
    return {**body, "url": f"{lead}https://lender.example{rest[cut:]}{trail}"}

