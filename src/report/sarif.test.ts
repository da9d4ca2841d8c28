import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import {
  artifactLocation,
  buildSarif,
  findingHash,
  pascalCase,
  renderSarif,
  SARIF_FINGERPRINT_KEY,
  SARIF_SCHEMA_URI,
  type SarifLog,
  type SarifResult,
} from './sarif.js';
import { resourceKey } from '../core/finding.js';
import {
  CHECKS,
  errorsOf,
  finding,
  NASTY,
  sampleFindings,
  sampleReport,
  sarifValidator2_1_0,
} from './testdata/fixtures.js';

const SRCROOT = '/work/repo';

function render(report = sampleReport()): SarifLog {
  return JSON.parse(renderSarif(report, { srcRoot: SRCROOT })) as SarifLog;
}

function run(log: SarifLog) {
  return log.runs[0];
}

function results(log: SarifLog): SarifResult[] {
  return run(log).results ?? [];
}

test('the sample report is valid against the official SARIF 2.1.0 schema', () => {
  const validate = sarifValidator2_1_0();
  const log = render();
  assert.ok(validate(log), errorsOf(validate));
});

test('the validator really rejects broken SARIF (guards against a vacuous schema)', () => {
  const validate = sarifValidator2_1_0();
  const log = render();
  const broken = structuredClone(log) as unknown as {
    runs: Array<{ results: Array<Record<string, unknown>> }>;
  };
  const r = broken.runs[0]?.results[0];
  assert.ok(r);
  r.level = 'critical';
  assert.equal(validate(broken), false);
  const noRegion = structuredClone(log) as unknown as {
    runs: Array<{ results: Array<{ locations: Array<{ physicalLocation: { region: object } }> }> }>;
  };
  const loc = noRegion.runs[0]?.results[0]?.locations[0];
  assert.ok(loc);
  loc.physicalLocation.region = {};
  assert.equal(validate(noRegion), false, 'a region without startLine must be rejected');
});

test('empty, nasty and unknown-check reports are schema-valid too', () => {
  const validate = sarifValidator2_1_0();
  const empty = sampleReport([]);
  empty.warnings = [];
  assert.ok(validate(render(empty)), errorsOf(validate));
  const nasty = sampleReport([
    finding('KW-POD-001', { message: NASTY, name: NASTY, file: `dir/${NASTY}.yaml`, line: 0 }),
    { ...finding('KW-POD-002'), checkId: 'KW-XTRA-001', title: 'Check missing from the catalogue' },
  ]);
  assert.ok(validate(render(nasty)), errorsOf(validate));
});

test('log header, driver and originalUriBaseIds', () => {
  const log = render();
  assert.equal(log.version, '2.1.0');
  assert.equal(log.$schema, SARIF_SCHEMA_URI);
  assert.equal(log.runs.length, 1);
  const driver = run(log).tool.driver;
  assert.equal(driver.name, 'kubeward');
  assert.equal(driver.version, '0.1.0');
  assert.equal(driver.semanticVersion, '0.1.0');
  assert.equal(driver.informationUri, 'https://github.com/kubeward/kubeward');
  assert.deepEqual(run(log).originalUriBaseIds, { '%SRCROOT%': { uri: 'file:///work/repo/' } });
});

test('one rule per check, in catalogue order, with GitHub metadata', () => {
  const rules = run(render()).tool.driver.rules;
  assert.deepEqual(
    rules.map((r) => r.id),
    CHECKS.map((c) => c.id),
  );
  const pod = rules[0];
  assert.ok(pod);
  assert.equal(pod.name, 'PrivilegedContainer');
  assert.equal(pod.shortDescription.text, 'Privileged container');
  assert.equal(pod.fullDescription.text, CHECKS[0]?.description);
  assert.equal(pod.defaultConfiguration.level, 'error');
  assert.deepEqual(pod.properties.tags, ['security', 'cis-k8s', 'pss', 'mitre-attack']);
  assert.equal(pod.properties.precision, 'high');
  assert.equal(pod.properties['security-severity'], '9.5');
  assert.equal(pod.properties['problem.severity'], 'error');
  assert.match(
    pod.help.text,
    /\n\nFramework mappings:\n- CIS Kubernetes Benchmark v1\.9 5\.2\.2 .*\n- Pod Security/,
  );
  for (const text of [pod.help.text, pod.help.markdown]) {
    assert.match(text, /privileged container has every capability/);
    assert.match(text, /Remediation/);
    assert.match(text, /securityContext\.privileged to false/);
    assert.match(text, /CIS Kubernetes Benchmark v1\.9 5\.2\.2/);
    assert.match(text, /Pod Security Standards baseline\/privileged/);
    assert.match(text, /MITRE ATT&CK for Containers T1611 \(Escape to Host\)/);
  }
  const bySeverity = Object.fromEntries(
    rules.map((r) => [
      r.properties.severity,
      [r.properties['security-severity'], r.defaultConfiguration.level],
    ]),
  );
  assert.deepEqual(bySeverity, {
    critical: ['9.5', 'error'],
    high: ['8.0', 'error'],
    medium: ['5.5', 'warning'],
    low: ['3.0', 'note'],
    info: ['0.0', 'note'],
  });
});

