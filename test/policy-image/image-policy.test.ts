// The image policy family end to end against Debian's real docker-registry: tag → digest mutation with
// its cache, cosign signatures required by policy, and the vulnerability gate fed by a real inline scan
// (openImage → takeInventory → scanImage) over an OSV database imported from fixtures.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AdmissionRequest, KubeObject } from '../../src/admission/types.js';
import { RegistryClient, type RepoRef } from '../../src/image/registry/client.js';
import { CosignVerifier } from '../../src/image/signature/cosign.js';
import { createDigestResolver } from '../../src/policy/image/digest-resolver.js';
import { createImagePolicyFamily, type ImagePolicyDeps } from '../../src/policy/image/family.js';
import { parseImagePolicy, type ImagePolicy } from '../../src/policy/image/parse.js';
import { InlineScanSource } from '../../src/policy/image/scan-results.js';
import type { ImagePolicySpec } from '../../src/policy/image/spec.js';
import type { PolicyEvaluation } from '../../src/policy/engine/types.js';
import { importKev } from '../../src/vuln/db/feeds.js';
import { importOsv } from '../../src/vuln/db/import-osv.js';
import { openVulnDb, type VulnDb } from '../../src/vuln/db/store.js';
import { integration } from '../support/integration.js';
import { REPO_ROOT } from '../support/cli.js';
import { pushImage, tarLayer } from '../support/oci-builder.js';
import { registryAvailable, startRegistry, type RunningRegistry } from '../support/registry.js';
import { layerFor, newKey, pushSignature } from './cosign-support.js';

const available = registryAvailable();
const REASON = 'docker-registry not installed (apt-get install docker-registry)';
const STATUS = [
  'Package: libssl3\nStatus: install ok installed\nArchitecture: amd64\nSource: openssl\nVersion: 3.0.11-1~deb12u2\n',
  'Package: zlib1g\nStatus: install ok installed\nArchitecture: amd64\nSource: zlib\nVersion: 1:1.2.13.dfsg-1\n',
].join('\n');

let reg: RunningRegistry | undefined;
let client: RegistryClient;
let work = '';
let db: VulnDb | undefined;
before(async () => {
  work = mkdtempSync(join(tmpdir(), 'kubeward-imgpol-'));
  client = new RegistryClient({ insecure: () => true, backoffMs: 10, retries: 1 });
  if (available) reg = await startRegistry();
});
after(async () => {
  await client.close();
  await reg?.stop();
  db?.close();
  rmSync(work, { recursive: true, force: true });
});

const policy = (spec: ImagePolicySpec, name = 'p'): ImagePolicy =>
  parseImagePolicy({ apiVersion: 'kubeward.io/v1alpha1', kind: 'ImagePolicy', metadata: { name }, spec });

function deployment(image: string): AdmissionRequest {
  const object: KubeObject = {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'api', namespace: 'shop' },
    spec: { template: { spec: { containers: [{ name: 'api', image }] } } },
  };
  return {
    uid: 'u',
    kind: { group: 'apps', version: 'v1', kind: 'Deployment' },
    resource: { group: 'apps', version: 'v1', resource: 'deployments' },
    namespace: 'shop',
    operation: 'CREATE',
    userInfo: {},
    object,
    dryRun: false,
  };
}

async function run(policies: ImagePolicy[], image: string, deps: ImagePolicyDeps): Promise<PolicyEvaluation> {
  const [e] = await createImagePolicyFamily(policies, deps).evaluate(deployment(image), {
    now: new Date(),
    deadline: Date.now() + 10_000,
  });
  assert.ok(e, 'the policy produced an evaluation');
  return e;
}

async function push(
  repo: RepoRef,
  tag: string,
  files: Array<{ path: string; content: string }>,
): Promise<string> {
  return (await pushImage(client, repo, { layers: [{ tar: await tarLayer(files) }] }, tag)).manifestDigest;
}

test('mutate to digest: tag resolved through the registry, patched at the JSON pointer, cached', async (t) => {
  if (!integration(t, 'image-policy', available, REASON)) return;
  const repo = { registry: reg!.host, repository: 'shop/web' };
  const digest = await push(repo, '1.0', [{ path: 'index.html', content: 'v1' }]);
  const resolveDigest = createDigestResolver(client, { ttlMs: 60_000 });
  const p = policy({ mutateToDigest: true, requireDigest: true, forbidMutableTags: true });
  const image = `${reg!.host}/shop/web:1.0`;

  const e = await run([p], image, { resolveDigest });
  assert.deepEqual(e.patch, [
    { op: 'replace', path: '/spec/template/spec/containers/0/image', value: `${image}@${digest}` },
  ]);
  assert.deepEqual(e.violations, [], 'a pinned image satisfies requireDigest and forbidMutableTags');
  assert.equal(e.error, undefined);
  assert.equal(resolveDigest.lookups, 1);

  // Cache hit: the tag is moved in the registry, but within the TTL no registry call is made.
  const moved = await push(repo, '1.0', [{ path: 'index.html', content: 'v2' }]);
  assert.notEqual(moved, digest);
  const again = await run([p], image, { resolveDigest });
  assert.equal(again.patch?.[0]?.op === 'replace' && again.patch[0].value, `${image}@${digest}`);
  assert.equal(resolveDigest.lookups, 1);
  // A resolver with an expired entry sees the move.
  const fresh = createDigestResolver(client, { ttlMs: 0 });
  assert.equal(
    await fresh({ registry: reg!.host, repository: 'shop/web', name: `${reg!.host}/shop/web`, tag: '1.0' }),
    moved,
  );

  // Already pinned images are left alone; an unknown tag is an evaluation error under the failure policy.
  assert.equal((await run([p], `${image}@${digest}`, { resolveDigest })).patch, undefined);
  const missing = await run(
    [policy({ mutateToDigest: true, failurePolicy: 'Ignore' })],
    `${reg!.host}/shop/web:nope`,
    {
      resolveDigest,
    },
  );
  assert.match(missing.error ?? '', /cannot resolve the tag to a digest: .*HTTP 404/);
  assert.equal(missing.failurePolicy, 'Ignore');
  assert.equal(missing.patch, undefined);
});

