/* eslint-disable no-control-regex -- these tests assert on control characters */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { stripVTControlCharacters } from 'node:util';
import { create } from 'xmlbuilder2';
import type { CheckMeta } from '../core/finding.js';
import { checkCatalogue } from '../posture/checks/index.js';
import {
  CATALOGUE_FORMATS,
  CATALOGUE_SCHEMA_VERSION,
  renderCatalogue,
  shortMappings,
  type CatalogueFormat,
} from './catalogue.js';
import type { SarifLog } from './sarif.js';
import { CHECKS, errorsOf, NASTY, sarifValidator2_1_0 } from './testdata/fixtures.js';

const plain = { color: false };

/** The parts of @oozcitak/dom's Element the tests read (the project compiles without the DOM lib). */
interface El {
  nodeType: number;
  nodeName: string;
  childNodes: ArrayLike<El>;
  getAttribute(name: string): string | null;
}

function elements(el: El | undefined): El[] {
  return Array.from(el?.childNodes ?? []).filter((n) => n.nodeType === 1);
}

test('CATALOGUE_FORMATS lists every format and each one renders', () => {
  assert.deepEqual([...CATALOGUE_FORMATS], ['table', 'json', 'sarif', 'junit', 'markdown']);
  for (const format of CATALOGUE_FORMATS) {
    const out = renderCatalogue(CHECKS, format, plain);
    assert.ok(out.length > 0 && out.endsWith('\n'), format);
  }
});

test('mappings read like the control tables they come from', () => {
  assert.equal(shortMappings(CHECKS[0]?.frameworks ?? []), 'CIS 5.2.2, PSS baseline/privileged, MITRE T1611');
  assert.equal(shortMappings(CHECKS[2]?.frameworks ?? []), 'NSA pod-security/images');
  assert.equal(shortMappings([{ framework: 'cis-docker', id: '4.1' }]), 'CIS-Docker 4.1');
  assert.equal(shortMappings([]), '');
});

test('table: aligned ID, SEVERITY, TITLE, MAPPINGS columns and a count', () => {
  const out = renderCatalogue(CHECKS, 'table', plain);
  assert.doesNotMatch(out, /\u001b/);
  const lines = out.trimEnd().split('\n');
  const header = lines[0] ?? '';
  assert.match(header, /^ID\s+SEVERITY\s+TITLE\s+MAPPINGS$/);
  const cols = ['SEVERITY', 'TITLE', 'MAPPINGS'].map((h) => header.indexOf(h));
  const rows = lines.slice(1, 1 + CHECKS.length);
  rows.forEach((row, i) => {
    const c = CHECKS[i] as CheckMeta;
    assert.ok(row.startsWith(`${c.id} `), row);
    assert.equal(row.slice(cols[0]).split('  ')[0], c.severity.toUpperCase(), row);
    assert.equal(row.slice(cols[1]).split('  ')[0], c.title, row);
    assert.equal(row.slice(cols[2]), shortMappings(c.frameworks), row);
  });
  assert.equal(lines.at(-1), '6 checks (critical: 1, high: 1, medium: 2, low: 1, info: 1)');
});

