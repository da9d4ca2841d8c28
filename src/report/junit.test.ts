/* eslint-disable no-control-regex -- these tests assert on control characters */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { create } from 'xmlbuilder2';
import { renderJunit, xmlAttr, xmlText } from './junit.js';
import { CHECKS, finding, NASTY, sampleFindings, sampleReport } from './testdata/fixtures.js';

/** Minimal DOM view of the parts of @oozcitak/dom the tests read. */
interface El {
  nodeType: number;
  nodeName: string;
  textContent: string | null;
  childNodes: ArrayLike<El>;
  getAttribute(name: string): string | null;
}

/**
 * Parses the XML and proves it well-formed: xmlbuilder2's parser is lenient, so the parsed document is
 * serialised again with `wellFormed: true` (which throws on characters or names XML cannot hold) and must
 * reproduce the input exactly (which fails on mis-nesting, unescaped markup or lost text).
 */
function parse(xml: string): El {
  assert.ok(xml.startsWith('<?xml version="1.0" encoding="UTF-8"?>\n'));
  const doc = create(xml);
  assert.equal(doc.end({ prettyPrint: true, wellFormed: true }) + '\n', xml, 'XML round-trips exactly');
  // Characters XML 1.0 forbids, even escaped.
  assert.doesNotMatch(xml, /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/);
  assert.doesNotMatch(xml, /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/);
  return doc.root().node as unknown as El;
}

function children(el: El, name?: string): El[] {
  return Array.from(el.childNodes).filter((n) => n.nodeType === 1 && (!name || n.nodeName === name));
}

function attr(el: El | undefined, name: string): string {
  assert.ok(el, `element for @${name}`);
  const v = el.getAttribute(name);
  assert.notEqual(v, null, `@${name} on <${el.nodeName}>`);
  return v ?? '';
}

function num(el: El | undefined, name: string): number {
  return Number(attr(el, name));
}

/** Every testsuite's and the testsuites' counters match the testcases they hold. */
function assertCounts(root: El): { tests: number; failures: number; skipped: number } {
  let tests = 0;
  let failures = 0;
  let skipped = 0;
  for (const suite of children(root, 'testsuite')) {
    const cases = children(suite, 'testcase');
    const f = cases.filter((c) => children(c, 'failure').length).length;
    const s = cases.filter((c) => children(c, 'skipped').length).length;
    const name = attr(suite, 'name');
    assert.equal(num(suite, 'tests'), cases.length, `${name} tests`);
    assert.equal(num(suite, 'failures'), f, `${name} failures`);
    assert.equal(num(suite, 'skipped'), s, `${name} skipped`);
    assert.equal(num(suite, 'errors'), 0);
    tests += cases.length;
    failures += f;
    skipped += s;
  }
  assert.equal(num(root, 'tests'), tests);
  assert.equal(num(root, 'failures'), failures);
  assert.equal(num(root, 'skipped'), skipped);
  assert.equal(num(root, 'errors'), 0);
  return { tests, failures, skipped };
}

test('layout: a checks suite, then one suite per source file with one testcase per finding', () => {
  const root = parse(renderJunit(sampleReport()));
  assert.equal(root.nodeName, 'testsuites');
  assert.equal(attr(root, 'name'), 'kubeward manifests');
  const suites = children(root, 'testsuite');
  assert.deepEqual(
    suites.map((s) => attr(s, 'name')),
    [
      'kubeward manifests',
      'deploy/app.yaml',
      'charts/my app/templates/dep#1.yaml',
      '/abs/path/secret [x].yaml',
    ],
  );
  // Checks that ran and found nothing are passing testcases.
  const clean = children(suites[0] as El, 'testcase');
  assert.deepEqual(
    clean.map((c) => attr(c, 'name')),
    ['KW-NET-001: Namespace without a NetworkPolicy'],
  );
  assert.equal(children(clean[0] as El).length, 0, 'a passing testcase has no children');

  const app = children(suites[1] as El, 'testcase');
  assert.deepEqual(
    app.map((c) => [attr(c, 'classname'), attr(c, 'name'), attr(c, 'file')]),
    [
      [
        'Deployment/prod/web',
        '[CRITICAL] KW-POD-001 Deployment/prod/web: Privileged container',
        'deploy/app.yaml',
      ],
      [
        'Deployment/prod/web',
        '[HIGH] KW-POD-002 Deployment/prod/web: Container may run as root',
        'deploy/app.yaml',
      ],
      [
        'Deployment/prod/web',
        '[HIGH] KW-POD-002 Deployment/prod/web: Container may run as root #2',
        'deploy/app.yaml',
      ],
      [
        'Pod/default/job',
        '[MEDIUM] KW-IMG-001 Pod/default/job: Image uses the latest tag',
        'deploy/app.yaml',
      ],
    ],
  );
});

test('counts are correct at every level', () => {
  const root = parse(renderJunit(sampleReport()));
  const findings = sampleFindings();
  const totals = assertCounts(root);
  assert.deepEqual(totals, {
    tests: findings.length + 1,
    failures: findings.filter((f) => !f.suppressed).length,
    skipped: findings.filter((f) => f.suppressed).length,
  });
  assert.deepEqual(totals, { tests: 7, failures: 4, skipped: 2 });
});

