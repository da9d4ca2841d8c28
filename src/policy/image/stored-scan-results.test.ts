// StoreScanResults against a real SQLite store filled through the store API (as `registry scan` fills it),
// judged by the image policy family: findings deny or warn per policy, a digest not in the store is unscanned.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AdmissionRequest } from '../../admission/types.js';
import { openStore, type Store, type StoredFinding } from '../../store/index.js';
import { createImagePolicyFamily } from './family.js';
import { parseImagePolicy } from './parse.js';
import type { ScanResultSource } from './scan-results.js';
import type { ImagePolicySpec } from './spec.js';
import { ChainedScanResults, StoreScanResults } from './stored-scan-results.js';

const SCANNED = `sha256:${'a'.repeat(64)}`;
const CLEAN = `sha256:${'b'.repeat(64)}`;
const NEVER = `sha256:${'c'.repeat(64)}`;
const repo = { registry: 'registry.example:5000', repository: 'acme/api' };

const finding = (over: Partial<StoredFinding>): StoredFinding => ({
  advisoryId: 'CVE-2024-0001',
  packageName: 'libssl3',
  packageVersion: '3.0.11',
  ecosystem: 'Debian:12',
  purl: 'pkg:deb/debian/libssl3@3.0.11',
  severity: 'medium',
  kev: false,
  fixable: false,
  ...over,
});

async function filledStore(t: { after: (fn: () => unknown) => void }): Promise<Store> {
  const dir = mkdtempSync(join(tmpdir(), 'kubeward-stored-scan-'));
  const store = await openStore(join(dir, 'store.db'));
  t.after(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });
  const stamp = { importedAt: '2026-11-01T00:00:00.000Z' };
  await store.saveImage(SCANNED, { repo, packages: [], scannedAt: new Date('2026-11-20T10:00:00Z') });
  await store.replaceFindings(
    SCANNED,
    [
      finding({ advisoryId: 'CVE-2024-0001', severity: 'critical', fixable: true, fixedVersion: '3.0.12' }),
      finding({ advisoryId: 'CVE-2024-0002', severity: 'critical', kev: true }),
      finding({ advisoryId: 'CVE-2024-0003', severity: 'high' }),
      finding({ advisoryId: 'CVE-2024-0004', severity: 'low' }),
    ],
    stamp,
  );
  await store.saveImage(CLEAN, { repo, packages: [], scannedAt: new Date('2026-11-21T10:00:00Z') });
  await store.replaceFindings(CLEAN, [], stamp);
  return store;
}

function podRequest(images: string[]): AdmissionRequest {
  const containers = images.map((image, i) => ({ name: `c${i}`, image }));
  return {
    uid: 'u',
    kind: { group: '', version: 'v1', kind: 'Pod' },
    resource: { group: '', version: 'v1', resource: 'pods' },
    namespace: 'prod',
    operation: 'CREATE',
    userInfo: { username: 'u' },
    object: {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'p', namespace: 'prod' },
      spec: { containers },
    },
    dryRun: false,
  };
}

async function judge(spec: ImagePolicySpec, image: string, scanResults: ScanResultSource) {
  const policy = parseImagePolicy({
    apiVersion: 'kubeward.io/v1alpha1',
    kind: 'ImagePolicy',
    metadata: { name: 'vulns' },
    spec,
  });
  const family = createImagePolicyFamily([policy], { scanResults });
  const [e] = await family.evaluate(podRequest([image]), { now: new Date() });
  assert.ok(e);
  return e;
}

test('a stored image is summarised from its findings: counts, KEV, fixable criticals, scan time', async (t) => {
  const store = await filledStore(t);
  const source = new StoreScanResults(store);
  assert.deepEqual(await source.get(SCANNED), {
    digest: SCANNED,
    counts: { critical: 2, high: 1, medium: 0, low: 1, info: 0 },
    kev: 1,
    fixableCritical: 1,
    scannedAt: '2026-11-20T10:00:00.000Z',
  });
  const clean = await source.get(CLEAN);
  assert.deepEqual(clean?.counts, { critical: 0, high: 0, medium: 0, low: 0, info: 0 });
  assert.equal(await source.get(NEVER), undefined);
});

