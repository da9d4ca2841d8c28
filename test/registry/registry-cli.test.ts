// End-to-end: the built CLI's `registry scan`, `registry report` and `registry watch` against Debian's real
// docker-registry, with the watcher receiving the registry's push notifications and printing events.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RegistryClient } from '../../src/image/registry/client.js';
import { integration } from '../support/integration.js';
import { CLI_PATH, describeRun, ensureBuilt, kubeward, parseReport, REPO_ROOT } from '../support/cli.js';
import { freePort, registryAvailable, startRegistry, type RunningRegistry } from '../support/registry.js';
import { pushImage, tarLayer } from '../support/oci-builder.js';

const FIXTURES = join(REPO_ROOT, 'test/fixtures');
const pkg = (name: string, version: string, source?: string): string =>
  `Package: ${name}\nStatus: install ok installed\nArchitecture: amd64\n${source ? `Source: ${source}\n` : ''}Version: ${version}\n`;
const OS_RELEASE = { path: 'etc/os-release', content: 'ID=debian\nVERSION_ID="12"\n' };

const available = registryAvailable();
let reg: RunningRegistry | undefined;
let work = '';
let notifyPort = 0;
const TOKEN = 'notify-token-for-tests';

before(async () => {
  work = mkdtempSync(join(tmpdir(), 'kubeward-regcli-'));
  if (!available) return;
  notifyPort = await freePort();
  reg = await startRegistry({
    extraYaml:
      `notifications:\n  endpoints:\n    - name: kubeward\n      url: http://127.0.0.1:${notifyPort}/notifications\n` +
      `      headers:\n        Authorization: [Bearer ${TOKEN}]\n      timeout: 2s\n      threshold: 10\n      backoff: 200ms\n`,
  });
});
after(async () => {
  await reg?.stop();
  rmSync(work, { recursive: true, force: true });
});

async function pushDebian(repository: string, tag: string, status: string): Promise<string> {
  const client = new RegistryClient({ insecure: () => true, backoffMs: 10 });
  try {
    // A file of its own: every repository gets its own digest.
    const layer = await tarLayer([
      OS_RELEASE,
      { path: 'var/lib/dpkg/status', content: status },
      { path: `app/${repository}`, content: repository },
    ]);
    return (await pushImage(client, { registry: reg!.host, repository }, { layers: [{ tar: layer }] }, tag))
      .manifestDigest;
  } finally {
    await client.close();
  }
}

