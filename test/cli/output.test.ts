// End-to-end: where and how the built CLI writes reports (--output, stdin, --severity, colour, the JSON
// schema) and the check catalogue.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  ANSI_ESCAPE,
  EXAMPLE_DIR,
  describeRun,
  fixture,
  kubeward,
  linesContaining,
  parseReport,
  tempDir,
  type JsonReport,
} from '../support/cli.js';

const CLEAN = fixture('manifests/clean.yaml');
const PRIVILEGED = fixture('manifests/privileged.yaml');

describe('--output', () => {
  test('writes the report to the file and nothing to stdout', (t) => {
    const dir = tempDir(t);
    const r = kubeward(['scan', 'manifests', PRIVILEGED, '--format', 'json', '--output', 'report.json'], {
      cwd: dir,
    });
    assert.equal(r.code, 1, describeRun(r));
    assert.equal(r.stdout, '');
    assert.equal(r.stderr, '');
    const report = JSON.parse(readFileSync(join(dir, 'report.json'), 'utf8')) as JsonReport;
    assert.ok(report.findings.some((f) => f.checkId === 'KW-POD-001'));
  });

  test('-o with the table format writes plain text, even when colour is forced', (t) => {
    const dir = tempDir(t);
    const out = join(dir, 'report.txt');
    const r = kubeward(['scan', 'manifests', PRIVILEGED, '-o', out], { env: { FORCE_COLOR: '1' } });
    assert.equal(r.stdout, '');
    const text = readFileSync(out, 'utf8');
    assert.match(text, /KW-POD-001/);
    assert.doesNotMatch(text, ANSI_ESCAPE);
  });

  test('replaces an existing file', (t) => {
    const dir = tempDir(t);
    const out = join(dir, 'report.json');
    writeFileSync(out, 'old contents that are longer than nothing'.repeat(1000));
    kubeward(['scan', 'manifests', CLEAN, '-f', 'json', '-o', out]);
    assert.equal(parseReport({ code: 0, stdout: readFileSync(out, 'utf8'), stderr: '' }).findings.length, 0);
  });

  test('a user error before scanning leaves no file behind', (t) => {
    const dir = tempDir(t);
    const out = join(dir, 'report.json');
    const r = kubeward(['scan', 'manifests', 'missing.yaml', '-o', out], { cwd: dir });
    assert.equal(r.code, 2);
    assert.equal(existsSync(out), false);
  });
});

describe('standard input', () => {
  test('- reads manifests from stdin and reports them as <stdin>', () => {
    const text = readFileSync(PRIVILEGED, 'utf8');
    const [line] = linesContaining(PRIVILEGED, 'privileged: true');
    const r = kubeward(['scan', 'manifests', '-', '--format', 'json'], { stdin: text });
    assert.equal(r.code, 1, describeRun(r));
    const f = parseReport(r).findings.find((x) => x.checkId === 'KW-POD-001');
    assert.deepEqual(f?.location, { file: '<stdin>', line });
  });

  test('- together with files', () => {
    const r = kubeward(['scan', 'manifests', CLEAN, '-', '--format', 'json'], {
      stdin: readFileSync(PRIVILEGED, 'utf8'),
    });
    assert.equal(r.code, 1, describeRun(r));
    const files = new Set(parseReport(r).findings.map((f) => f.location.file));
    assert.ok(files.has('<stdin>'));
  });

  test('empty stdin is a clean scan', () => {
    const r = kubeward(['scan', 'manifests', '-'], { stdin: '' });
    assert.equal(r.code, 0, describeRun(r));
  });
});

describe('--severity', () => {
  test('filters the findings shown', () => {
    const all = parseReport(kubeward(['scan', 'manifests', EXAMPLE_DIR, '-f', 'json']));
    const r = kubeward([
      'scan',
      'manifests',
      EXAMPLE_DIR,
      '-f',
      'json',
      '--severity',
      'high',
      '--fail-on',
      'none',
    ]);
    assert.equal(r.code, 0, describeRun(r));
    const shown = parseReport(r).findings;
    assert.ok(shown.length > 0, 'the example has critical/high findings');
    assert.ok(shown.length < all.findings.length, 'the example has findings below high');
    for (const f of shown) assert.ok(['critical', 'high'].includes(f.severity), `${f.checkId} ${f.severity}`);
    assert.deepEqual(
      shown.map((f) => `${f.checkId}@${f.location.file}:${f.location.line}`),
      all.findings
        .filter((f) => ['critical', 'high'].includes(f.severity))
        .map((f) => `${f.checkId}@${f.location.file}:${f.location.line}`),
    );
  });

  test('the gate still sees the findings that are not shown', (t) => {
    // KW-POD-001 overridden to medium: hidden by --severity high, yet it fails a medium gate.
    const dir = tempDir(t);
    const config = join(dir, 'medium.yaml');
    writeFileSync(config, 'checks:\n  severity:\n    KW-POD-001: medium\n');
    const base = ['scan', 'manifests', PRIVILEGED, '--config', config, '--severity', 'high'];
    const r = kubeward([...base, '-f', 'json', '--fail-on', 'medium']);
    assert.equal(r.code, 1, describeRun(r));
    assert.deepEqual(parseReport(r).findings, [], 'nothing at high or above to show');
    assert.equal(kubeward([...base, '--fail-on', 'high']).code, 0);
  });
});

