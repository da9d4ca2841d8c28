// Cosign key-based signature verification against Debian's real docker-registry: signatures built and
// pushed the way `cosign sign --key` stores them, then verified, then tampered with in every way that matters.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { RegistryClient, type RepoRef } from '../../src/image/registry/client.js';
import { CosignVerifier, signatureTag } from '../../src/image/signature/cosign.js';
import { DeadlineExceededError } from '../../src/image/signature/deadline.js';
import { MAX_PAYLOAD_BYTES, simpleSigningPayload } from '../../src/image/signature/payload.js';
import { parsePublicKey } from '../../src/image/signature/public-key.js';
import { integration } from '../support/integration.js';
import { pushImage, tarLayer } from '../support/oci-builder.js';
import { registryAvailable, startRegistry, type RunningRegistry } from '../support/registry.js';
import { layerFor, newKey, pushSignature, signBytes } from './cosign-support.js';

const available = registryAvailable();
const REASON = 'docker-registry not installed (apt-get install docker-registry)';
let reg: RunningRegistry | undefined;
let client: RegistryClient;
before(async () => {
  if (available) reg = await startRegistry();
  client = new RegistryClient({ insecure: () => true, backoffMs: 10, retries: 1 });
});
after(async () => {
  await client.close();
  await reg?.stop();
});

let n = 0;
/** A fresh image (distinct digest) in `repo`. */
async function image(repo: RepoRef): Promise<string> {
  const tar = await tarLayer([{ path: 'etc/id', content: `image ${++n} ${Math.random()}` }]);
  return (await pushImage(client, repo, { layers: [{ tar }] }, `v${n}`)).manifestDigest;
}

test('a cosign signature pushed to a real registry verifies; tampering fails with a clear reason', async (t) => {
  if (!integration(t, 'cosign-verify', available, REASON)) return;
  const repo: RepoRef = { registry: reg!.host, repository: 'acme/app' };
  const name = `${reg!.host}/acme/app`;
  const key = newKey();
  const pub = parsePublicKey(key.pem);
  const verifier = new CosignVerifier(client);
  const subject = (digest: string) => ({ ...repo, digest });

  // Valid signature.
  const good = await image(repo);
  assert.equal(await pushSignature(client, repo, good, [layerFor(key, name, good)]), signatureTag(good));
  const ok = await verifier.verify(subject(good), [pub]);
  assert.equal(ok.verified, true, ok.reason);
  assert.equal(ok.keyFingerprint, pub.fingerprint);
  assert.equal(ok.claims?.manifestDigest, good);
  assert.equal(ok.claims?.dockerReference, name);
  assert.equal(ok.signatureTag, `sha256-${good.slice(7)}.sig`);

  // Cached by (digest, key): no second registry round trip.
  const before = verifier.fetches;
  assert.equal((await verifier.verify(subject(good), [pub])).verified, true);
  assert.equal(verifier.fetches, before);

  // Wrong key.
  const other = parsePublicKey(newKey().pem);
  const wrong = await new CosignVerifier(client).verify(subject(good), [other]);
  assert.equal(wrong.verified, false);
  assert.match(wrong.reason, /signature does not verify with key/);
  // ... but any one trusted key is enough.
  assert.equal((await new CosignVerifier(client).verify(subject(good), [other, pub])).verified, true);

  // Payload edited after signing (a valid blob with its own digest, signature over the original).
  const edited = await image(repo);
  const original = simpleSigningPayload(name, edited);
  const changed = Buffer.from(original.toString().replace(name, `${reg!.host}/evil/app`));
  await pushSignature(client, repo, edited, [{ payload: changed, signature: signBytes(key, original) }]);
  assert.match((await verifier.verify(subject(edited), [pub])).reason, /signature does not verify/);

  // Signature bytes flipped.
  const flipped = await image(repo);
  const l = layerFor(key, name, flipped);
  const sig = Buffer.from(l.signature, 'base64');
  sig[10] = (sig[10] ?? 0) ^ 0xff;
  await pushSignature(client, repo, flipped, [{ payload: l.payload, signature: sig.toString('base64') }]);
  assert.match((await verifier.verify(subject(flipped), [pub])).reason, /signature does not verify/);

  // A valid signature for another image, copied under this image's signature tag.
  const victim = await image(repo);
  await pushSignature(client, repo, victim, [layerFor(key, name, good)]);
  const replay = await verifier.verify(subject(victim), [pub]);
  assert.equal(replay.verified, false);
  assert.match(replay.reason, new RegExp(`payload signs digest ${good}, not the image digest ${victim}`));

  // No .sig tag at all.
  const unsigned = await image(repo);
  const missing = await verifier.verify(subject(unsigned), [pub]);
  assert.equal(missing.verified, false);
  assert.match(missing.reason, /no signature found \(tag sha256-[0-9a-f]{64}\.sig does not exist\)/);

  // Oversized payload: refused from the descriptor, never downloaded.
  const big = await image(repo);
  const huge = Buffer.concat([simpleSigningPayload(name, big), Buffer.alloc(MAX_PAYLOAD_BYTES, 0x20)]);
  await pushSignature(client, repo, big, [{ payload: huge, signature: signBytes(key, huge) }]);
  const fetched = client.blobBytesFetched;
  assert.match((await verifier.verify(subject(big), [pub])).reason, /larger than the 65536-byte limit/);
  assert.equal(client.blobBytesFetched, fetched, 'the oversized payload was not fetched');

  // Wrong layer media type, and a missing signature annotation.
  const odd = await image(repo);
  await pushSignature(client, repo, odd, [
    { ...layerFor(key, name, odd), mediaType: 'application/octet-stream' },
  ]);
  assert.match(
    (await verifier.verify(subject(odd), [pub])).reason,
    /holds no application\/vnd\.dev\.cosign\.simplesigning\.v1\+json layer/,
  );

  // A signature manifest with hundreds of layers is refused before any payload is fetched.
  const flood = await image(repo);
  const one = layerFor(key, name, flood);
  await pushSignature(
    client,
    repo,
    flood,
    Array.from({ length: 40 }, () => one),
  );
  const beforeFlood = client.blobBytesFetched;
  assert.match((await verifier.verify(subject(flood), [pub])).reason, /has 40 layers \(more than 32\)/);
  assert.equal(client.blobBytesFetched, beforeFlood);

  // Several signatures: a bad one first does not hide a good one after it.
  const multi = await image(repo);
  await pushSignature(client, repo, multi, [layerFor(newKey(), name, multi), layerFor(key, name, multi)]);
  assert.equal((await verifier.verify(subject(multi), [pub])).verified, true);
});

