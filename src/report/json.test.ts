import { test } from 'node:test';
import assert from 'node:assert/strict';
import { renderJson } from './json.js';
import { REPORT_SCHEMA_VERSION } from './report.js';
import {
  errorsOf,
  finding,
  NASTY,
  reportValidator1,
  sampleFindings,
  sampleReport,
} from './testdata/fixtures.js';

type Doc = Record<string, unknown> & { findings: Array<Record<string, unknown>> };

function render(report = sampleReport()): Doc {
  return JSON.parse(renderJson(report)) as Doc;
}

test('renderJson output is valid against src/report/report-schema.json', () => {
  const validate = reportValidator1();
  assert.ok(validate(render()), errorsOf(validate));
  const empty = sampleReport([]);
  empty.warnings = [];
  assert.ok(validate(render(empty)), errorsOf(validate));
  const nasty = sampleReport([finding('KW-POD-001', { message: NASTY, name: NASTY, file: NASTY })]);
  assert.ok(validate(render(nasty)), errorsOf(validate));
});

test('the schema is strict enough to catch a renamed or missing field', () => {
  const validate = reportValidator1();
  const doc = render();
  const renamed = structuredClone(doc);
  const f = renamed.findings[0] as Record<string, unknown>;
  f.check_id = f.checkId;
  delete f.checkId;
  assert.equal(validate(renamed), false);
  const badSeverity = structuredClone(doc);
  (badSeverity.findings[0] as Record<string, unknown>).severity = 'urgent';
  assert.equal(validate(badSeverity), false);
  const noSummary = structuredClone(doc);
  delete noSummary.summary;
  assert.equal(validate(noSummary), false);
});

test('field names and order are the documented, stable ones', () => {
  const doc = render();
  assert.deepEqual(Object.keys(doc), ['schemaVersion', 'tool', 'target', 'findings', 'warnings', 'summary']);
  assert.equal(doc.schemaVersion, REPORT_SCHEMA_VERSION);
  assert.deepEqual(doc.tool, { name: 'kubeward', version: '0.1.0' });
  assert.deepEqual(Object.keys(doc.findings[0] ?? {}), [
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
  assert.deepEqual(Object.keys(doc.findings[4] ?? {}).at(-1), 'suppression');
  assert.deepEqual(doc.findings[4]?.suppression, {
    source: 'config',
    reason: 'batch job, limits set by LimitRange',
    expires: '2099-12-31',
  });
  assert.deepEqual(doc.findings[5]?.suppression, { source: 'annotation', reason: 'dev only' });
  assert.deepEqual(doc.findings[5]?.resource, { apiVersion: 'apps/v1', kind: 'Secret', name: 'creds' });
  assert.deepEqual(doc.summary, {
    total: 4,
    suppressed: 2,
    bySeverity: { critical: 1, high: 2, medium: 1, low: 0, info: 0 },
  });
  assert.deepEqual(doc.warnings, [
    { file: 'deploy/broken.yaml', line: 3, message: 'skipped: document without a kind' },
    { message: 'suppression for KW-POD-009 expired on 2020-01-01 and no longer applies (old)' },
  ]);
});

test('findings round-trip unchanged (same values as the Finding model)', () => {
  const doc = render();
  assert.deepEqual(doc.findings, JSON.parse(JSON.stringify(sampleFindings())));
});

test('properties a scanner hangs on the model do not leak into the stable output', () => {
  const f = finding('KW-POD-001');
  const leaky = {
    ...f,
    internal: 'x',
    resource: { ...f.resource, uid: '123' },
    location: { ...f.location, column: 4 },
    frameworks: [{ framework: 'pss' as const, id: 'baseline/privileged', extra: true }],
  };
  const report = sampleReport([leaky]);
  (report.tool as Record<string, unknown>).build = 'abc';
  const doc = render(report);
  const validate = reportValidator1();
  assert.ok(validate(doc), errorsOf(validate));
  const out = doc.findings[0] ?? {};
  assert.equal(out.internal, undefined);
  assert.deepEqual(out.resource, f.resource);
  assert.deepEqual(out.location, f.location);
  assert.deepEqual(out.frameworks, [{ framework: 'pss', id: 'baseline/privileged' }]);
});

test('output is pretty-printed and ends with a newline', () => {
  const text = renderJson(sampleReport());
  assert.ok(text.startsWith('{\n  "schemaVersion": "1.0",\n'));
  assert.ok(text.endsWith('}\n'));
});

test('vulnerability findings carry their advisory and package details, valid against the schema', () => {
  const base = sampleReport();
  const first = base.findings[0]!;
  const vuln = {
    ...first,
    checkId: 'DEBIAN-CVE-2023-5678',
    suppressed: true,
    suppression: { source: 'vex' as const, reason: 'VEX not_affected' },
    vulnerability: {
      id: 'DEBIAN-CVE-2023-5678',
      aliases: ['CVE-2023-5678'],
      package: {
        name: 'libssl3',
        version: '3.0.11-1~deb12u2',
        type: 'deb',
        ecosystem: 'Debian:12',
        purl: 'pkg:deb/debian/libssl3@3.0.11-1~deb12u2',
        source: { name: 'openssl', version: '3.0.11-1~deb12u2' },
      },
      fixedVersion: '3.0.13-1~deb12u1',
      fixAvailable: true,
      cvss: { version: '3.1', vector: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:H', score: 7.5 },
      kev: { dateAdded: '2024-01-10' },
      epss: { score: 0.1, percentile: 0.9 },
    },
  };
  const doc = render({ ...base, findings: [vuln] });
  const validate = reportValidator1();
  assert.ok(validate(doc), errorsOf(validate));
  const f = (
    doc as unknown as { findings: Array<{ vulnerability: { package: { source: unknown }; kev: unknown } }> }
  ).findings[0]!;
  assert.deepEqual(f.vulnerability.package.source, { name: 'openssl', version: '3.0.11-1~deb12u2' });
  assert.deepEqual(f.vulnerability.kev, { dateAdded: '2024-01-10' });
});