test('signatures required by policy: signed image passes, unsigned is denied, optional only warns', async (t) => {
  if (!integration(t, 'image-policy', available, REASON)) return;
  const repo = { registry: reg!.host, repository: 'shop/signed' };
  const key = newKey();
  const signed = await push(repo, 'v1', [{ path: 'a', content: 'signed' }]);
  await pushSignature(client, repo, signed, [layerFor(key, `${reg!.host}/shop/signed`, signed)]);
  const unsigned = await push(repo, 'v2', [{ path: 'a', content: 'unsigned' }]);
  const verifier = new CosignVerifier(client);
  const deps = { verifier, resolveDigest: createDigestResolver(client) };
  const required = policy({ signatures: { publicKeys: [key.pem] } });

  const ok = await run([required], `${reg!.host}/shop/signed:v1`, deps);
  assert.deepEqual(ok.violations, []);
  assert.equal(ok.error, undefined);

  const denied = await run([required], `${reg!.host}/shop/signed@${unsigned}`, deps);
  assert.deepEqual(
    denied.violations.map((v) => [v.control, v.field]),
    [['signatures', 'spec.template.spec.containers[0].image']],
  );
  assert.match(denied.violations[0]?.message ?? '', /has no valid signature: no signature found/);

  const optional = policy({ signatures: { publicKeys: [key.pem], required: false } });
  const warned = await run([optional], `${reg!.host}/shop/signed:v2`, deps);
  assert.deepEqual(warned.violations, []);
  assert.match(warned.warnings?.[0] ?? '', /has no valid signature/);

  // Registries outside the allow-list are never contacted, not even for signatures.
  const fetches = verifier.fetches;
  const outside = await run(
    [policy({ allowedRegistries: ['ghcr.io/acme'], signatures: { publicKeys: [key.pem] } })],
    `${reg!.host}/shop/signed@${unsigned}`,
    deps,
  );
  assert.deepEqual(
    outside.violations.map((v) => v.control),
    ['allowedRegistries'],
  );
  assert.equal(verifier.fetches, fetches);
});

test('vulnerability gate over a real inline scan: threshold, KEV, cache, budget exceeded', async (t) => {
  if (!integration(t, 'image-policy', available, REASON)) return;
  db = openVulnDb({ cacheDir: join(work, 'db') });
  await importOsv(db, join(REPO_ROOT, 'test/fixtures/osv-debian'), { name: 'osv:debian' });
  await importKev(db, join(REPO_ROOT, 'test/fixtures/kev-mini.json'));
  const repo = { registry: reg!.host, repository: 'shop/api' };
  const files = [
    { path: 'etc/os-release', content: 'ID=debian\nVERSION_ID="12"\n' },
    { path: 'var/lib/dpkg/status', content: STATUS },
  ];
  const digest = await push(repo, '1.0', files);
  const scanner = new InlineScanSource({ db, client });
  const deps = { scanResults: scanner, resolveDigest: createDigestResolver(client) };
  const image = `${reg!.host}/shop/api:1.0`;

  const e = await run(
    [policy({ vulnerabilities: { failOn: 'high', kev: true, scanBudgetMs: 8000 } })],
    image,
    deps,
  );
  assert.equal(e.error, undefined);
  const field = 'spec.template.spec.containers[0].image';
  assert.deepEqual(
    e.violations.map((v) => [v.control, v.field, v.image]),
    [
      ['vulnerabilities.failOn', field, image],
      ['vulnerabilities.kev', field, image],
    ],
  );
  assert.match(e.violations[0]?.message ?? '', /at or above high \(1 high\)/);
  const stored = await scanner.store.get(digest);
  assert.equal(stored?.counts.high, 1);
  assert.equal(stored?.kev, 1);
  assert.equal(scanner.scans, 1);

  // The result is cached by digest: a stricter policy re-uses it without scanning again.
  const strict = await run([policy({ vulnerabilities: { failOn: 'critical' } })], image, deps);
  assert.deepEqual(strict.violations, []);
  assert.equal(scanner.scans, 1);

  // A new image with a budget far too small for a scan: an error under the failure policy, not a hang;
  // the scan finishes in the background and the next request finds its result.
  const other = await push(repo, '2.0', [...files, { path: 'etc/motd', content: 'v2' }]);
  const tiny = policy({ vulnerabilities: { failOn: 'high', scanBudgetMs: 1 } });
  const late = await run([tiny], `${reg!.host}/shop/api:2.0`, deps);
  assert.match(late.error ?? '', /vulnerability scan failed: .*did not finish within the time budget/);
  assert.deepEqual(late.violations, []);
  for (let i = 0; i < 100 && !(await scanner.store.get(other)); i++)
    await new Promise((r) => setTimeout(r, 50));
  const later = await run([tiny], `${reg!.host}/shop/api:2.0`, deps);
  assert.equal(later.error, undefined);
  assert.deepEqual(
    later.violations.map((v) => v.control),
    ['vulnerabilities.failOn'],
  );
});