test('GitHub code scanning requirements hold for every result', () => {
  const log = render();
  const rules = run(log).tool.driver.rules;
  const rs = results(log);
  assert.equal(rs.length, sampleFindings().length);
  for (const r of rs) {
    assert.ok(r.ruleId, 'ruleId present');
    assert.equal(rules[r.ruleIndex]?.id, r.ruleId, 'ruleIndex points at the rule');
    assert.ok(r.message.text.length > 0);
    assert.equal(r.locations.length, 1);
    const loc = r.locations[0]?.physicalLocation;
    assert.ok(loc);
    assert.ok(Number.isInteger(loc.region.startLine) && loc.region.startLine >= 1, 'startLine >= 1');
    assert.ok(loc.artifactLocation.uri, 'uri present');
    assert.match(r.partialFingerprints[SARIF_FINGERPRINT_KEY] ?? '', /^[0-9a-f]{64}:\d+$/);
  }
  for (const rule of rules) {
    const s = rule.properties['security-severity'];
    assert.equal(typeof s, 'string');
    assert.ok(Number.isFinite(Number(s)) && Number(s) >= 0 && Number(s) <= 10);
  }
});

test('results map severity to level and carry message, resource and properties', () => {
  const rs = results(render());
  assert.deepEqual(
    rs.map((r) => [r.ruleId, r.level]),
    [
      ['KW-POD-001', 'error'],
      ['KW-POD-002', 'error'],
      ['KW-POD-002', 'error'],
      ['KW-IMG-001', 'warning'],
      ['KW-WKL-003', 'note'],
      ['KW-SEC-001', 'note'],
    ],
  );
  const first = rs[0];
  assert.ok(first);
  assert.equal(first.message.text, 'container "app" is privileged (Deployment/prod/web)');
  assert.equal(first.properties.severity, 'critical');
  assert.deepEqual(first.properties.resource, {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    namespace: 'prod',
    name: 'web',
  });
  assert.deepEqual(first.locations[0]?.logicalLocations, [
    { name: 'web', fullyQualifiedName: 'Deployment/prod/web', kind: 'resource' },
  ]);
  assert.deepEqual(first.locations[0]?.physicalLocation, {
    artifactLocation: { uri: 'deploy/app.yaml', uriBaseId: '%SRCROOT%' },
    region: { startLine: 12 },
  });
});

test('suppressed findings carry SARIF suppressions: config is external, annotation is inSource', () => {
  const rs = results(render());
  assert.deepEqual(rs[4]?.suppressions, [
    {
      kind: 'external',
      status: 'accepted',
      justification: 'batch job, limits set by LimitRange',
      properties: { expires: '2099-12-31' },
    },
  ]);
  assert.deepEqual(rs[5]?.suppressions, [
    { kind: 'inSource', status: 'accepted', justification: 'dev only' },
  ]);
  for (const r of rs.slice(0, 4)) assert.equal(r.suppressions, undefined);
  // suppressed: true without details still yields a (valid) suppression
  const bare = results(render(sampleReport([finding('KW-POD-001', { suppressed: true })])));
  assert.deepEqual(bare[0]?.suppressions, [{ kind: 'external', status: 'accepted' }]);
});

