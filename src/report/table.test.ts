/* eslint-disable no-control-regex -- these tests assert on control characters */
import { test, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { stripVTControlCharacters } from 'node:util';
import { renderTable, sanitizeTerminal } from './table.js';
import { useColor } from '../cli/output.js';
import { finding, NASTY, sampleReport } from './testdata/fixtures.js';

const ESC = '\u001b';

test('color: false prints no ANSI escape at all; color: true does', () => {
  const report = sampleReport();
  const plain = renderTable(report, { color: false });
  assert.ok(!plain.includes(ESC), 'no escape codes without colour');
  const coloured = renderTable(report, { color: true });
  assert.ok(coloured.includes(`${ESC}[`), 'escape codes with colour');
  assert.equal(stripVTControlCharacters(coloured), plain, 'colour changes nothing but the escapes');
});

test('findings are grouped by file and resource, most severe first', () => {
  const out = renderTable(sampleReport(), { color: false });
  const lines = out.split('\n');
  assert.equal(lines[0], 'kubeward manifests scan');
  const headers = lines.filter((l) => /^\S/.test(l) && l.includes('  ('));
  assert.deepEqual(headers, [
    'Deployment/prod/web  (deploy/app.yaml)',
    'Pod/default/job  (deploy/app.yaml)',
    'CronJob/prod/nightly  (charts/my app/templates/dep#1.yaml)',
    'Secret/creds  (/abs/path/secret [x].yaml)',
  ]);
  const web = lines.indexOf('Deployment/prod/web  (deploy/app.yaml)');
  assert.deepEqual(lines.slice(web + 1, web + 5), [
    '  CRITICAL KW-POD-001   line 12    container "app" is privileged',
    '  HIGH     KW-POD-002   line 20    container "app" may run as root',
    '  HIGH     KW-POD-002   line 30    container "sidecar" may run as root',
    '',
  ]);
});

test('within a resource, order is by severity then line regardless of input order', () => {
  const report = sampleReport([
    finding('KW-IMG-001', { line: 5 }),
    finding('KW-POD-002', { line: 30 }),
    finding('KW-POD-001', { line: 40 }),
    finding('KW-POD-002', { line: 10 }),
  ]);
  const rows = renderTable(report, { color: false })
    .split('\n')
    .filter((l) => l.startsWith('  '));
  assert.deepEqual(
    rows.map((r) => r.trim().split(/\s+/).slice(0, 4).join(' ')),
    [
      'CRITICAL KW-POD-001 line 40',
      'HIGH KW-POD-002 line 10',
      'HIGH KW-POD-002 line 30',
      'MEDIUM KW-IMG-001 line 5',
    ],
  );
});

test('suppressed findings are dimmed and show who suppressed them, until when and why', () => {
  const plain = renderTable(sampleReport(), { color: false });
  assert.ok(
    plain.includes(
      '  LOW      KW-WKL-003   line 7     container "app" fails KW-WKL-003 ' +
        '[suppressed by config until 2099-12-31: batch job, limits set by LimitRange]',
    ),
  );
  assert.ok(plain.includes('[suppressed by annotation: dev only]'));
  const coloured = renderTable(sampleReport(), { color: true }).split('\n');
  const dimmed = coloured.filter((l) => l.includes('[suppressed by'));
  assert.equal(dimmed.length, 2);
  for (const l of dimmed) {
    assert.ok(l.startsWith(`${ESC}[2m`), 'dim from the start of the line');
    assert.ok(!l.includes(`${ESC}[36m`) && !l.includes(`${ESC}[31m`), 'severity colour not mixed in');
  }
  const active = coloured.find((l) => l.includes('KW-POD-001'));
  assert.ok(active?.includes(`${ESC}[1m${ESC}[31mCRITICAL`), 'critical is bold red');
});

test('warnings and the summary line close the report', () => {
  const lines = renderTable(sampleReport(), { color: false }).trimEnd().split('\n');
  assert.deepEqual(lines.slice(-4), [
    'warning: deploy/broken.yaml:3: skipped: document without a kind',
    'warning: suppression for KW-POD-009 expired on 2020-01-01 and no longer applies (old)',
    '',
    'Summary: 4 findings (critical: 1, high: 2, medium: 1, low: 0, info: 0); 2 suppressed',
  ]);
});

test('an empty report says so, with singular/plural right', () => {
  const empty = sampleReport([]);
  empty.warnings = [];
  assert.equal(
    renderTable(empty, { color: false }),
    'kubeward manifests scan\n\nNo findings.\n\n' +
      'Summary: 0 findings (critical: 0, high: 0, medium: 0, low: 0, info: 0); 0 suppressed\n',
  );
  const one = sampleReport([finding('KW-IMG-001')]);
  one.warnings = [];
  assert.match(renderTable(one, { color: false }), /Summary: 1 finding \(/);
});

test('text from manifests cannot inject terminal control sequences or extra lines', () => {
  const report = sampleReport([
    finding('KW-POD-001', {
      message: NASTY,
      name: `x${ESC}]0;pwned\u0007`,
      file: `f${ESC}[2J.yaml`,
      suppressed: true,
      suppression: { source: 'config', reason: `r${ESC}[31m` },
    }),
  ]);
  report.warnings = [{ file: `w${ESC}c`, message: `m\r\nfake: line` }];
  for (const color of [false, true]) {
    const out = renderTable(report, { color });
    // With colour, the only escapes left are picocolors' own SGR sequences.
    const foreign = stripVTControlCharacters(out.replace(/\u001b\[\d+m/g, ''));
    assert.doesNotMatch(
      out.replace(/\u001b\[\d+m/g, ''),
      /[\u0000-\u0008\u000B-\u001F\u007F]/,
      `color=${color}`,
    );
    assert.ok(foreign.includes('\\u001b'), 'escapes shown visibly');
  }
  const lines = renderTable(report, { color: false }).split('\n');
  assert.ok(lines.includes('warning: w\\u001bc: m fake: line'));
  assert.equal(sanitizeTerminal('a\u202Eb'), 'a\\u202eb', 'bidi override shown');
  assert.equal(sanitizeTerminal('tab\there'), 'tab\\u0009here');
  assert.equal(sanitizeTerminal('ünïcode ✓'), 'ünïcode ✓');
});

// useColor (src/cli/output.ts) decides `color`; the renderer only obeys it.
const saved = { NO_COLOR: process.env.NO_COLOR, FORCE_COLOR: process.env.FORCE_COLOR };
afterEach(() => {
  for (const [k, v] of Object.entries(saved)) {
    if (v === undefined) delete process.env[k];
    else process.env[k] = v;
  }
});

test('useColor: NO_COLOR wins over FORCE_COLOR, files never get colour, FORCE_COLOR forces it', () => {
  process.env.NO_COLOR = '1';
  process.env.FORCE_COLOR = '1';
  assert.equal(useColor(false), false);
  delete process.env.NO_COLOR;
  assert.equal(useColor(false), true);
  assert.equal(useColor(true), false, 'writing --output to a file');
  process.env.NO_COLOR = '';
  assert.equal(useColor(false), true, 'an empty NO_COLOR is ignored, as no-color.org says');
  delete process.env.FORCE_COLOR;
  process.env.NO_COLOR = 'yes';
  assert.equal(useColor(false), false);
});
