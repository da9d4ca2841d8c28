// End-to-end: the built CLI scans an image pushed to Debian's real docker-registry against an OSV
// database imported from fixtures, then the same packages through an SBOM, with VEX and the gates.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RegistryClient } from '../../src/image/registry/client.js';
import { integration } from '../support/integration.js';
import { kubeward, REPO_ROOT } from '../support/cli.js';
import { registryAvailable, startRegistry, type RunningRegistry } from '../support/registry.js';
import { pushImage, tarLayer } from '../support/oci-builder.js';

const FIXTURES = join(REPO_ROOT, 'test/fixtures');

const STATUS = [
  'Package: libssl3\nStatus: install ok installed\nArchitecture: amd64\nSource: openssl\nVersion: 3.0.11-1~deb12u2\n',
  'Package: curl\nStatus: install ok installed\nArchitecture: amd64\nVersion: 7.88.1-10+deb12u5\n',
  'Package: zlib1g\nStatus: install ok installed\nArchitecture: amd64\nSource: zlib\nVersion: 1:1.2.13.dfsg-1\n',
].join('\n');

const available = registryAvailable();
let reg: RunningRegistry | undefined;
let work = '';
before(async () => {
  work = mkdtempSync(join(tmpdir(), 'kubeward-imgscan-'));
  if (available) reg = await startRegistry();
});
after(async () => {
  await reg?.stop();
  rmSync(work, { recursive: true, force: true });
});

