// End-to-end: .kubeward.yaml discovery, --config, config suppressions (active and expired) and the
// kubeward.io/ignore annotation, through the built CLI.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  describeRun,
  fixture,
  isoDate,
  kubeward,
  linesContaining,
  parseReport,
  tempDir,
  type CliResult,
  type HasAfter,
} from '../support/cli.js';

const PRIVILEGED = fixture('manifests/privileged.yaml');
const ANNOTATED = fixture('manifests/annotated.yaml');

function suppressionConfig(expires: string, extra = ''): string {
  return [
    '# suppress the privileged ledger container',
    'suppressions:',
    '  - checkId: KW-POD-*',
    '    kind: Deployment',
    '    namespace: payments',
    '    name: ledger',
    '    reason: HSM driver needs raw device access (SEC-42)',
    `    expires: ${expires}`,
    extra,
  ].join('\n');
}

/** A project tree: root/.kubeward.yaml (when given), root/deploy/app.yaml, root/deploy/nested/ as cwd. */
function project(t: HasAfter, config?: string): { root: string; nested: string } {
  const root = tempDir(t);
  const nested = join(root, 'deploy', 'nested');
  mkdirSync(nested, { recursive: true });
  copyFileSync(PRIVILEGED, join(root, 'deploy', 'app.yaml'));
  if (config !== undefined) writeFileSync(join(root, '.kubeward.yaml'), config);
  return { root, nested };
}

function pod001(r: CliResult) {
  const f = parseReport(r).findings.filter((x) => x.checkId === 'KW-POD-001');
  assert.equal(f.length, 1, describeRun(r));
  return f[0] as NonNullable<(typeof f)[0]>;
}

describe('config discovery', () => {
  test('.kubeward.yaml in a parent directory of the working directory is used', (t) => {
    const { nested } = project(t, suppressionConfig(isoDate(365)));
    const r = kubeward(['scan', 'manifests', '../app.yaml', '-f', 'json'], { cwd: nested });
    assert.equal(r.code, 0, describeRun(r));
    assert.equal(pod001(r).suppressed, true);
    assert.match(pod001(r).location.file, /app\.yaml$/);
  });

  test('.kubeward.yml is found too', (t) => {
    const { root, nested } = project(t);
    writeFileSync(join(root, '.kubeward.yml'), suppressionConfig(isoDate(365)));
    const r = kubeward(['scan', 'manifests', '..', '-f', 'json'], { cwd: nested });
    assert.equal(r.code, 0, describeRun(r));
  });

  test('without a config file anywhere above, defaults apply', (t) => {
    const { nested } = project(t);
    const r = kubeward(['scan', 'manifests', '..', '-f', 'json'], { cwd: nested });
    assert.equal(r.code, 1, describeRun(r));
    assert.equal(pod001(r).suppressed, false);
  });

  test('discovery starts at the working directory, not at the scanned path', (t) => {
    const { root } = project(t, suppressionConfig(isoDate(365)));
    const elsewhere = tempDir(t);
    const r = kubeward(['scan', 'manifests', join(root, 'deploy'), '-f', 'json'], { cwd: elsewhere });
    assert.equal(r.code, 1, describeRun(r));
    assert.equal(pod001(r).suppressed, false);
  });

  test('--config / -c selects a file explicitly, before or after the sub-command', (t) => {
    const { root } = project(t);
    const config = join(root, 'other-name.yaml');
    writeFileSync(config, suppressionConfig(isoDate(365)));
    const cwd = tempDir(t);
    const app = join(root, 'deploy', 'app.yaml');
    for (const args of [
      ['scan', 'manifests', app, '--config', config],
      ['scan', 'manifests', app, '-c', config],
      ['--config', config, 'scan', 'manifests', app],
    ]) {
      const r = kubeward([...args, '-f', 'json'], { cwd });
      assert.equal(r.code, 0, `${args.join(' ')}\n${describeRun(r)}`);
      assert.equal(pod001(r).suppressed, true);
    }
  });

  test('--config wins over a discovered file', (t) => {
    // The discovered config would suppress; the explicit (empty) one does not.
    const { nested, root } = project(t, suppressionConfig(isoDate(365)));
    const empty = join(root, 'empty.yaml');
    writeFileSync(empty, '# nothing configured\n');
    const r = kubeward(['scan', 'manifests', '..', '-f', 'json', '--config', empty], { cwd: nested });
    assert.equal(r.code, 1, describeRun(r));
  });

  test('an invalid discovered config is a user error naming it', (t) => {
    const { nested, root } = project(t, 'checks:\n  disabled: KW-POD-001\n');
    const r = kubeward(['scan', 'manifests', '..'], { cwd: nested });
    assert.equal(r.code, 2, describeRun(r));
    assert.ok(r.stderr.startsWith(`kubeward: ${join(root, '.kubeward.yaml')}:2: invalid config`), r.stderr);
  });
});