test('table: severities are coloured only with color, and columns stay aligned when coloured', () => {
  const coloured = renderCatalogue(CHECKS, 'table', { color: true });
  assert.match(coloured, /\u001b\[31m/, 'red for high');
  assert.match(coloured, /\u001b\[1m/, 'bold header / critical');
  assert.equal(stripVTControlCharacters(coloured), renderCatalogue(CHECKS, 'table', plain));
});

test('table: untrusted text cannot inject terminal escapes or break rows', () => {
  const evil: CheckMeta = { ...(CHECKS[0] as CheckMeta), title: NASTY };
  const out = renderCatalogue([evil], 'table', plain);
  assert.doesNotMatch(out, /\u001b|\u0007/);
  assert.equal(out.trimEnd().split('\n').length, 4, 'header, one row, blank, count');
});

test('json: a versioned envelope around the checks, every CheckMeta field kept', () => {
  const doc = JSON.parse(renderCatalogue(CHECKS, 'json', plain)) as {
    schemaVersion: string;
    checks: CheckMeta[];
  };
  assert.deepEqual(Object.keys(doc), ['schemaVersion', 'checks']);
  assert.equal(doc.schemaVersion, CATALOGUE_SCHEMA_VERSION);
  assert.deepEqual(doc.checks, CHECKS);
  assert.deepEqual(Object.keys(doc.checks[0] ?? {}), [
    'id',
    'title',
    'severity',
    'category',
    'description',
    'remediation',
    'frameworks',
  ]);
});

test('sarif: a schema-valid log with the rules and no results', () => {
  const log = JSON.parse(
    renderCatalogue(CHECKS, 'sarif', { color: false, toolVersion: '1.2.3' }),
  ) as SarifLog;
  const validate = sarifValidator2_1_0();
  assert.ok(validate(log), errorsOf(validate));
  const run = log.runs[0];
  assert.equal(run.results, undefined, 'results omitted: the log only exports rule metadata');
  assert.equal(run.tool.driver.version, '1.2.3');
  assert.deepEqual(
    run.tool.driver.rules.map((r) => r.id),
    CHECKS.map((c) => c.id),
  );
  const noVersion = JSON.parse(renderCatalogue(CHECKS, 'sarif', plain)) as SarifLog;
  assert.equal(noVersion.runs[0].tool.driver.version, undefined);
  assert.ok(validate(noVersion), errorsOf(validate));
});

test('junit: one suite with a passing testcase per check', () => {
  const xml = renderCatalogue(CHECKS, 'junit', plain);
  const doc = create(xml);
  assert.equal(doc.end({ prettyPrint: true, wellFormed: true }) + '\n', xml);
  const root = doc.root().node as unknown as El;
  assert.equal(root.nodeName, 'testsuites');
  assert.equal(root.getAttribute('tests'), String(CHECKS.length));
  assert.equal(root.getAttribute('failures'), '0');
  const suites = elements(root);
  assert.equal(suites.length, 1);
  const cases = elements(suites[0]);
  assert.deepEqual(
    cases.map((c) => [c.nodeName, c.getAttribute('name'), c.getAttribute('classname'), c.childNodes.length]),
    CHECKS.map((c) => ['testcase', `${c.id}: ${c.title}`, 'kubeward.manifest', 0]),
  );
});

test('markdown: a summary table linking to one section per check', () => {
  const md = renderCatalogue(CHECKS, 'markdown', plain);
  const lines = md.split('\n');
  assert.equal(lines[0], '# kubeward checks');
  const head = lines.indexOf('| ID | Severity | Title | Mappings |');
  assert.ok(head > 0);
  assert.equal(lines[head + 1], '| --- | --- | --- | --- |');
  assert.equal(
    lines[head + 2],
    '| [KW-POD-001](#kw-pod-001) | critical | Privileged container | CIS 5.2.2, PSS baseline/privileged, MITRE T1611 |',
  );
  for (const c of CHECKS) {
    assert.ok(lines.includes(`## ${c.id}`), `section for ${c.id}`);
    assert.ok(md.includes(`](#${c.id.toLowerCase()})`), `link to ${c.id}`);
  }
  assert.match(
    md,
    /^- CIS Kubernetes Benchmark v1\.9 5\.2\.2 \(Minimize the admission of privileged containers\)$/m,
  );
  assert.match(md, /^\*\*Remediation:\*\* Set securityContext\.privileged to false\.$/m);
  // Markdown meta-characters in check text are escaped, so cells never split and nothing turns into HTML.
  assert.match(md, /\(A & B \\<C\\>\)/);
  const evil = renderCatalogue(
    [{ ...(CHECKS[0] as CheckMeta), title: 'a | b <script> *c* `d`\ne' }],
    'markdown',
    plain,
  );
  const row = evil.split('\n').find((l) => l.startsWith('| [KW-POD-001]')) ?? '';
  assert.equal(row.split(/(?<!\\)\|/).length, 6, 'still four cells');
  assert.ok(row.includes('a \\| b \\<script\\> \\*c\\* \\`d\\` e'));
});

test('the real check catalogue renders in every format; its SARIF is schema-valid', () => {
  const checks = checkCatalogue();
  assert.ok(checks.length > 0);
  const validate = sarifValidator2_1_0();
  for (const format of CATALOGUE_FORMATS as readonly CatalogueFormat[]) {
    const out = renderCatalogue(checks, format, plain);
    if (format === 'sarif') assert.ok(validate(JSON.parse(out)), errorsOf(validate));
    if (format === 'table') assert.equal(out.trimEnd().split('\n').length, checks.length + 3);
    if (format === 'json')
      assert.equal((JSON.parse(out) as { checks: unknown[] }).checks.length, checks.length);
  }
});