test('image scan: vulnerabilities by source package, fixed vs unfixed, KEV, config findings, gates, VEX, SBOM', async (t) => {
  if (
    !integration(
      t,
      'image-scan-cli',
      available,
      'docker-registry not installed (apt-get install docker-registry)',
    )
  )
    return;
  const cache = join(work, 'cache');
  const imp = kubeward([
    'db',
    'import',
    join(FIXTURES, 'osv-debian'),
    '--kev',
    join(FIXTURES, 'kev-mini.json'),
    '--cache-dir',
    cache,
  ]);
  assert.equal(imp.code, 0, imp.stderr);

  const client = new RegistryClient({ insecure: () => true, backoffMs: 10 });
  const layer = await tarLayer([
    { path: 'etc/os-release', content: 'ID=debian\nVERSION_ID="12"\n' },
    { path: 'var/lib/dpkg/status', content: STATUS },
  ]);
  await pushImage(
    client,
    { registry: reg!.host, repository: 'shop/api' },
    {
      layers: [{ tar: layer }],
      config: { config: { User: '10001', Healthcheck: { Test: ['CMD', 'true'] } } },
    },
    '1.0',
  );
  await client.close();
  const ref = `${reg!.host}/shop/api:1.0`;

  const json = kubeward(['image', 'scan', ref, '--insecure', '--cache-dir', cache, '--format', 'json']);
  assert.equal(json.code, 1, `high finding fails the default gate: ${json.stderr}`);
  const report = JSON.parse(json.stdout) as {
    findings: Array<{
      checkId: string;
      severity: string;
      suppressed: boolean;
      vulnerability?: {
        fixedVersion?: string;
        fixAvailable: boolean;
        kev?: unknown;
        package: { name: string; source?: { name: string } };
      };
    }>;
  };
  const byId = new Map(report.findings.map((f) => [f.checkId, f]));
  const ssl = byId.get('DEBIAN-CVE-2023-5678');
  assert.ok(ssl, 'openssl advisory matched through the source package of libssl3');
  assert.equal(ssl.vulnerability?.package.name, 'libssl3');
  assert.equal(ssl.vulnerability?.package.source?.name, 'openssl');
  assert.equal(ssl.vulnerability?.fixedVersion, '3.0.13-1~deb12u1');
  assert.equal(ssl.severity, 'high'); // CVSS 7.5
  assert.ok(ssl.vulnerability?.kev, 'KEV enrichment');
  assert.equal(byId.get('DEBIAN-CVE-2024-0001')?.vulnerability?.fixAvailable, false);
  assert.ok(!byId.has('DEBIAN-CVE-2022-0002'), 'installed version is past the fix');

  const unfixed = JSON.parse(
    kubeward([
      'image',
      'scan',
      ref,
      '--insecure',
      '--cache-dir',
      cache,
      '--format',
      'json',
      '--ignore-unfixed',
      '--fail-on',
      'none',
    ]).stdout,
  ) as typeof report;
  assert.ok(!unfixed.findings.some((f) => f.checkId === 'DEBIAN-CVE-2024-0001'));

  assert.equal(
    kubeward(['image', 'scan', ref, '--insecure', '--cache-dir', cache, '--fail-on', 'critical']).code,
    0,
  );
  assert.equal(
    kubeward([
      'image',
      'scan',
      ref,
      '--insecure',
      '--cache-dir',
      cache,
      '--fail-on',
      'critical',
      '--fail-on-kev',
    ]).code,
    1,
  );

  const vex = join(work, 'vex.json');
  writeFileSync(
    vex,
    JSON.stringify({
      '@context': 'https://openvex.dev/ns/v0.2.0',
      '@id': 'https://example.com/vex/shop-api',
      author: 'security@example.com',
      timestamp: '2026-11-01T00:00:00Z',
      version: 1,
      statements: [
        {
          vulnerability: { name: 'CVE-2023-5678' },
          products: [{ '@id': 'pkg:deb/debian/libssl3' }],
          status: 'not_affected',
          justification: 'vulnerable_code_not_in_execute_path',
        },
      ],
    }),
  );
  const vexed = kubeward([
    'image',
    'scan',
    ref,
    '--insecure',
    '--cache-dir',
    cache,
    '--format',
    'json',
    '--vex',
    vex,
    '--fail-on-kev',
  ]);
  assert.equal(vexed.code, 0, vexed.stderr);
  assert.equal(
    (JSON.parse(vexed.stdout) as typeof report).findings.find((f) => f.checkId === 'DEBIAN-CVE-2023-5678')
      ?.suppressed,
    true,
  );

  const sbomFile = join(work, 'bom.json');
  assert.equal(kubeward(['sbom', ref, '--insecure', '--output', sbomFile]).code, 0);
  const fromSbom = kubeward([
    'image',
    'scan',
    '--sbom',
    sbomFile,
    '--cache-dir',
    cache,
    '--format',
    'json',
    '--fail-on',
    'none',
  ]);
  assert.equal(fromSbom.code, 0, fromSbom.stderr);
  assert.deepEqual((JSON.parse(fromSbom.stdout) as typeof report).findings.map((f) => f.checkId).sort(), [
    'DEBIAN-CVE-2023-5678',
    'DEBIAN-CVE-2024-0001',
  ]);

  const sarif = kubeward([
    'image',
    'scan',
    ref,
    '--insecure',
    '--cache-dir',
    cache,
    '--format',
    'sarif',
    '--fail-on',
    'none',
  ]);
  assert.equal(sarif.code, 0);
  assert.ok(
    (JSON.parse(sarif.stdout) as { runs: Array<{ results: unknown[] }> }).runs[0]!.results.length >= 2,
  );
});

test('image scan user errors: no database, missing image, bad flags', () => {
  const empty = join(work, 'empty-cache');
  const noDb = kubeward(['image', 'scan', '/nonexistent-image-dir', '--cache-dir', empty]);
  assert.equal(noDb.code, 2);
  assert.match(noDb.stderr, /no vulnerability database/);
  assert.equal(noDb.stderr.trim().split('\n').length, 1);
  const both = kubeward(['image', 'scan', 'x', '--sbom', 'y']);
  assert.equal(both.code, 2);
  const badPlatform = kubeward(['sbom', 'x:1', '--platform', 'linux']);
  assert.equal(badPlatform.code, 2);
  assert.match(badPlatform.stderr, /--platform/);
});
