// Helm rendering tests.
//
// helm cannot be installed on the machines these tests normally run on (no Debian package, not on npm),
// so by default they run against a STAND-IN: test/support/fake-helm/helm, a small Node script that
// implements `helm template RELEASE CHART [--values F]...` for charts using only `{{ .Release.Name }}` and
// `{{ .Values.x.y }}`, printing output byte for byte in helm's format and failing like helm does. When a
// real `helm` is on PATH (`helm version` succeeds) the same tests run against real helm instead, which
// keeps the stand-in honest.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { commandWorks } from '../../test/support/integration.js';
import { UserError } from '../core/errors.js';
import { loadManifests } from './load.js';
import { firstErrorLine, runRenderer, splitHelmOutput } from './render-helm.js';
import { sourceRenderer } from './render-sources.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const CHART = join('src', 'k8s', 'testdata', 'chart');
const FAKE_HELM = join(ROOT, 'test', 'support', 'fake-helm', 'helm');
const REAL_HELM = commandWorks('helm', ['version']);
const HELM = REAL_HELM ? 'helm' : FAKE_HELM;
console.log(`# helm rendering tests use ${REAL_HELM ? 'real helm from PATH' : `the stand-in ${FAKE_HELM}`}`);

let tmp = '';
before(() => {
  tmp = mkdtempSync(join(tmpdir(), 'kw-helm-'));
});
after(() => rmSync(tmp, { recursive: true, force: true }));

/** 1-based line of the first line containing `needle` in a fixture template. */
function templateLine(template: string, needle: string): number {
  const lines = readFileSync(join(ROOT, CHART, 'templates', template), 'utf8').split('\n');
  const i = lines.findIndex((l) => l.includes(needle));
  assert.ok(i >= 0, `${needle} not in ${template}`);
  return i + 1;
}

test('a chart directory is rendered with helm template and attributed to its template files', () => {
  const render = sourceRenderer({ cwd: ROOT, helmCommand: HELM });
  const r = loadManifests([CHART], { cwd: ROOT, render });
  assert.deepEqual(r.warnings, []);
  // helm orders by kind (Service before Deployment), not by file name.
  assert.deepEqual(
    r.resources.map((x) => [x.object.kind, x.object.metadata.name, x.file, x.line]),
    [
      ['Service', 'release-name-web', join(CHART, 'templates', 'service.yaml'), 1],
      ['Deployment', 'release-name-web', join(CHART, 'templates', 'deployment.yaml'), 1],
    ],
  );
  const [svc, deploy] = r.resources;
  // These templates render line for line, so rendered lines equal template lines.
  assert.equal(svc?.lineOf(['spec', 'ports', 0]), 9);
  assert.equal(templateLine('service.yaml', '- port:'), 9);
  const container = ['spec', 'template', 'spec', 'containers', 0];
  assert.equal(deploy?.lineOf([...container, 'image']), 19);
  assert.equal(templateLine('deployment.yaml', 'image:'), 19);
  assert.equal(deploy?.lineOf([...container, 'securityContext', 'privileged']), 21);
  assert.equal(templateLine('deployment.yaml', 'privileged:'), 21);
  assert.deepEqual(deploy?.object.spec, {
    replicas: 2,
    selector: { matchLabels: { app: 'web' } },
    template: {
      metadata: { labels: { app: 'web' } },
      spec: {
        containers: [{ name: 'web', image: 'nginx:1.25', securityContext: { privileged: false } }],
      },
    },
  });
});

test('--values files are passed to helm in order and override values.yaml', () => {
  const render = sourceRenderer({
    cwd: ROOT,
    helmCommand: HELM,
    helmValues: [join('src', 'k8s', 'testdata', 'chart-values-prod.yaml')],
  });
  const r = loadManifests([CHART], { cwd: ROOT, render });
  const deploy = r.resources.find((x) => x.object.kind === 'Deployment');
  const c = (deploy?.object.spec as { template: { spec: { containers: Array<Record<string, unknown>> } } })
    .template.spec.containers[0];
  assert.equal(c?.image, 'nginx:1.27');
  assert.deepEqual(c?.securityContext, { privileged: true });
});

test('a values file that does not exist is a user error', () => {
  assert.throws(
    () => sourceRenderer({ cwd: ROOT, helmCommand: HELM, helmValues: ['no-such-values.yaml'] }),
    (e: unknown) => e instanceof UserError && e.message === 'Helm values file not found: no-such-values.yaml',
  );
});

test('without helm, a chart is a user error naming the chart and how to proceed', () => {
  const render = sourceRenderer({ cwd: ROOT, helmCommand: join(tmp, 'no-such-helm') });
  assert.throws(
    () => loadManifests([CHART], { cwd: ROOT, render }),
    (e: unknown) =>
      e instanceof UserError &&
      e.message.includes(CHART) &&
      e.message.includes('requires helm') &&
      e.message.includes('install helm or pre-render with `helm template`'),
  );
});

