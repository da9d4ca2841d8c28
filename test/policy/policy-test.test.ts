// End-to-end: `kubeward policy test` judges manifests with the webhook's core and reports findings at the
// lines of the offending fields, in every output format, with the same exit codes as the other scans.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describeRun, isoDate, kubeward, linesContaining, parseReport, tempDir } from '../support/cli.js';

const MANIFESTS = `apiVersion: v1
kind: Namespace
metadata:
  name: team
  labels:
    pod-security.kubernetes.io/enforce: restricted
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  namespace: team
  labels:
    app: web
spec:
  template:
    spec:
      containers:
        - name: app
          image: nginx:1.27
          securityContext:
            privileged: true
---
apiVersion: v1
kind: Pod
metadata:
  name: ok
  namespace: team
spec:
  securityContext:
    runAsNonRoot: true
    seccompProfile:
      type: RuntimeDefault
  containers:
    - name: app
      image: nginx:1.27
      securityContext:
        allowPrivilegeEscalation: false
        capabilities:
          drop: [ALL]
`;

function setup(t: Parameters<typeof tempDir>[0]): { dir: string; policies: string } {
  const dir = tempDir(t, 'kubeward-policy-');
  writeFileSync(join(dir, 'app.yaml'), MANIFESTS);
  const policies = join(dir, 'policies');
  mkdirSync(policies);
  return { dir, policies };
}

test('denials are high findings at the field line; exit 1; compliant objects pass', (t) => {
  const { dir } = setup(t);
  const r = kubeward(['policy', 'test', 'app.yaml', '--format', 'json'], { cwd: dir });
  assert.equal(r.code, 1, describeRun(r));
  const report = parseReport(r);
  const ids = report.findings.map((f) => f.checkId).sort();
  assert.deepEqual(ids, [
    'pss:restricted/allowPrivilegeEscalation',
    'pss:restricted/capabilities_restricted',
    'pss:restricted/privileged',
    'pss:restricted/runAsNonRoot',
    'pss:restricted/seccompProfile_restricted',
  ]);
  assert.ok(report.findings.every((f) => f.resource.kind === 'Deployment' && f.severity === 'high'));
  const privileged = report.findings.find((f) => f.checkId === 'pss:restricted/privileged');
  assert.deepEqual(privileged?.location, {
    file: 'app.yaml',
    line: linesContaining(join(dir, 'app.yaml'), 'privileged: true')[0],
  });
  assert.deepEqual(privileged?.frameworks, [{ framework: 'pss', id: 'restricted/privileged' }]);
});

test('SARIF and JUnit carry the rules and lines; --fail-on none exits 0', (t) => {
  const { dir } = setup(t);
  const sarif = kubeward(['policy', 'test', 'app.yaml', '--format', 'sarif', '--fail-on', 'none'], {
    cwd: dir,
  });
  assert.equal(sarif.code, 0, describeRun(sarif));
  const doc = JSON.parse(sarif.stdout) as {
    runs: {
      tool: { driver: { rules: { id: string }[] } };
      results: {
        ruleId: string;
        locations: {
          physicalLocation: { artifactLocation: { uri: string }; region: { startLine: number } };
        }[];
      }[];
    }[];
  };
  const run = doc.runs[0];
  assert.ok(run?.tool.driver.rules.some((x) => x.id === 'pss:restricted/privileged'));
  const res = run?.results.find((x) => x.ruleId === 'pss:restricted/privileged');
  assert.equal(res?.locations[0]?.physicalLocation.artifactLocation.uri, 'app.yaml');
  assert.equal(res?.locations[0]?.physicalLocation.region.startLine, 22);
  const junit = kubeward(['policy', 'test', 'app.yaml', '--format', 'junit', '--output', 'out.xml'], {
    cwd: dir,
  });
  assert.equal(junit.code, 1);
  assert.equal(junit.stdout, '');
});

test('exceptions suppress findings; expired exceptions stop applying and warn', (t) => {
  const { dir, policies } = setup(t);
  const exception = (expires: string): string => `apiVersion: kubeward.io/v1alpha1
kind: PolicyException
metadata:
  name: web-legacy
spec:
  reason: vendor image needs root until v3
  expires: "${expires}"
  policies: ["pss:*"]
  match:
    namespaces: [team]
    selector:
      matchLabels: {app: web}
`;
  writeFileSync(join(policies, 'ex.yaml'), exception(isoDate(30)));
  const ok = kubeward(['policy', 'test', 'app.yaml', '--policies', 'policies', '--format', 'json'], {
    cwd: dir,
  });
  assert.equal(ok.code, 0, describeRun(ok));
  const report = parseReport(ok);
  assert.equal(report.findings.length, 5);
  assert.ok(
    report.findings.every(
      (f) =>
        f.suppressed &&
        f.suppression?.reason === 'PolicyException web-legacy: vendor image needs root until v3',
    ),
  );

  writeFileSync(join(policies, 'ex.yaml'), exception(isoDate(-1)));
  const expired = kubeward(['policy', 'test', 'app.yaml', '--policies', 'policies', '--format', 'json'], {
    cwd: dir,
  });
  assert.equal(expired.code, 1, describeRun(expired));
  const rep = parseReport(expired);
  assert.ok(rep.findings.every((f) => !f.suppressed));
  assert.ok(
    rep.warnings.some(
      (w) =>
        /PolicyException "web-legacy" expired on/.test(w.message) && w.file === join('policies', 'ex.yaml'),
    ),
    JSON.stringify(rep.warnings),
  );
});

