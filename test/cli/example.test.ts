// End-to-end: the example application (examples/shop) scanned exactly as `make demo` scans it, with
// hand-verified findings. Expected lines are looked up in the manifests by their text, so editing the
// example's comments does not break the test, but moving a finding to another field does.
import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import {
  describeRun,
  EXAMPLE_DIR,
  kubeward,
  linesContaining,
  parseReport,
  REPO_ROOT,
  type JsonFinding,
  type JsonReport,
} from '../support/cli.js';

/** The demo command (Makefile `demo`), run from the repository root. */
const DEMO_ARGS = [
  'scan',
  'manifests',
  'examples/shop',
  '--config',
  'examples/shop/.kubeward.yaml',
  '--fail-on',
  'none',
];

const file = (name: string): string => `examples/shop/${name}`;
const lineOf = (name: string, needle: string): number => {
  const lines = linesContaining(join(EXAMPLE_DIR, name), needle);
  assert.equal(lines.length, 1, `"${needle}" should occur once in ${name}`);
  return lines[0] as number;
};
const on = (f: JsonFinding, kind: string, name: string): boolean =>
  f.resource.kind === kind && f.resource.name === name && f.resource.namespace === 'shop';

let report: JsonReport;
let catalogue: Set<string>;

before(() => {
  const r = kubeward([...DEMO_ARGS, '--format', 'json'], { cwd: REPO_ROOT });
  assert.equal(r.code, 0, describeRun(r));
  report = parseReport(r);
  const list = kubeward(['checks', 'list', '--format', 'json']);
  catalogue = new Set((JSON.parse(list.stdout) as { checks: { id: string }[] }).checks.map((c) => c.id));
});

/** True when the catalogue has checks of this family (KW-RBAC-, KW-NET-, ...): some are still being written. */
const hasFamily = (prefix: string): boolean => [...catalogue].some((id) => id.startsWith(prefix));