describe('colour', () => {
  test('piped output has no ANSI escapes', () => {
    const r = kubeward(['scan', 'manifests', PRIVILEGED]);
    assert.match(r.stdout, /CRITICAL/);
    assert.doesNotMatch(r.stdout, ANSI_ESCAPE);
  });

  test('NO_COLOR has no ANSI escapes, even with FORCE_COLOR', () => {
    for (const env of [{ NO_COLOR: '1' }, { NO_COLOR: '1', FORCE_COLOR: '1' }]) {
      const r = kubeward(['scan', 'manifests', PRIVILEGED], { env });
      assert.match(r.stdout, /CRITICAL/);
      assert.doesNotMatch(r.stdout, ANSI_ESCAPE, JSON.stringify(env));
    }
  });

  test('FORCE_COLOR=1 colours the table', () => {
    const r = kubeward(['scan', 'manifests', PRIVILEGED], { env: { FORCE_COLOR: '1' } });
    assert.match(r.stdout, ANSI_ESCAPE);
    const k = kubeward(['checks', 'list'], { env: { FORCE_COLOR: '1' } });
    assert.match(k.stdout, ANSI_ESCAPE);
  });

  test('machine formats never contain escapes', () => {
    for (const format of ['json', 'sarif', 'junit']) {
      const r = kubeward(['scan', 'manifests', PRIVILEGED, '-f', format], { env: { FORCE_COLOR: '1' } });
      assert.doesNotMatch(r.stdout, ANSI_ESCAPE, format);
    }
  });
});

describe('JSON report schema', () => {
  test('has exactly the documented top-level and finding keys', () => {
    const r = kubeward(['scan', 'manifests', PRIVILEGED, '-f', 'json']);
    const report = parseReport(r);
    assert.deepEqual(Object.keys(report).sort(), [
      'findings',
      'schemaVersion',
      'summary',
      'target',
      'tool',
      'warnings',
    ]);
    assert.equal(report.schemaVersion, '1.0');
    assert.equal(report.tool.name, 'kubeward');
    assert.equal(report.target, 'manifests');
    assert.deepEqual(Object.keys(report.summary).sort(), ['bySeverity', 'suppressed', 'total']);
    assert.deepEqual(Object.keys(report.summary.bySeverity), ['critical', 'high', 'medium', 'low', 'info']);

    const f = report.findings.find((x) => x.checkId === 'KW-POD-001');
    assert.ok(f, describeRun(r));
    assert.deepEqual(Object.keys(f), [
      'checkId',
      'title',
      'severity',
      'message',
      'resource',
      'location',
      'frameworks',
      'remediation',
      'suppressed',
    ]);
    assert.deepEqual(f.resource, {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      namespace: 'payments',
      name: 'ledger',
    });
    assert.deepEqual(Object.keys(f.location), ['file', 'line']);
    assert.deepEqual(f.location, {
      file: PRIVILEGED,
      line: linesContaining(PRIVILEGED, 'privileged: true')[0],
    });
    assert.equal(f.severity, 'critical');
    assert.equal(f.suppressed, false);
    assert.ok(f.frameworks.length > 0);
    for (const m of f.frameworks) {
      assert.ok(['cis-k8s', 'nsa-cisa', 'pss', 'mitre-attack'].includes(m.framework), m.framework);
      assert.equal(typeof m.id, 'string');
    }
    assert.ok(f.frameworks.some((m) => m.framework === 'cis-k8s' && m.id === '5.2.2'));
    assert.ok(f.remediation.length > 0);
  });

  test('paths are relative to the working directory', () => {
    const r = kubeward(['scan', 'manifests', '.', '-f', 'json'], { cwd: fixture('manifests') });
    const files = new Set(parseReport(r).findings.map((f) => f.location.file));
    assert.ok(files.has('privileged.yaml'), [...files].join(', '));
  });
});

describe('checks list', () => {
  test('--format json parses and has the full catalogue (>= 60 checks)', () => {
    const r = kubeward(['checks', 'list', '--format', 'json']);
    assert.equal(r.code, 0, describeRun(r));
    const doc = JSON.parse(r.stdout) as { schemaVersion: string; checks: { id: string; severity: string }[] };
    assert.equal(doc.schemaVersion, '1.0');
    const ids = doc.checks.map((c) => c.id);
    assert.equal(new Set(ids).size, ids.length, 'check ids are unique');
    assert.ok(ids.includes('KW-POD-001'));
    assert.ok(
      doc.checks.length >= 60,
      `expected at least 60 checks in the catalogue, found ${doc.checks.length}`,
    );
  });

  test('the default table exits 0', () => {
    const r = kubeward(['checks', 'list']);
    assert.equal(r.code, 0, describeRun(r));
    assert.match(r.stdout, /KW-POD-001/);
  });
});