test('image policies and --pss defaults; config modes turn denials into warnings', (t) => {
  const { dir, policies } = setup(t);
  writeFileSync(
    join(policies, 'images.yaml'),
    'apiVersion: kubeward.io/v1alpha1\nkind: ImagePolicy\nmetadata:\n  name: registries\nspec:\n  allowedRegistries: ["ghcr.io/acme"]\n',
  );
  writeFileSync(
    join(dir, 'other.yaml'),
    'apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\nspec:\n  containers:\n    - name: a\n      image: ghcr.io/acme/a:1\n      securityContext:\n        privileged: true\n',
  );
  const r = kubeward(
    [
      'policy',
      'test',
      'app.yaml',
      'other.yaml',
      '--policies',
      'policies',
      '--pss',
      'baseline',
      '--format',
      'json',
    ],
    { cwd: dir },
  );
  assert.equal(r.code, 1);
  const ids = parseReport(r).findings.map((f) => `${f.resource.name} ${f.checkId}`);
  assert.ok(ids.includes('p pss:baseline/privileged'), ids.join('\n'));
  assert.ok(
    ids.some((x) => x.startsWith('web image:registries/')),
    ids.join('\n'),
  );
  assert.ok(!ids.some((x) => x.startsWith('p image:')));

  writeFileSync(
    join(dir, '.kubeward.yaml'),
    'policies:\n  modes:\n    "image:*": warn\n    "pss:*": audit\n',
  );
  const relaxed = kubeward(['policy', 'test', 'app.yaml', '--policies', 'policies', '--format', 'json'], {
    cwd: dir,
  });
  assert.equal(relaxed.code, 0, describeRun(relaxed));
  const sev = new Set(parseReport(relaxed).findings.map((f) => `${f.checkId.split('/')[0]}=${f.severity}`));
  assert.deepEqual([...sev].sort(), ['image:registries=medium', 'pss:restricted=low']);
});

test('bad input is exit 2 with file:line', (t) => {
  const { dir, policies } = setup(t);
  const pss = kubeward(['policy', 'test', 'app.yaml', '--pss', 'restricted:v2'], { cwd: dir });
  assert.equal(pss.code, 2);
  assert.match(pss.stderr, /--pss: version "v2"/);
  writeFileSync(
    join(policies, 'ex.yaml'),
    'apiVersion: kubeward.io/v1alpha1\nkind: PolicyException\nmetadata:\n  name: x\nspec:\n  reason: r\n  policies: ["*"]\n  expires: tomorrow\n',
  );
  const bad = kubeward(['policy', 'test', 'app.yaml', '--policies', 'policies'], { cwd: dir });
  assert.equal(bad.code, 2);
  assert.equal(
    bad.stderr,
    `kubeward: ${join('policies', 'ex.yaml')}:8: PolicyException: x: spec.expires "tomorrow" is not YYYY-MM-DD or RFC 3339\n`,
  );
  const missing = kubeward(['policy', 'test', 'nope.yaml'], { cwd: dir });
  assert.equal(missing.code, 2);
  assert.match(missing.stderr, /path not found: nope\.yaml/);
});

test('ValidatingAdmissionPolicy bindings from --policies judge manifests with CEL', (t) => {
  const { dir, policies } = setup(t);
  writeFileSync(
    join(policies, 'vap.yaml'),
    `apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingAdmissionPolicy
metadata:
  name: require-team-label
spec:
  matchConstraints:
    resourceRules:
      - apiGroups: ["apps"]
        apiVersions: ["v1"]
        operations: ["CREATE", "UPDATE"]
        resources: ["deployments"]
  validations:
    - expression: "has(object.metadata.labels) && 'team' in object.metadata.labels"
      message: deployments must have a team label
---
apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingAdmissionPolicyBinding
metadata:
  name: team-label
spec:
  policyName: require-team-label
  validationActions: [Deny]
`,
  );
  const r = kubeward(['policy', 'test', 'app.yaml', '--policies', 'policies', '--format', 'json'], {
    cwd: dir,
  });
  assert.equal(r.code, 1);
  const vap = parseReport(r).findings.filter((f) => f.checkId.startsWith('vap:'));
  assert.deepEqual(
    vap.map((f) => [f.checkId, f.resource.name, f.severity]),
    [['vap:require-team-label/team-label/validations[0]', 'web', 'high']],
  );
  assert.match(vap[0]?.message ?? '', /deployments must have a team label/);
  writeFileSync(
    join(policies, 'vap.yaml'),
    'apiVersion: admissionregistration.k8s.io/v1\nkind: ValidatingAdmissionPolicy\nmetadata:\n  name: p\nspec:\n  validations:\n    - expression: "object.nope("\n',
  );
  const bad = kubeward(['policy', 'test', 'app.yaml', '--policies', 'policies'], { cwd: dir });
  assert.equal(bad.code, 2, describeRun(bad));
  assert.match(bad.stderr, /vap\.yaml:\d+/);
});
