// Verifies the signature of an Aval webhook delivery (Standard Webhooks, v1 = HMAC-SHA256); Node 18+, no packages.
// Run: AVAL_WEBHOOK_SECRET=whsec_... WEBHOOK_ID=... WEBHOOK_TIMESTAMP=... WEBHOOK_SIGNATURE='v1,...' \
//        node verify.js body.json        // prints "valid" (exit 0) or "invalid: <reason>" (exit 1)
// Copy verify() into your handler and give it the raw request body (a Buffer, before any JSON parsing).
'use strict';
const crypto = require('crypto');
const fs = require('fs');

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;
const SECONDS = /^[0-9]{1,15}$/;
const TOLERANCE = 300; // seconds, either way

// True when the delivery is genuine and recent; throws Error(reason) otherwise.
function verify(secret, id, timestamp, signatureHeader, body) {
  const encoded = secret.startsWith('whsec_') ? secret.slice('whsec_'.length) : secret;
  // Buffer.from(…, 'base64') skips bad characters instead of failing: check first.
  if (!encoded || !BASE64.test(encoded)) throw new Error('secret is not whsec_ + base64');
  const key = Buffer.from(encoded, 'base64');
  if (!SECONDS.test(timestamp)) throw new Error('timestamp is not a number of seconds');
  if (Math.abs(Date.now() / 1000 - Number(timestamp)) > TOLERANCE) {
    throw new Error('timestamp too old or too new');
  }
  const expected = Buffer.from(
    crypto.createHmac('sha256', key)
      .update(Buffer.from(`${id}.${timestamp}.`, 'utf8'))
      .update(body)
      .digest('base64'),
  );
  for (const entry of signatureHeader.split(/\s+/)) {
    const comma = entry.indexOf(',');
    if (comma < 0 || entry.slice(0, comma) !== 'v1') continue;
    const candidate = Buffer.from(entry.slice(comma + 1));
    // timingSafeEqual throws when the lengths differ.
    if (candidate.length === expected.length && crypto.timingSafeEqual(candidate, expected)) {
      return true;
    }
  }
  throw new Error('no matching signature');
}

function main() {
  if (process.argv.length !== 3) {
    console.error('usage: AVAL_WEBHOOK_SECRET=... WEBHOOK_ID=... WEBHOOK_TIMESTAMP=... '
      + 'WEBHOOK_SIGNATURE=... node verify.js BODY_FILE');
    return 2;
  }
  let body; // a Buffer: the bytes as sent
  try {
    body = fs.readFileSync(process.argv[2]);
  } catch (e) {
    console.error(`cannot read the body: ${e.message}`);
    return 2;
  }
  const names = ['AVAL_WEBHOOK_SECRET', 'WEBHOOK_ID', 'WEBHOOK_TIMESTAMP', 'WEBHOOK_SIGNATURE'];
  for (const name of names) {
    if (!process.env[name]) {
      console.log(`invalid: ${name} is not set`);
      return 1;
    }
  }
  const env = process.env;
  try {
    verify(env.AVAL_WEBHOOK_SECRET, env.WEBHOOK_ID, env.WEBHOOK_TIMESTAMP, env.WEBHOOK_SIGNATURE, body);
  } catch (reason) {
    console.log(`invalid: ${reason.message}`);
    return 1;
  }
  console.log('valid');
  return 0;
}

process.exitCode = main();
