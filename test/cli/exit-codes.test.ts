// End-to-end: exit codes of the built CLI (0 passed, 1 gate failed, 2 user error) and the one-line
// error messages. Runs dist/cli/main.js; `make test` builds first.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  describeRun,
  fixture,
  kubeward,
  linesContaining,
  parseReport,
  tempDir,
  type CliResult,
} from '../support/cli.js';

const CLEAN = fixture('manifests/clean.yaml');
const PRIVILEGED = fixture('manifests/privileged.yaml');

/** A user error: exit 2, exactly one line on stderr starting "kubeward: ", no stack trace, no stdout. */
function assertUserError(r: CliResult, pattern: RegExp): void {
  assert.equal(r.code, 2, describeRun(r));
  const lines = r.stderr.split('\n').filter((l) => l !== '');
  assert.equal(lines.length, 1, `expected one line on stderr\n${describeRun(r)}`);
  assert.match(lines[0] ?? '', /^kubeward: /);
  assert.match(lines[0] ?? '', pattern);
  assert.doesNotMatch(r.stderr, /^\s+at /m, 'no stack trace frames');
  assert.doesNotMatch(r.stderr, /internal error/);
  assert.equal(r.stdout, '', 'nothing on stdout');
}

describe('exit codes: the gate', () => {
  test('0 for a clean manifest', () => {
    const r = kubeward(['scan', 'manifests', CLEAN, '--format', 'json']);
    assert.equal(r.code, 0, describeRun(r));
    const report = parseReport(r);
    assert.deepEqual(
      report.findings.map((f) => `${f.checkId} ${f.location.file}:${f.location.line} ${f.message}`),
      [],
      'the hardened fixture has no findings',
    );
    assert.equal(r.stderr, '');
  });

  test('1 for a finding at or above the default threshold (high)', () => {
    const r = kubeward(['scan', 'manifests', PRIVILEGED]);
    assert.equal(r.code, 1, describeRun(r));
    assert.match(r.stdout, /KW-POD-001/);
    assert.equal(r.stderr, '', 'a failed gate is not an error message');
  });

  test('--fail-on: at, above and below the finding severity, and none', (t) => {
    // The privileged finding overridden to high, so "only highs" is exact whatever else lands in the catalogue.
    const dir = tempDir(t);
    const config = join(dir, 'high.yaml');
    writeFileSync(config, 'checks:\n  severity:\n    KW-POD-001: high\n');
    const run = (...extra: string[]): CliResult =>
      kubeward(['scan', 'manifests', PRIVILEGED, '--config', config, ...extra]);

    const json = parseReport(run('--format', 'json'));
    const severities = new Set(json.findings.map((f) => f.severity));
    assert.deepEqual([...severities], ['high'], 'precondition: the only findings are highs');

    assert.equal(run().code, 1, 'default --fail-on high');
    assert.equal(run('--fail-on', 'high').code, 1);
    assert.equal(run('--fail-on', 'medium').code, 1);
    assert.equal(run('--fail-on', 'critical').code, 0, 'only highs pass a critical gate');
    assert.equal(run('--fail-on', 'none').code, 0);
    assert.equal(run('--fail-on', 'CRITICAL').code, 0, 'case-insensitive');
  });

  test('the gate also applies with --output and any format', (t) => {
    const dir = tempDir(t);
    for (const format of ['table', 'json', 'sarif', 'junit']) {
      const r = kubeward(['scan', 'manifests', PRIVILEGED, '-f', format, '-o', join(dir, `r.${format}`)]);
      assert.equal(r.code, 1, `${format}: ${describeRun(r)}`);
    }
  });
});