test('partial fingerprints ignore the line but not check, resource or file; repeats are numbered', () => {
  const a = finding('KW-POD-001', { line: 12 });
  assert.equal(findingHash(a), findingHash({ ...a, location: { ...a.location, line: 99 } }));
  assert.equal(findingHash(a), findingHash({ ...a, message: 'reworded', severity: 'low' }));
  assert.equal(
    findingHash(a),
    findingHash({ ...a, resource: { ...a.resource, apiVersion: 'apps/v1beta2' } }),
  );
  assert.equal(findingHash(a), findingHash({ ...a, location: { file: 'deploy\\app.yaml', line: 1 } }));
  const differ = [
    { ...a, checkId: 'KW-POD-002' },
    { ...a, resource: { ...a.resource, name: 'api' } },
    { ...a, resource: { ...a.resource, namespace: 'staging' } },
    { ...a, resource: { ...a.resource, kind: 'StatefulSet' } },
    { ...a, location: { file: 'other.yaml', line: 12 } },
  ];
  for (const f of differ) assert.notEqual(findingHash(f), findingHash(a), JSON.stringify(f));
  // Namespace "" vs. no namespace vs. a name containing the separator cannot collide.
  const b = finding('KW-POD-001', { namespace: 'a', name: 'b' });
  const c = finding('KW-POD-001', { namespace: '', name: 'a/b' });
  assert.notEqual(findingHash(b), findingHash(c));

  const moved = sampleFindings().map((f) => ({
    ...f,
    location: { ...f.location, line: f.location.line + 5 },
  }));
  const before = results(render()).map((r) => r.partialFingerprints);
  const after = results(render(sampleReport(moved))).map((r) => r.partialFingerprints);
  assert.deepEqual(after, before, 'moving lines keeps every fingerprint');
  const fp = before.map((p) => p[SARIF_FINGERPRINT_KEY] ?? '');
  assert.equal(new Set(fp).size, fp.length, 'fingerprints are unique within a run');
  // The two KW-POD-002 findings on the same resource share the hash and differ in the occurrence number.
  assert.equal(fp[1]?.split(':')[0], fp[2]?.split(':')[0]);
  assert.deepEqual([fp[1]?.split(':')[1], fp[2]?.split(':')[1]], ['1', '2']);
});

test('artifact URIs: relative POSIX under %SRCROOT%, absolute as file://, special characters encoded', () => {
  const cases: Array<[string, { uri: string; uriBaseId?: string }]> = [
    ['deploy/app.yaml', { uri: 'deploy/app.yaml', uriBaseId: '%SRCROOT%' }],
    ['./deploy//app.yaml', { uri: 'deploy/app.yaml', uriBaseId: '%SRCROOT%' }],
    ['deploy\\win\\app.yaml', { uri: 'deploy/win/app.yaml', uriBaseId: '%SRCROOT%' }],
    ['charts/my app/dep#1.yaml', { uri: 'charts/my%20app/dep%231.yaml', uriBaseId: '%SRCROOT%' }],
    ['a/100%?x=[y].yaml', { uri: 'a/100%25%3Fx%3D%5By%5D.yaml', uriBaseId: '%SRCROOT%' }],
    ['c:colon.yaml', { uri: 'c%3Acolon.yaml', uriBaseId: '%SRCROOT%' }],
    ['ünï/cödé.yaml', { uri: '%C3%BCn%C3%AF/c%C3%B6d%C3%A9.yaml', uriBaseId: '%SRCROOT%' }],
    ['<stdin>', { uri: '%3Cstdin%3E', uriBaseId: '%SRCROOT%' }],
    ['../outside/app.yaml', { uri: '../outside/app.yaml', uriBaseId: '%SRCROOT%' }],
    ['/abs/path/secret [x].yaml', { uri: 'file:///abs/path/secret%20%5Bx%5D.yaml' }],
    ['C:\\work\\my repo\\a.yaml', { uri: 'file:///C:/work/my%20repo/a.yaml' }],
    ['\\\\server\\share\\a b.yaml', { uri: 'file://server/share/a%20b.yaml' }],
  ];
  for (const [file, want] of cases) assert.deepEqual(artifactLocation(file), want, file);

  // Every URI resolves back to the original path.
  for (const file of [
    'charts/my app/dep#1.yaml',
    'a/100%?x=[y].yaml',
    'ünï/cödé.yaml',
    `d/${'x'.repeat(3)} ~!$&'()*+,;=@.yaml`,
  ]) {
    const { uri } = artifactLocation(file);
    assert.equal(fileURLToPath(new URL(uri ?? '', 'file:///root/')), `/root/${file}`);
  }
  assert.equal(
    fileURLToPath(artifactLocation('/abs/path/secret [x].yaml').uri ?? ''),
    '/abs/path/secret [x].yaml',
  );
});