describe('examples/shop (make demo)', () => {
  test('the demo command prints a table and exits 0; the default gate fails', () => {
    const table = kubeward(DEMO_ARGS, { cwd: REPO_ROOT });
    assert.equal(table.code, 0, describeRun(table));
    assert.match(table.stdout, /^Summary: \d+ findings/m);
    const gated = kubeward(
      DEMO_ARGS.filter((a, i, all) => a !== '--fail-on' && all[i - 1] !== '--fail-on'),
      {
        cwd: REPO_ROOT,
      },
    );
    assert.equal(gated.code, 1, 'the example has unsuppressed critical and high findings');
  });

  test('findings span every severity from critical to low', () => {
    const seen = new Set(report.findings.filter((f) => !f.suppressed).map((f) => f.severity));
    for (const s of ['critical', 'high', 'medium', 'low']) assert.ok(seen.has(s), `no ${s} finding`);
  });

  test('the privileged init container of postgres: KW-POD-001 at its privileged: true line', () => {
    const hits = report.findings.filter((f) => f.checkId === 'KW-POD-001');
    assert.equal(hits.length, 1, JSON.stringify(hits, null, 2));
    const f = hits[0] as JsonFinding;
    assert.deepEqual(f.location, {
      file: file('postgres.yaml'),
      line: lineOf('postgres.yaml', 'privileged: true'),
    });
    assert.deepEqual(f.resource, {
      apiVersion: 'apps/v1',
      kind: 'StatefulSet',
      namespace: 'shop',
      name: 'postgres',
    });
    assert.equal(f.severity, 'critical');
    assert.equal(f.suppressed, false);
    assert.match(f.message, /fix-permissions/);
  });

  test('the SMTP password literal in the api Deployment is a credential finding on its line', () => {
    const line = lineOf('api.yaml', 'value: "w3lcome-to-the-shop-2024"');
    const hits = report.findings.filter(
      (f) => f.checkId.startsWith('KW-SEC-') && on(f, 'Deployment', 'api') && /SMTP_PASSWORD/.test(f.message),
    );
    assert.equal(hits.length, 1, JSON.stringify(hits, null, 2));
    assert.deepEqual(hits[0]?.location, { file: file('api.yaml'), line });
    assert.ok(['critical', 'high'].includes(hits[0]?.severity ?? ''));
    assert.doesNotMatch(hits[0]?.message ?? '', /w3lcome/, 'the secret value is never printed');
  });

  test('the untagged redis image: image findings at the image line', () => {
    const line = lineOf('redis.yaml', 'image: redis');
    const hits = report.findings.filter(
      (f) => f.checkId.startsWith('KW-IMG-') && on(f, 'Deployment', 'redis'),
    );
    assert.ok(hits.length >= 2, JSON.stringify(hits, null, 2));
    for (const f of hits) assert.deepEqual(f.location, { file: file('redis.yaml'), line });
    // Docker Hub is not in registries.allowed, and nothing suppresses it for redis.
    assert.ok(hits.some((f) => f.severity === 'high' && !f.suppressed && /allowed/.test(f.message)));
  });

  test('the config suppression (registries.allowed for postgres, until 2027-06-30) applies', () => {
    const suppressed = report.findings.filter((f) => f.suppression?.source === 'config');
    assert.ok(suppressed.length >= 1, 'a config-suppressed finding');
    for (const f of suppressed) {
      assert.ok(on(f, 'StatefulSet', 'postgres'), JSON.stringify(f.resource));
      assert.ok(f.checkId.startsWith('KW-IMG-'));
      assert.equal(f.suppressed, true);
      assert.equal(f.suppression?.expires, '2027-06-30');
      assert.match(f.suppression?.reason ?? '', /PLAT-412/);
      assert.deepEqual(f.location, {
        file: file('postgres.yaml'),
        line: lineOf('postgres.yaml', 'image: docker.io/library/postgres:16.4'),
      });
    }
    assert.ok(!report.warnings.some((w) => /expired/.test(w.message)), 'the suppression has not expired');
  });

  test('the frontend is the well-configured workload', () => {
    const serious = report.findings.filter(
      (f) => on(f, 'Deployment', 'frontend') && ['critical', 'high', 'medium'].includes(f.severity),
    );
    assert.deepEqual(serious, []);
  });

  test('the frontend Service is exempted by its kubeward.io/ignore annotation', () => {
    const onService = report.findings.filter((f) => on(f, 'Service', 'frontend'));
    for (const f of onService) {
      assert.equal(f.suppressed, true, `${f.checkId}: ${f.message}`);
      assert.equal(f.suppression?.source, 'annotation');
      assert.match(f.suppression?.reason ?? '', /WAF/);
    }
    if (hasFamily('KW-NET-'))
      assert.ok(onService.length >= 1, 'the open LoadBalancer is found, then suppressed');
  });

  test('network: the Ingress host without TLS, and no default-deny egress', (t) => {
    if (!hasFamily('KW-NET-')) return t.skip('no KW-NET-* checks in the catalogue yet');
    const net = report.findings.filter((f) => f.checkId.startsWith('KW-NET-') && !f.suppressed);
    const line = lineOf('frontend.yaml', 'host: api.beta.shop.example.com');
    assert.ok(
      net.some(
        (f) =>
          on(f, 'Ingress', 'shop') && f.location.line === line && f.location.file === file('frontend.yaml'),
      ),
      JSON.stringify(net, null, 2),
    );
    assert.ok(
      net.some((f) => f.resource.kind === 'Namespace' && f.resource.name === 'shop'),
      'the incomplete NetworkPolicy set (ingress only) is reported on the namespace',
    );
  });

  test('RBAC: the broad shop-operator ClusterRole is reported, the narrow Role is not', (t) => {
    if (!hasFamily('KW-RBAC-')) return t.skip('no KW-RBAC-* checks in the catalogue yet');
    const rbac = report.findings.filter((f) => f.checkId.startsWith('KW-RBAC-'));
    const broad = rbac.filter(
      (f) => f.resource.kind === 'ClusterRole' && f.resource.name === 'shop-operator',
    );
    assert.ok(
      broad.some((f) => ['critical', 'high'].includes(f.severity)),
      JSON.stringify(rbac, null, 2),
    );
    for (const f of broad) assert.equal(f.location.file, file('rbac.yaml'));
    assert.ok(
      broad.some((f) => f.location.line === lineOf('rbac.yaml', 'resources: ["*"]')),
      'the wildcard rule is pointed at',
    );
    assert.deepEqual(
      rbac.filter((f) => f.resource.name === 'api-config-reader'),
      [],
      'get/watch on one named ConfigMap is fine',
    );
  });
});
