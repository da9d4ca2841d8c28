import { create } from 'xmlbuilder2';
import type { XMLBuilder } from 'xmlbuilder2/lib/interfaces.js';
import type { CheckMeta, Finding } from '../core/finding.js';
import { resourceKey } from '../core/finding.js';
import type { Report } from './report.js';
import { describeMapping } from './sarif.js';

/**
 * JUnit XML in the layout Trivy and Checkov use, which GitLab, Jenkins, Azure DevOps and CircleCI render
 * well (documented in docs/output-formats.md):
 *
 * - `<testsuites name="kubeward <target>">` holds everything, with totals;
 * - the first `<testsuite name="kubeward <target>">` has one passing `<testcase>` per check that ran and
 *   found nothing (so a clean scan still reports tests), the tool version as a property and scan warnings
 *   in `<system-err>`;
 * - then one `<testsuite>` per source file, in report order, with one `<testcase>` per finding (check +
 *   resource): `<failure>` for an unsuppressed finding, `<skipped>` for a suppressed one.
 *
 * Every string is XML-escaped by xmlbuilder2; characters XML 1.0 cannot carry at all (C0 controls other
 * than tab/newline/CR, lone surrogates, U+FFFE/U+FFFF) are replaced by a visible `\uXXXX`.
 */
export function renderJunit(report: Report): string {
  const suiteName = `kubeward ${report.target}`;
  const byFile = new Map<string, Finding[]>();
  for (const f of report.findings) {
    const list = byFile.get(f.location.file) ?? [];
    list.push(f);
    byFile.set(f.location.file, list);
  }
  const checksWithFindings = new Set(report.findings.map((f) => f.checkId));
  const clean = dedupe(report.rules).filter((c) => !checksWithFindings.has(c.id));

  const failures = report.findings.filter((f) => !f.suppressed).length;
  const skipped = report.findings.length - failures;
  const doc = create({ version: '1.0', encoding: 'UTF-8' });
  const root = doc.ele('testsuites', {
    name: xmlAttr(suiteName),
    tests: String(report.findings.length + clean.length),
    failures: String(failures),
    errors: '0',
    skipped: String(skipped),
    time: '0',
  });

  const checks = root.ele('testsuite', suiteAttrs(suiteName, clean.length, 0, 0));
  checks
    .ele('properties')
    .ele('property', { name: 'kubeward.version', value: xmlAttr(report.tool.version) })
    .up()
    .ele('property', { name: 'kubeward.target', value: xmlAttr(report.target) });
  for (const c of clean) {
    checks.ele('testcase', {
      classname: xmlAttr(`kubeward.${report.target}`),
      name: xmlAttr(`${c.id}: ${c.title}`),
      time: '0',
    });
  }
  if (report.warnings.length) {
    const text = report.warnings
      .map((w) => `warning: ${w.file ? `${w.file}${w.line ? `:${w.line}` : ''}: ` : ''}${w.message}`)
      .join('\n');
    checks.ele('system-err').txt(xmlText(text));
  }

  for (const [file, findings] of byFile) {
    const fileFailures = findings.filter((f) => !f.suppressed).length;
    const suite = root.ele(
      'testsuite',
      suiteAttrs(file, findings.length, fileFailures, findings.length - fileFailures),
    );
    const seen = new Map<string, number>();
    for (const f of findings) addTestcase(suite, f, seen);
  }
  return doc.end({ prettyPrint: true }) + '\n';
}

function suiteAttrs(name: string, tests: number, failures: number, skipped: number): Record<string, string> {
  return {
    name: xmlAttr(name),
    tests: String(tests),
    failures: String(failures),
    errors: '0',
    skipped: String(skipped),
    time: '0',
  };
}

function addTestcase(suite: XMLBuilder, f: Finding, seen: Map<string, number>): void {
  const resource = resourceKey(f.resource);
  // Stable test names (no line numbers) keep CI test history across edits; repeats get "#2", "#3".
  let name = `[${f.severity.toUpperCase()}] ${f.checkId} ${resource}: ${f.title}`;
  const n = (seen.get(name) ?? 0) + 1;
  seen.set(name, n);
  if (n > 1) name += ` #${n}`;
  const tc = suite.ele('testcase', {
    classname: xmlAttr(resource),
    name: xmlAttr(name),
    file: xmlAttr(f.location.file),
    time: '0',
  });
  if (f.suppressed) {
    const s = f.suppression;
    const how = s ? (s.source === 'annotation' ? 'annotation' : 'config') : 'suppressed';
    const reason = s?.reason ? `: ${s.reason}` : '';
    const until = s?.expires ? ` (until ${s.expires})` : '';
    tc.ele('skipped', { message: xmlAttr(`suppressed by ${how}${until}${reason}`) });
    return;
  }
  const details = [
    `Check: ${f.checkId} ${f.title}`,
    `Severity: ${f.severity}`,
    `Resource: ${f.resource.apiVersion} ${resource}`,
    `Location: ${f.location.file}:${f.location.line}`,
    `Message: ${f.message}`,
    `Remediation: ${f.remediation}`,
    ...(f.frameworks.length ? [`Mappings: ${f.frameworks.map(describeMapping).join('; ')}`] : []),
  ].join('\n');
  tc.ele('failure', { message: xmlAttr(f.message), type: f.severity }).txt(xmlText(details));
}

/** Catalogue as JUnit: one suite, one passing testcase per check (`kubeward checks list --format junit`). */
export function renderCatalogueJunit(checks: readonly CheckMeta[]): string {
  const list = dedupe(checks);
  const doc = create({ version: '1.0', encoding: 'UTF-8' });
  const root = doc.ele('testsuites', {
    name: 'kubeward checks',
    tests: String(list.length),
    failures: '0',
    errors: '0',
    skipped: '0',
    time: '0',
  });
  const suite = root.ele('testsuite', suiteAttrs('kubeward checks', list.length, 0, 0));
  for (const c of list) {
    suite.ele('testcase', {
      classname: xmlAttr(`kubeward.${c.category}`),
      name: xmlAttr(`${c.id}: ${c.title}`),
      time: '0',
    });
  }
  return doc.end({ prettyPrint: true }) + '\n';
}

function dedupe(checks: readonly CheckMeta[]): CheckMeta[] {
  const seen = new Set<string>();
  return checks.filter((c) => (seen.has(c.id) ? false : (seen.add(c.id), true)));
}

// Chars XML 1.0 cannot represent, even as character references.
const NOT_XML =
  // eslint-disable-next-line no-control-regex
  /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

function visible(c: string): string {
  return `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`;
}

/** Element text: only characters XML cannot carry are replaced; newlines stay. */
export function xmlText(s: string): string {
  return s.replace(NOT_XML, visible);
}

/**
 * Attribute value: as xmlText, plus tab/newline/CR collapsed to a space — parsers normalise them to spaces
 * anyway, and a one-line message is what CI tools show.
 */
export function xmlAttr(s: string): string {
  return xmlText(s).replace(/[\t\n\r]+/g, ' ');
}