test('a payload blob altered in registry storage fails its descriptor digest', async (t) => {
  if (!integration(t, 'cosign-verify', available, REASON)) return;
  const repo: RepoRef = { registry: reg!.host, repository: 'acme/tampered' };
  const key = newKey();
  const digest = await image(repo);
  const layer = layerFor(key, `${reg!.host}/acme/tampered`, digest);
  await pushSignature(client, repo, digest, [layer]);
  const blob = (await client.pushBlob(repo, layer.payload)).digest.slice('sha256:'.length);
  const file = join(reg!.dir, 'data/docker/registry/v2/blobs/sha256', blob.slice(0, 2), blob, 'data');
  const data = readFileSync(file);
  data[5] = (data[5] ?? 0) ^ 0x01;
  writeFileSync(file, data);
  const verdict = await new CosignVerifier(client).verify({ ...repo, digest }, [parsePublicKey(key.pem)]);
  assert.equal(verdict.verified, false);
  assert.match(verdict.reason, /signature payload does not match its layer digest/);
});

test('an unreachable registry rejects (for the failure policy) within the deadline instead of hanging', async (t) => {
  if (!integration(t, 'cosign-verify', available, REASON)) return;
  // A listener that accepts connections and never answers.
  const { createServer } = await import('node:net');
  const sockets: import('node:net').Socket[] = [];
  const server = createServer((s) => sockets.push(s));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as { port: number }).port;
  try {
    const digest = `sha256:${'c'.repeat(64)}`;
    const started = Date.now();
    await assert.rejects(
      new CosignVerifier(client).verify(
        { registry: `127.0.0.1:${port}`, repository: 'x/y', digest },
        [parsePublicKey(newKey().pem)],
        {
          deadline: Date.now() + 300,
        },
      ),
      DeadlineExceededError,
    );
    assert.ok(Date.now() - started < 2000);
  } finally {
    for (const s of sockets) s.destroy();
    server.close();
  }
});