test('a finding of a check missing from report.rules gets a rule of its own', () => {
  const extra = { ...finding('KW-POD-002'), checkId: 'KW-XTRA-001', title: 'Extra check (beta)' };
  const log = render(sampleReport([extra, finding('KW-POD-001')]));
  const rules = run(log).tool.driver.rules;
  assert.equal(rules.length, CHECKS.length + 1);
  const rs = results(log);
  assert.equal(rs[0]?.ruleIndex, CHECKS.length);
  assert.equal(rules[CHECKS.length]?.id, 'KW-XTRA-001');
  assert.equal(rules[CHECKS.length]?.name, 'ExtraCheckBeta');
  assert.equal(rs[1]?.ruleIndex, 0);
});

test('duplicate checks in report.rules produce one rule', () => {
  const report = sampleReport();
  report.rules = [...CHECKS, ...CHECKS];
  const validate = sarifValidator2_1_0();
  const log = render(report);
  assert.equal(run(log).tool.driver.rules.length, CHECKS.length);
  assert.ok(validate(log), errorsOf(validate));
});

test('scan warnings become tool execution notifications', () => {
  const inv = run(render()).invocations;
  assert.deepEqual(inv, [
    {
      executionSuccessful: true,
      toolExecutionNotifications: [
        {
          level: 'warning',
          message: { text: 'skipped: document without a kind' },
          locations: [
            {
              physicalLocation: {
                artifactLocation: { uri: 'deploy/broken.yaml', uriBaseId: '%SRCROOT%' },
                region: { startLine: 3 },
              },
            },
          ],
        },
        {
          level: 'warning',
          message: { text: 'suppression for KW-POD-009 expired on 2020-01-01 and no longer applies (old)' },
        },
      ],
    },
  ]);
});

test('startLine is clamped to 1 and output is deterministic', () => {
  const log = render(sampleReport([finding('KW-POD-001', { line: 0 })]));
  assert.equal(results(log)[0]?.locations[0]?.physicalLocation.region.startLine, 1);
  assert.equal(
    renderSarif(sampleReport(), { srcRoot: SRCROOT }),
    renderSarif(sampleReport(), { srcRoot: SRCROOT }),
  );
  assert.ok(renderSarif(sampleReport(), { srcRoot: SRCROOT }).endsWith('}\n'));
});

test('srcRoot defaults to the working directory and may be a Windows path', () => {
  const log = buildSarif(sampleReport());
  const uri = run(log).originalUriBaseIds?.['%SRCROOT%']?.uri ?? '';
  assert.ok(uri.startsWith('file:///') && uri.endsWith('/'));
  assert.equal(fileURLToPath(uri), `${process.cwd()}/`);
  const win = buildSarif(sampleReport(), { srcRoot: 'D:\\src\\my repo' });
  assert.deepEqual(run(win).originalUriBaseIds, { '%SRCROOT%': { uri: 'file:///D:/src/my%20repo/' } });
});

test('rule names are PascalCase of the title', () => {
  assert.equal(pascalCase('Privileged container'), 'PrivilegedContainer');
  assert.equal(pascalCase('hostPath volume mounted (read-write)'), 'HostPathVolumeMountedReadWrite');
  assert.equal(pascalCase('CAP_SYS_ADMIN added'), 'CAPSYSADMINAdded');
  assert.equal(pascalCase('  '), '');
});

test('messages name the resource', () => {
  const f = finding('KW-IMG-001', { kind: 'Pod', namespace: '', name: 'solo', message: 'image has no tag' });
  const r = results(render(sampleReport([f])))[0];
  assert.equal(r?.message.text, `image has no tag (${resourceKey(f.resource)})`);
  assert.equal(r?.message.text, 'image has no tag (Pod/solo)');
});