test('failures carry the severity as type, the message, and details; suppressed findings are skipped', () => {
  const root = parse(renderJunit(sampleReport()));
  const suites = children(root, 'testsuite');
  const first = children(suites[1] as El, 'testcase')[0] as El;
  const failure = children(first, 'failure')[0];
  assert.equal(attr(failure, 'type'), 'critical');
  assert.equal(attr(failure, 'message'), 'container "app" is privileged');
  const details = failure?.textContent ?? '';
  assert.match(details, /^Check: KW-POD-001 Privileged container$/m);
  assert.match(details, /^Severity: critical$/m);
  assert.match(details, /^Resource: apps\/v1 Deployment\/prod\/web$/m);
  assert.match(details, /^Location: deploy\/app.yaml:12$/m);
  assert.match(details, /^Remediation: Set securityContext.privileged to false.$/m);
  assert.match(
    details,
    /^Mappings: CIS Kubernetes Benchmark v1.9 5.2.2 .*; MITRE ATT&CK for Containers T1611/m,
  );
  assert.deepEqual(
    children(suites[1] as El, 'testcase').map((c) => attr(children(c, 'failure')[0], 'type')),
    ['critical', 'high', 'high', 'medium'],
  );

  const config = children(children(suites[2] as El, 'testcase')[0] as El, 'skipped')[0];
  assert.equal(
    attr(config, 'message'),
    'suppressed by config (until 2099-12-31): batch job, limits set by LimitRange',
  );
  const annotation = children(children(suites[3] as El, 'testcase')[0] as El, 'skipped')[0];
  assert.equal(attr(annotation, 'message'), 'suppressed by annotation: dev only');
});

test('tool version, target and warnings are reported on the checks suite', () => {
  const root = parse(renderJunit(sampleReport()));
  const suite = children(root, 'testsuite')[0] as El;
  const props = children(children(suite, 'properties')[0] as El, 'property');
  assert.deepEqual(
    props.map((p) => [attr(p, 'name'), attr(p, 'value')]),
    [
      ['kubeward.version', '0.1.0'],
      ['kubeward.target', 'manifests'],
    ],
  );
  assert.equal(
    children(suite, 'system-err')[0]?.textContent,
    'warning: deploy/broken.yaml:3: skipped: document without a kind\n' +
      'warning: suppression for KW-POD-009 expired on 2020-01-01 and no longer applies (old)',
  );
});

test('everything is escaped: markup, quotes, ampersands, control characters, lone surrogates', () => {
  const f = finding('KW-POD-001', {
    message: NASTY,
    name: NASTY,
    namespace: '<ns>',
    file: `dir/${NASTY}.yaml`,
    remediation: `fix ${NASTY}`,
  });
  const s = finding('KW-POD-002', {
    file: 'a&b.yaml',
    suppressed: true,
    suppression: { source: 'config', reason: NASTY },
  });
  const report = sampleReport([f, s]);
  report.target = `t"<&>`;
  report.tool.version = `1.0.0 "beta" <x> & y`;
  report.warnings = [{ file: NASTY, line: 2, message: NASTY }];
  const xml = renderJunit(report);
  const root = parse(xml);
  assertCounts(root);
  assert.ok(!xml.includes('\u001b'), 'no raw ESC');
  assert.equal(attr(root, 'name'), 'kubeward t"<&>');

  const suites = children(root, 'testsuite');
  assert.equal(attr(suites[1], 'name'), xmlAttr(`dir/${NASTY}.yaml`));
  const tc = children(suites[1] as El, 'testcase')[0] as El;
  assert.equal(attr(tc, 'classname'), xmlAttr(`Deployment/<ns>/${NASTY}`));
  const failure = children(tc, 'failure')[0];
  assert.equal(attr(failure, 'message'), xmlAttr(NASTY));
  assert.match(
    attr(failure, 'message'),
    /a & b < c > d "e" 'f' \]\]> \\u0007bell \\u001b\[31mred\\u001b\[0m next line/,
  );
  assert.ok((failure?.textContent ?? '').includes(`Message: ${xmlText(NASTY)}`));
  assert.ok((failure?.textContent ?? '').includes('\nnext\tline'), 'newlines and tabs survive in text');
  assert.equal(attr(suites[2], 'name'), 'a&b.yaml');
  const skipped = children(children(suites[2] as El, 'testcase')[0] as El, 'skipped')[0];
  assert.equal(attr(skipped, 'message'), `suppressed by config: ${xmlAttr(NASTY)}`);
  const props = children(children(suites[0] as El, 'properties')[0] as El, 'property');
  assert.equal(attr(props[0], 'value'), '1.0.0 "beta" <x> & y');
});

test('xmlText and xmlAttr replace only what XML cannot carry', () => {
  assert.equal(
    xmlText('a\u0000b\u0008c\tok\nok\rok\u000Bv\uFFFE'),
    'a\\u0000b\\u0008c\tok\nok\rok\\u000bv\\ufffe',
  );
  assert.equal(xmlText('emoji \uD83D\uDE00 kept'), 'emoji \uD83D\uDE00 kept');
  assert.equal(xmlText('lone \uD83D end'), 'lone \\ud83d end');
  assert.equal(xmlAttr('one\ntwo\r\nthree\tfour'), 'one two three four');
  assert.equal(xmlAttr('<&>"'), '<&>"', 'escaping itself is left to xmlbuilder2');
});

test('a clean scan still reports one passing test per check', () => {
  const report = sampleReport([]);
  report.warnings = [];
  const root = parse(renderJunit(report));
  assert.deepEqual(assertCounts(root), { tests: CHECKS.length, failures: 0, skipped: 0 });
  const suites = children(root, 'testsuite');
  assert.equal(suites.length, 1);
  assert.equal(children(suites[0] as El, 'system-err').length, 0);
});

test('duplicate checks in report.rules are listed once', () => {
  const report = sampleReport([]);
  report.rules = [...CHECKS, ...CHECKS];
  const root = parse(renderJunit(report));
  assert.equal(assertCounts(root).tests, CHECKS.length);
});
