// Drives POST /api/v1/decisions with autocannon: every request asks about a different company
// (valid SIRENs, each a distinct sandbox company), as a lender's traffic would, or always the
// same one with `same`. Prints one JSON line: requests/s answered 2xx, p50, p99, errors.
//   node bench/load.js URL KEY CONNECTIONS SECONDS [distinct|same]
const path = require("node:path");
const autocannon = require(path.resolve(__dirname, "../.tools/node_modules/autocannon"));

const [url, key, connections, seconds, mode = "distinct"] = process.argv.slice(2);

// The Luhn check digit that makes an 8-digit prefix a valid SIREN.
function siren(prefix) {
  const digits = String(prefix).padStart(8, "0");
  for (let check = 0; check <= 9; check++) {
    const value = digits + check;
    let sum = 0;
    for (let i = 0; i < 9; i++) {
      let d = Number(value[8 - i]);
      if (i % 2 === 1) {
        d *= 2;
        if (d > 9) d -= 9;
      }
      sum += d;
    }
    if (sum % 10 === 0) return value;
  }
  throw new Error("unreachable");
}

let next = 0;
const body = () => {
  const s = mode === "same" ? "100000009" : siren(31000000 + (next++ % 5000000));
  return JSON.stringify({ siren: s, amount: "1500.00", product: "bnpl" });
};

autocannon(
  {
    url: `${url}/api/v1/decisions`,
    connections: Number(connections),
    duration: Number(seconds),
    headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
    requests: [{ method: "POST", setupRequest: (req) => ({ ...req, body: body() }) }],
  },
  (err, r) => {
    if (err) throw err;
    console.log(
      JSON.stringify({
        ok_per_s: Math.round(r["2xx"] / r.duration),
        p50_ms: r.latency.p50,
        p99_ms: r.latency.p99,
        non2xx: r.non2xx,
        errors: r.errors,
        sent: r.requests.sent,
      }),
    );
  },
);