describe('config suppressions', () => {
  test('an active rule marks the finding suppressed and the gate passes', (t) => {
    const expires = isoDate(365);
    const { nested } = project(t, suppressionConfig(expires));
    const r = kubeward(['scan', 'manifests', '..', '-f', 'json'], { cwd: nested });
    assert.equal(r.code, 0, describeRun(r));
    const f = pod001(r);
    assert.equal(f.suppressed, true);
    assert.deepEqual(f.suppression, {
      source: 'config',
      reason: 'HSM driver needs raw device access (SEC-42)',
      expires,
    });
    const report = parseReport(r);
    assert.equal(report.summary.suppressed, 1);
    assert.equal(report.summary.bySeverity.critical, 0, 'suppressed findings are not counted per severity');
    assert.deepEqual(report.warnings, []);
  });

  test('a rule expiring today still applies', (t) => {
    const { nested } = project(t, suppressionConfig(isoDate(0)));
    const r = kubeward(['scan', 'manifests', '..', '-f', 'json'], { cwd: nested });
    assert.equal(r.code, 0, describeRun(r));
  });

  test('the table shows the suppression and its reason', (t) => {
    const { nested } = project(t, suppressionConfig(isoDate(365)));
    const r = kubeward(['scan', 'manifests', '..'], { cwd: nested });
    assert.equal(r.code, 0, describeRun(r));
    assert.match(r.stdout, /KW-POD-001.*suppressed by config.*HSM driver/);
  });

  test('an expired rule no longer suppresses, and says so', (t) => {
    const expired = isoDate(-30);
    const { nested, root } = project(t, suppressionConfig(expired));
    const config = join(root, '.kubeward.yaml');
    const [ruleLine] = linesContaining(config, '- checkId: KW-POD-*');

    const json = kubeward(['scan', 'manifests', '..', '-f', 'json'], { cwd: nested });
    assert.equal(json.code, 1, describeRun(json));
    const f = pod001(json);
    assert.equal(f.suppressed, false);
    assert.equal(f.suppression, undefined);
    const warnings = parseReport(json).warnings.filter((w) => /expired/.test(w.message));
    assert.equal(warnings.length, 1, describeRun(json));
    assert.equal(warnings[0]?.file, config);
    assert.equal(warnings[0]?.line, ruleLine);
    assert.match(warnings[0]?.message ?? '', new RegExp(`KW-POD-\\*.*expired on ${expired}`));

    const table = kubeward(['scan', 'manifests', '..'], { cwd: nested });
    assert.equal(table.code, 1, describeRun(table));
    assert.match(
      table.stdout + table.stderr,
      new RegExp(`warning: ${config}:${String(ruleLine)}: suppression for KW-POD-\\* expired on ${expired}`),
    );
  });

  test('an expired rule that matches nothing is not reported', (t) => {
    const { nested } = project(
      t,
      'suppressions:\n  - checkId: KW-NOPE-1\n    reason: gone\n    expires: 2001-01-01\n',
    );
    const r = kubeward(['scan', 'manifests', '..', '-f', 'json', '--fail-on', 'none'], { cwd: nested });
    assert.deepEqual(
      parseReport(r).warnings.filter((w) => /expired/.test(w.message)),
      [],
    );
  });

  test('disabled checks do not run', (t) => {
    const { nested } = project(t, 'checks:\n  disabled: [KW-POD-001]\n');
    const r = kubeward(['scan', 'manifests', '..', '-f', 'json'], { cwd: nested });
    assert.equal(r.code, 0, describeRun(r));
    assert.ok(!parseReport(r).findings.some((f) => f.checkId === 'KW-POD-001'));
  });
});

describe('annotation suppression', () => {
  test('kubeward.io/ignore with a reason suppresses the finding and the gate passes', () => {
    const r = kubeward(['scan', 'manifests', ANNOTATED, '-f', 'json']);
    assert.equal(r.code, 0, describeRun(r));
    const f = pod001(r);
    assert.equal(f.suppressed, true);
    assert.deepEqual(f.suppression, {
      source: 'annotation',
      reason: 'needs raw device access for the HSM; reviewed in SEC-42',
    });
    assert.equal(f.location.line, linesContaining(ANNOTATED, 'privileged: true')[0]);
  });

  test('suppressed findings stay in SARIF, marked as suppressed', () => {
    const r = kubeward(['scan', 'manifests', ANNOTATED, '-f', 'sarif']);
    assert.equal(r.code, 0, describeRun(r));
    const sarif = JSON.parse(r.stdout) as {
      runs: { results: { ruleId: string; suppressions?: { kind: string; justification?: string }[] }[] }[];
    };
    const result = sarif.runs[0]?.results.find((x) => x.ruleId === 'KW-POD-001');
    assert.equal(result?.suppressions?.[0]?.kind, 'inSource');
  });
});