test('the gate denies and warns from stored findings per policy', async (t) => {
  const store = await filledStore(t);
  const source = new StoreScanResults(store);
  const image = `registry.example:5000/acme/api@${SCANNED}`;

  const deny = await judge(
    { vulnerabilities: { failOn: 'high', kev: true, fixableCritical: true } },
    image,
    source,
  );
  assert.deepEqual(
    deny.violations.map((v) => v.control),
    ['vulnerabilities.failOn', 'vulnerabilities.kev', 'vulnerabilities.fixableCritical'],
  );
  assert.match(deny.violations[0]?.message ?? '', /2 critical, 1 high/);
  assert.deepEqual(deny.actions, ['Deny']);

  const warn = await judge({ mode: 'warn', vulnerabilities: { kev: true } }, image, source);
  assert.deepEqual(warn.actions, ['Warn']);
  assert.deepEqual(
    warn.violations.map((v) => v.control),
    ['vulnerabilities.kev'],
  );

  const clean = await judge(
    { vulnerabilities: { failOn: 'low', kev: true, unscanned: 'deny' } },
    `registry.example:5000/acme/api@${CLEAN}`,
    source,
  );
  assert.deepEqual(clean.violations, []);
  assert.equal(clean.error, undefined);
});

test('a digest not in the store is unscanned: deny, warn, or handed to the next source to scan', async (t) => {
  const store = await filledStore(t);
  const source = new StoreScanResults(store);
  const image = `registry.example:5000/acme/api@${NEVER}`;

  const deny = await judge({ vulnerabilities: { failOn: 'high', unscanned: 'deny' } }, image, source);
  assert.deepEqual(
    deny.violations.map((v) => v.control),
    ['vulnerabilities.unscanned'],
  );
  const warn = await judge({ vulnerabilities: { failOn: 'high', unscanned: 'warn' } }, image, source);
  assert.deepEqual(warn.violations, []);
  assert.match(warn.warnings?.[0] ?? '', /has not been scanned for vulnerabilities yet/);

  // unscanned: scan — the store misses, the next source in the chain is asked with the scan request.
  const asked: Array<{ digest: string; scan: boolean | undefined; image: string | undefined }> = [];
  const scanner: ScanResultSource = {
    async get(digest, lookup) {
      asked.push({ digest, scan: lookup?.scan, image: lookup?.image });
      return {
        digest,
        counts: { critical: 1, high: 0, medium: 0, low: 0, info: 0 },
        kev: 0,
        fixableCritical: 0,
        scannedAt: '2026-11-27T00:00:00.000Z',
      };
    },
  };
  const chained = new ChainedScanResults([source, scanner]);
  const scanned = await judge({ vulnerabilities: { failOn: 'critical' } }, image, chained);
  assert.deepEqual(
    scanned.violations.map((v) => v.control),
    ['vulnerabilities.failOn'],
  );
  assert.deepEqual(asked, [{ digest: NEVER, scan: true, image }]);

  // A stored image never reaches the scanner.
  asked.length = 0;
  await judge(
    { vulnerabilities: { failOn: 'critical' } },
    `registry.example:5000/acme/api@${SCANNED}`,
    chained,
  );
  assert.deepEqual(asked, []);
});

test('answers are cached per digest for the TTL, misses too; concurrent lookups share one query', async (t) => {
  const store = await filledStore(t);
  let now = 1_000_000;
  const source = new StoreScanResults(store, { ttlMs: 60_000, clock: () => now });
  await Promise.all([source.get(SCANNED), source.get(SCANNED), source.get(SCANNED)]);
  assert.equal(source.queries, 1);
  await source.get(NEVER);
  await source.get(NEVER);
  assert.equal(source.queries, 2);

  // A scan stored after the miss is seen once the TTL has passed.
  await store.saveImage(NEVER, { repo, packages: [], scannedAt: new Date('2026-11-22T00:00:00Z') });
  await store.replaceFindings(NEVER, [finding({ severity: 'high' })], { importedAt: '' });
  assert.equal(await source.get(NEVER), undefined);
  now += 60_001;
  assert.equal((await source.get(NEVER))?.counts.high, 1);
  assert.equal(source.queries, 3);
});

test('a failing store rejects and the failure is not cached', async () => {
  let fail = true;
  const source = new StoreScanResults({
    getImage: async () => {
      if (fail) throw new Error('database is locked');
      return undefined;
    },
    findings: async () => [],
  });
  await assert.rejects(source.get(SCANNED), /database is locked/);
  fail = false;
  assert.equal(await source.get(SCANNED), undefined);
});
