import { test } from 'node:test';
import assert from 'node:assert/strict';
import { generateKeyPairSync, sign } from 'node:crypto';
import { checkClaims, MAX_PAYLOAD_BYTES, simpleSigningPayload, verifyPayload } from './payload.js';
import { parsePublicKey, PublicKeyError } from './public-key.js';

const DIGEST = `sha256:${'a'.repeat(64)}`;
const OTHER = `sha256:${'b'.repeat(64)}`;

function keyPair(): { pem: string; sign: (data: Buffer) => string } {
  const { publicKey, privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  return {
    pem: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
    sign: (data) => sign('sha256', data, { key: privateKey, dsaEncoding: 'der' }).toString('base64'),
  };
}

test('a payload signed by the key for the image digest verifies and yields its claims', () => {
  const k = keyPair();
  const payload = simpleSigningPayload('registry.example/app', DIGEST, { build: '42' });
  const r = verifyPayload(payload, k.sign(payload), parsePublicKey(k.pem), DIGEST);
  assert.deepEqual(r, {
    ok: true,
    claims: { manifestDigest: DIGEST, dockerReference: 'registry.example/app', optional: { build: '42' } },
  });
});

test('tampering is detected: edited payload, flipped signature byte, wrong key, other digest', () => {
  const k = keyPair();
  const key = parsePublicKey(k.pem);
  const payload = simpleSigningPayload('registry.example/app', DIGEST);
  const sig = k.sign(payload);

  const edited = Buffer.from(payload.toString().replace('registry.example', 'evil.example'));
  assert.match(reason(verifyPayload(edited, sig, key, DIGEST)), /signature does not verify with key/);

  const raw = Buffer.from(sig, 'base64');
  raw[raw.length - 1] = (raw[raw.length - 1] ?? 0) ^ 0x01;
  assert.match(reason(verifyPayload(payload, raw.toString('base64'), key, DIGEST)), /does not verify/);

  const wrong = parsePublicKey(keyPair().pem);
  assert.match(
    reason(verifyPayload(payload, sig, wrong, DIGEST)),
    new RegExp(wrong.fingerprint.slice(0, 16)),
  );

  const forOther = simpleSigningPayload('registry.example/app', OTHER);
  assert.match(
    reason(verifyPayload(forOther, k.sign(forOther), key, DIGEST)),
    /signs digest sha256:b+, not the image digest sha256:a+/,
  );
});

test('hostile signatures and payloads fail with a reason instead of throwing', () => {
  const k = keyPair();
  const key = parsePublicKey(k.pem);
  const payload = simpleSigningPayload('r/app', DIGEST);
  assert.match(reason(verifyPayload(payload, '', key, DIGEST)), /empty/);
  assert.match(reason(verifyPayload(payload, 'not base64!!', key, DIGEST)), /not base64/);
  assert.match(reason(verifyPayload(payload, 'A'.repeat(10_000), key, DIGEST)), /too long/);
  assert.match(
    reason(verifyPayload(payload, Buffer.from('garbage DER').toString('base64'), key, DIGEST)),
    /does not verify/,
  );
  const big = Buffer.alloc(MAX_PAYLOAD_BYTES + 1, 0x20);
  assert.match(reason(verifyPayload(big, k.sign(big), key, DIGEST)), /larger than/);

  // Signed but not a cosign image signature: the type is part of what is checked.
  const otherType = Buffer.from(
    JSON.stringify({ critical: { image: { 'docker-manifest-digest': DIGEST }, type: 'something else' } }),
  );
  assert.match(
    reason(verifyPayload(otherType, k.sign(otherType), key, DIGEST)),
    /critical.type is "something else"/,
  );
  assert.match(reason(checkClaims(Buffer.from('{"critical":'), DIGEST)), /not valid JSON/);
  assert.match(reason(checkClaims(Buffer.from('[1,2]'), DIGEST)), /critical.type is null/);
  assert.match(
    reason(
      checkClaims(
        Buffer.from(JSON.stringify({ critical: { type: 'cosign container image signature' } })),
        DIGEST,
      ),
    ),
    /no critical.image.docker-manifest-digest/,
  );
});

test('only ECDSA P-256 SPKI PEM keys are accepted', () => {
  const rsa = generateKeyPairSync('rsa', { modulusLength: 1024 }).publicKey.export({
    type: 'spki',
    format: 'pem',
  });
  assert.throws(
    () => parsePublicKey(rsa.toString()),
    (e: unknown) => e instanceof PublicKeyError && /only ECDSA P-256/.test(e.message),
  );
  const p384 = generateKeyPairSync('ec', { namedCurve: 'P-384' }).publicKey.export({
    type: 'spki',
    format: 'pem',
  });
  assert.throws(() => parsePublicKey(p384.toString()), /secp384r1/);
  assert.throws(() => parsePublicKey('hello'), /not a PEM public key/);
  assert.throws(
    () => parsePublicKey('-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n'),
    /cannot parse/,
  );
  assert.throws(() => parsePublicKey('x'.repeat(70_000)), /larger than/);
  const k = keyPair();
  assert.equal(parsePublicKey(k.pem).fingerprint, parsePublicKey(k.pem).fingerprint);
  assert.match(parsePublicKey(k.pem).fingerprint, /^[0-9a-f]{64}$/);
});

function reason(r: { ok: true } | { ok: false; reason: string }): string {
  assert.equal(r.ok, false, 'expected a failure');
  return r.ok ? '' : r.reason;
}
