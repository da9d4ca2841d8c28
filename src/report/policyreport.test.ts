import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseAllDocuments } from 'yaml';
import { summarize, type Finding } from '../core/finding.js';
import { policyReports, renderPolicyReport, type PolicyReportObject } from './policyreport.js';
import { render } from './render.js';
import type { Report } from './report.js';
import { finding, NASTY, sampleReport } from './testdata/fixtures.js';

const NOW = new Date('2026-11-27T04:00:00.500Z');

function policyFinding(checkId: string, over: Partial<Finding> = {}): Finding {
  return { ...finding('KW-POD-001'), checkId, title: checkId, ...over };
}

function report(findings: Finding[]): Report {
  return { ...sampleReport(findings), summary: summarize(findings) };
}

test('one PolicyReport per namespace, cluster-scoped resources in a ClusterPolicyReport last', () => {
  const out = policyReports(sampleReport(), { now: NOW });
  assert.deepEqual(
    out.map((r) => [r.kind, r.metadata.namespace, r.metadata.name]),
    [
      ['PolicyReport', 'default', 'kubeward-policy-report'],
      ['PolicyReport', 'prod', 'kubeward-policy-report'],
      ['ClusterPolicyReport', undefined, 'kubeward-cluster-policy-report'],
    ],
  );
  for (const r of out) {
    assert.equal(r.apiVersion, 'wgpolicyk8s.io/v1alpha2');
    const counted = { pass: 0, fail: 0, warn: 0, error: 0, skip: 0 };
    for (const x of r.results) counted[x.result]++;
    assert.deepEqual(r.summary, counted);
  }
  // Suppressed findings are skip results carrying the reason.
  const secret = out[2]?.results[0];
  assert.equal(secret?.result, 'skip');
  assert.deepEqual(secret?.properties, { suppressed: 'dev only' });
  assert.deepEqual(secret?.timestamp, { seconds: Math.floor(NOW.getTime() / 1000), nanos: 0 });
});

test('policy and rule come from checkId; results follow severity; evaluation errors are error', () => {
  const out = policyReports(
    report([
      policyFinding('vap:require-labels/binding-a/validations[0]', { severity: 'high' }),
      policyFinding('pss:restricted/runAsNonRoot', { severity: 'medium' }),
      policyFinding('image:vulns/evaluation-error', { severity: 'high' }),
      policyFinding('image:vulns/vulnerabilities.kev', { severity: 'critical', message: NASTY }),
    ]),
    {
      now: NOW,
      passes: [
        {
          policy: 'pss:baseline',
          resource: { apiVersion: 'v1', kind: 'Pod', namespace: 'prod', name: 'ok' },
        },
      ],
    },
  );
  assert.equal(out.length, 1);
  const results = out[0]?.results ?? [];
  assert.deepEqual(
    results.map((r) => [r.policy, r.rule, r.result, r.scored, r.severity]),
    [
      ['vap:require-labels/binding-a', 'validations[0]', 'fail', true, 'high'],
      ['pss:restricted', 'runAsNonRoot', 'warn', false, 'medium'],
      ['image:vulns', 'evaluation-error', 'error', true, 'high'],
      ['image:vulns', 'vulnerabilities.kev', 'fail', true, 'critical'],
      ['pss:baseline', undefined, 'pass', true, undefined],
    ],
  );
  assert.deepEqual(out[0]?.summary, { pass: 1, fail: 2, warn: 1, error: 1, skip: 0 });
  assert.deepEqual(results[4]?.resources, [{ apiVersion: 'v1', kind: 'Pod', name: 'ok', namespace: 'prod' }]);
});

test('the YAML stream parses back to the same objects, hostile text included; empty report → empty', () => {
  const r = report([policyFinding('pss:restricted/privileged', { message: NASTY })]);
  const text = renderPolicyReport(r, { now: NOW });
  const docs = parseAllDocuments(text);
  assert.ok(Array.isArray(docs));
  const parsed = docs.map((d) => {
    assert.deepEqual(d.errors, []);
    return d.toJS() as PolicyReportObject;
  });
  assert.deepEqual(parsed, policyReports(r, { now: NOW }));
  assert.equal(parsed[0]?.results[0]?.message, NASTY);
  assert.equal(renderPolicyReport(report([])), '');
  // Registered with the other formats.
  assert.match(
    render(r, 'policyreport', { color: false }),
    /^---\napiVersion: wgpolicyk8s.io\/v1alpha2\nkind: PolicyReport\n/,
  );
});