test('a failing helm is a user error carrying its first stderr line', () => {
  const chart = join(tmp, 'nameless');
  mkdirSync(join(chart, 'templates'), { recursive: true });
  writeFileSync(join(chart, 'Chart.yaml'), 'apiVersion: v2\nversion: 0.1.0\n');
  const render = sourceRenderer({ cwd: tmp, helmCommand: HELM });
  assert.throws(
    () => loadManifests(['nameless'], { cwd: tmp, render }),
    (e: unknown) =>
      e instanceof UserError &&
      e.where?.file === 'nameless' &&
      /^helm template failed: validation: chart\.metadata\.name is required$/.test(e.message),
  );
});

test('the stand-in fails like helm on a missing chart', { skip: REAL_HELM && 'real helm in use' }, () => {
  assert.throws(
    () =>
      runRenderer(FAKE_HELM, ['template', 'r', join(tmp, 'missing-chart')], {
        what: 'helm template',
        where: 'missing-chart',
        timeoutMs: 30_000,
        missing: 'unused',
      }),
    (e: unknown) =>
      e instanceof UserError &&
      e.message === `helm template failed: path "${join(tmp, 'missing-chart')}" not found`,
  );
});

/** A tiny executable standing in for a misbehaving renderer. */
function script(name: string, body: string): string {
  const p = join(tmp, name);
  writeFileSync(p, `#!/usr/bin/env node\n${body}\n`);
  chmodSync(p, 0o755);
  return p;
}

const RUN = { what: 'helm template', where: 'chart', timeoutMs: 30_000, missing: 'missing' };

test('process handling: exit status, stderr, timeout, output bound', () => {
  const fails = script(
    'fails',
    "process.stderr.write('\\nError: first problem\\nsecond line\\n'); process.exit(3);",
  );
  assert.throws(
    () => runRenderer(fails, [], RUN),
    (e: unknown) => e instanceof UserError && e.message === 'helm template failed: first problem',
  );
  const silent = script('silent', 'process.exit(4);');
  assert.throws(
    () => runRenderer(silent, [], RUN),
    (e: unknown) => e instanceof UserError && e.message === 'helm template failed: exit status 4',
  );
  const hangs = script('hangs', 'setInterval(() => {}, 1000);');
  const started = performance.now();
  assert.throws(
    () => runRenderer(hangs, [], { ...RUN, timeoutMs: 500 }),
    (e: unknown) =>
      e instanceof UserError && /did not finish within 1 s|did not finish within 0 s/.test(e.message),
  );
  assert.ok(performance.now() - started < 10_000);
  const floods = script(
    'floods',
    "const b = Buffer.alloc(1 << 20, 'a'); let n = 0; const w = () => { while (n++ < 80) if (!process.stdout.write(b)) return process.stdout.once('drain', w); }; w();",
  );
  assert.throws(
    () => runRenderer(floods, [], RUN),
    (e: unknown) => e instanceof UserError && /more than 64 MiB of output/.test(e.message),
  );
  const args = script('args', 'process.stdout.write(JSON.stringify(process.argv.slice(2)));');
  assert.equal(runRenderer(args, ['a b', '$(x)', ';'], RUN), '["a b","$(x)",";"]', 'no shell involved');
});

test('helm output is split at # Source comments with template paths under the chart directory', () => {
  const output = [
    '---',
    '# Source: demo/templates/multi.yaml',
    'apiVersion: v1',
    'kind: ConfigMap',
    '---',
    '# Source: demo/templates/multi.yaml',
    'apiVersion: v1',
    'kind: Secret',
    '---',
    '# Source: demo/charts/sub/templates/svc.yaml',
    '# a comment kept in the part',
    'apiVersion: v1',
    'kind: Service',
    '',
  ].join('\n');
  assert.deepEqual(splitHelmOutput(output, join('charts', 'demo')), [
    { file: join('charts', 'demo', 'templates', 'multi.yaml'), text: 'apiVersion: v1\nkind: ConfigMap' },
    { file: join('charts', 'demo', 'templates', 'multi.yaml'), text: 'apiVersion: v1\nkind: Secret' },
    {
      file: join('charts', 'demo', 'charts', 'sub', 'templates', 'svc.yaml'),
      text: '# a comment kept in the part\napiVersion: v1\nkind: Service\n',
    },
  ]);
  assert.deepEqual(splitHelmOutput('', 'c'), []);
  assert.deepEqual(splitHelmOutput('apiVersion: v1\nkind: Pod\n', 'c'), [
    { file: 'c', text: 'apiVersion: v1\nkind: Pod\n' },
  ]);
});

test('first stderr line: helm and kubectl (klog) framing is removed', () => {
  assert.equal(firstErrorLine('Error: path "x" not found\n'), 'path "x" not found');
  assert.equal(
    firstErrorLine(
      'E1127 01:52:12.822884   25458 run.go:72] "command failed" err="accumulating resources: \\"x\\" missing"\n',
    ),
    'accumulating resources: "x" missing',
  );
  assert.equal(
    firstErrorLine('error: unable to find one of kustomization.yaml\n'),
    'unable to find one of kustomization.yaml',
  );
});