test('registry scan / report / watch through the CLI', async (t) => {
  if (
    !integration(
      t,
      'registry-cli',
      available,
      'docker-registry not installed (apt-get install docker-registry)',
    )
  )
    return;
  ensureBuilt();
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
  const api = await pushDebian('shop/api', '1.0', pkg('libssl3', '3.0.11-1~deb12u2', 'openssl'));
  await pushDebian('tools/cli', '2', pkg('curl', '7.88.1-10+deb12u5'));
  const registry = `http://${reg!.host}`;
  const common = ['--registry', registry, '--insecure', '--cache-dir', cache];

  await t.test('scan: one pass, JSON report of both images, gate on the openssl (high) finding', () => {
    const r = kubeward(['registry', 'scan', ...common, '--format', 'json']);
    assert.equal(r.code, 1, describeRun(r));
    assert.match(r.stderr, /images 2 scanned, 0 already stored, 0 failed/);
    const report = parseReport(r);
    const byId = new Map(report.findings.map((f) => [f.checkId, f]));
    assert.equal(byId.get('DEBIAN-CVE-2023-5678')?.resource.name, `${reg!.host}/shop/api:1.0@${api}`);
    assert.equal(
      byId.get('DEBIAN-CVE-2024-0001')?.resource.name.startsWith(`${reg!.host}/tools/cli:2@`),
      true,
    );
    const again = kubeward(['registry', 'scan', ...common, '--fail-on', 'critical']);
    assert.equal(again.code, 0, describeRun(again));
    assert.match(again.stderr, /images 0 scanned, 2 already stored/);
    assert.match(again.stdout, /DEBIAN-CVE-2023-5678/);
    const sarif = kubeward(['registry', 'scan', ...common, '--format', 'sarif', '--fail-on', 'none']);
    assert.equal(sarif.code, 0);
    assert.equal((JSON.parse(sarif.stdout) as { version: string }).version, '2.1.0');
  });

  await t.test('scan: an unreachable registry is reported and fails the run', async () => {
    const port = await freePort();
    const r = kubeward([
      'registry',
      'scan',
      '--registry',
      `http://127.0.0.1:${port}`,
      '--insecure',
      '--cache-dir',
      cache,
      '--fail-on',
      'none',
    ]);
    assert.equal(r.code, 1, describeRun(r));
    assert.match(r.stdout, /warning: 127\.0\.0\.1:\d+: registry 127\.0\.0\.1:\d+ unreachable/);
    assert.match(r.stderr, /1 errors/);
  });

  await t.test('report: filters by KEV, repository glob, severity, registry; newest first', () => {
    const ids = (args: string[]): string[] => {
      const r = kubeward(['registry', 'report', '--cache-dir', cache, '--format', 'json', ...args]);
      assert.equal(r.code, 0, describeRun(r));
      return parseReport(r).findings.map((f) => `${f.resource.name.split('@')[0]} ${f.checkId}`);
    };
    assert.deepEqual(ids(['--kev']), [`${reg!.host}/shop/api:1.0 DEBIAN-CVE-2023-5678`]);
    assert.deepEqual(ids(['--repository', 'tools/*']), [`${reg!.host}/tools/cli:2 DEBIAN-CVE-2024-0001`]);
    assert.deepEqual(ids(['--severity', 'high']), [`${reg!.host}/shop/api:1.0 DEBIAN-CVE-2023-5678`]);
    assert.deepEqual(ids(['--fixable', '--registry', registry]), [
      `${reg!.host}/shop/api:1.0 DEBIAN-CVE-2023-5678`,
    ]);
    assert.deepEqual(ids(['--registry', 'other.example']), []);
    assert.equal(ids([]).length, 2);
    const table = kubeward(['registry', 'report', '--cache-dir', cache]);
    assert.equal(table.code, 0, describeRun(table));
    assert.match(table.stdout, /DEBIAN-CVE-2023-5678/);
    const bad = kubeward(['registry', 'report', '--cache-dir', cache, '--limit', 'many']);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /^kubeward: --limit/);
  });

  await t.test(
    'watch: a pushed image is scanned on notification; its KEV finding is a JSON line on stdout',
    async () => {
      const child = spawn(
        process.execPath,
        [
          CLI_PATH,
          'registry',
          'watch',
          ...common,
          '--interval',
          '1h',
          '--notify-listen',
          `127.0.0.1:${notifyPort}`,
          '--notify-token-env',
          'KW_NOTIFY_TOKEN',
        ],
        { env: { ...process.env, KW_NOTIFY_TOKEN: TOKEN }, stdio: ['ignore', 'pipe', 'pipe'], cwd: work },
      );
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
      child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
      const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
      const until = async (pred: () => boolean, what: string): Promise<void> => {
        const deadline = Date.now() + 30_000;
        while (!pred()) {
          if (Date.now() > deadline || child.exitCode !== null)
            throw new Error(`${what}: timed out\n--- stdout\n${stdout}\n--- stderr\n${stderr}`);
          await new Promise((r) => setTimeout(r, 100));
        }
      };
      try {
        await until(() => /^pass: /m.test(stderr), 'first pass');
        const digest = await pushDebian('shop/new', 'v1', pkg('libssl3', '3.0.11-1~deb12u2', 'openssl'));
        await until(() => stdout.includes(digest), 'event for the pushed image');
        const events = stdout
          .trim()
          .split('\n')
          .map(
            (l) =>
              JSON.parse(l) as {
                type: string;
                cause?: string;
                reasons?: string[];
                image?: { digest: string; tags: string[] };
                finding?: { id: string };
              },
          );
        const ev = events.find((e) => e.image?.digest === digest);
        assert.equal(ev?.type, 'finding.new');
        assert.equal(ev?.finding?.id, 'DEBIAN-CVE-2023-5678');
        assert.deepEqual(ev?.reasons, ['kev']);
        assert.deepEqual(ev?.image?.tags, ['v1']);
        assert.match(stderr, /^push: .*images 1 scanned/m);
      } finally {
        child.kill('SIGTERM');
      }
      assert.equal(await exited, 0, `watch stops cleanly on SIGTERM\n${stderr}`);
    },
  );
});