describe('exit codes: user errors (2) print one line', () => {
  test('missing path', () => {
    assertUserError(kubeward(['scan', 'manifests', 'no/such/dir']), /path not found: no\/such\/dir/);
  });

  test('missing path next to a valid one', () => {
    assertUserError(kubeward(['scan', 'manifests', CLEAN, 'missing.yaml']), /missing\.yaml/);
  });

  test('unknown flag', () => {
    assertUserError(kubeward(['scan', 'manifests', CLEAN, '--bogus']), /unknown option '--bogus'/);
  });

  test('unknown sub-command', () => {
    assertUserError(kubeward(['frobnicate']), /unknown command 'frobnicate'/);
    assertUserError(kubeward(['scan', 'helmets', CLEAN]), /unknown command 'helmets'/);
  });

  test('missing argument', () => {
    assertUserError(kubeward(['scan', 'manifests']), /missing required argument/);
  });

  test('bad --fail-on value', () => {
    assertUserError(kubeward(['scan', 'manifests', CLEAN, '--fail-on', 'extreme']), /--fail-on.*extreme/);
  });

  test('bad --format value', () => {
    assertUserError(kubeward(['scan', 'manifests', CLEAN, '--format', 'xml']), /'xml' is invalid/);
    assertUserError(kubeward(['checks', 'list', '--format', 'xml']), /'xml' is invalid/);
  });

  test('bad --severity value', () => {
    assertUserError(kubeward(['scan', 'manifests', CLEAN, '--severity', 'urgent']), /'urgent' is invalid/);
  });

  test('malformed YAML names file:line, without a stack trace', () => {
    const file = fixture('broken/malformed.yaml');
    const [line] = linesContaining(file, 'image: nginx: 1.25');
    // Relative to the working directory, as the user typed it.
    const r = kubeward(['scan', 'manifests', 'malformed.yaml'], { cwd: fixture('broken') });
    assertUserError(r, new RegExp(`^kubeward: malformed\\.yaml:${String(line)}: invalid YAML`));
  });

  test('malformed YAML inside a scanned directory', (t) => {
    const dir = tempDir(t);
    mkdirSync(join(dir, 'deploy', 'app'), { recursive: true });
    writeFileSync(join(dir, 'deploy', 'a.yaml'), 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n');
    writeFileSync(join(dir, 'deploy', 'app', 'b.yaml'), 'apiVersion: v1\nkind: Pod\nmetadata:\n  name: [b\n');
    const r = kubeward(['scan', 'manifests', 'deploy'], { cwd: dir });
    assertUserError(r, /^kubeward: deploy\/app\/b\.yaml:\d+: invalid YAML/);
  });

  test('malformed YAML on standard input', () => {
    const r = kubeward(['scan', 'manifests', '-'], { stdin: 'kind: Pod\nmetadata:\n  name: a: b\n' });
    assertUserError(r, /^kubeward: <stdin>:3: invalid YAML/);
  });

  test('invalid config names file:line of the bad key', () => {
    const config = fixture('config/invalid.yaml');
    const [line] = linesContaining(config, 'disabeld:');
    const r = kubeward(['scan', 'manifests', CLEAN, '--config', config]);
    assertUserError(r, /invalid config/);
    assert.ok(
      r.stderr.startsWith(`kubeward: ${config}:${String(line)}: `),
      `expected ${config}:${String(line)} (the line of "disabeld")\n${describeRun(r)}`,
    );
    assert.match(r.stderr, /disabeld/, 'the message names the unknown key');
  });

  test('invalid config: wrong type and bad date', (t) => {
    const dir = tempDir(t);
    const typed = join(dir, 'typed.yaml');
    writeFileSync(typed, 'registries:\n  allowed: ghcr.io/acme/*\n');
    assertUserError(kubeward(['scan', 'manifests', CLEAN, '-c', typed]), /typed\.yaml:2: invalid config/);
    const dated = join(dir, 'dated.yaml');
    writeFileSync(dated, 'suppressions:\n  - checkId: KW-POD-001\n    reason: x\n    expires: 2027-13-01\n');
    assertUserError(kubeward(['scan', 'manifests', CLEAN, '-c', dated]), /dated\.yaml:4: invalid config/);
  });

  test('--config naming a missing file', () => {
    assertUserError(kubeward(['scan', 'manifests', CLEAN, '--config', 'nope.yaml']), /nope\.yaml.*not found/);
  });

  test('unwritable --output', (t) => {
    const dir = tempDir(t);
    // A missing parent directory and a directory in place of the file: both fail for root too.
    assertUserError(
      kubeward(['scan', 'manifests', CLEAN, '--output', join(dir, 'missing', 'report.txt')]),
      /--output: cannot write .*report\.txt \(ENOENT\)/,
    );
    assertUserError(kubeward(['scan', 'manifests', CLEAN, '--output', dir]), /--output: cannot write/);
    if (process.getuid?.() !== 0) {
      const ro = join(dir, 'ro');
      mkdirSync(ro);
      chmodSync(ro, 0o500);
      assertUserError(
        kubeward(['scan', 'manifests', CLEAN, '--output', join(ro, 'r.json')]),
        /--output: cannot write .*\((EACCES|EPERM)\)/,
      );
    }
  });

  test('a user error wins over the gate: unwritable --output with findings is still 2', (t) => {
    const dir = tempDir(t);
    const r = kubeward(['scan', 'manifests', PRIVILEGED, '-o', join(dir, 'missing', 'r.json')]);
    assertUserError(r, /--output: cannot write/);
  });
});

describe('--version and --help', () => {
  test('--version prints the package version and exits 0', () => {
    for (const flag of ['--version', '-V']) {
      const r = kubeward([flag]);
      assert.equal(r.code, 0, describeRun(r));
      assert.match(r.stdout.trim(), /^\d+\.\d+\.\d+(?:-[\w.]+)?$/);
    }
  });

  test('--help exits 0 and lists the commands', () => {
    const r = kubeward(['--help']);
    assert.equal(r.code, 0, describeRun(r));
    assert.match(r.stdout, /Usage: kubeward/);
    for (const cmd of ['scan', 'checks']) assert.match(r.stdout, new RegExp(`^\\s+${cmd}\\b`, 'm'));
  });

  test('sub-command --help exits 0 and documents the flags', () => {
    const r = kubeward(['scan', 'manifests', '--help']);
    assert.equal(r.code, 0, describeRun(r));
    for (const flag of ['--format', '--output', '--fail-on', '--severity'])
      assert.ok(r.stdout.includes(flag));
  });
});
