import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { commandWorks, integration } from '../../test/support/integration.js';
import { UserError } from '../core/errors.js';
import { loadManifests } from './load.js';
import { kustomizationFile } from './render-kustomize.js';
import { sourceRenderer } from './render-sources.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const FIXTURE = join('src', 'k8s', 'testdata', 'kustomize');
const KUBECTL = commandWorks('kubectl', ['version', '--client']);

let tmp = '';
before(() => {
  tmp = mkdtempSync(join(tmpdir(), 'kw-kustomize-'));
});
after(() => rmSync(tmp, { recursive: true, force: true }));

test('kustomization files are recognised under all three names', () => {
  for (const name of ['kustomization.yaml', 'kustomization.yml', 'Kustomization']) {
    const dir = join(tmp, `k-${name}`);
    mkdirSync(dir);
    writeFileSync(join(dir, name), 'resources: []\n');
    assert.equal(kustomizationFile(dir), name);
  }
  assert.equal(kustomizationFile(tmp), undefined);
});

test('kustomize directories render with kubectl kustomize, lines within the rendered output', (t) => {
  if (!integration(t, 'kustomize-rendering', KUBECTL, 'kubectl not found')) return;
  const render = sourceRenderer({ cwd: ROOT });
  // The fixture root is a plain directory: the walk renders base and overlays/prod separately.
  const r = loadManifests([FIXTURE], { cwd: ROOT, render });
  assert.deepEqual(r.warnings, []);
  const base = join(FIXTURE, 'base', 'kustomization.yaml');
  const prod = join(FIXTURE, 'overlays', 'prod', 'kustomization.yaml');
  assert.deepEqual(
    r.resources.map((x) => [
      x.file,
      x.line,
      x.object.kind,
      x.object.metadata.name,
      x.object.metadata.namespace,
    ]),
    [
      [base, 1, 'Service', 'web', undefined],
      [base, 11, 'Deployment', 'web', undefined],
      [prod, 1, 'Service', 'prod-web', 'prod'],
      [prod, 12, 'Deployment', 'prod-web', 'prod'],
    ],
  );
  // kubectl kustomize (v5) output for the overlay; the patch added the securityContext:
  //   26        containers:
  //   27        - image: nginx:1.25
  //   28          name: web
  //   29          securityContext:
  //   30            privileged: true
  const deploy = r.resources[3];
  const container = ['spec', 'template', 'spec', 'containers', 0];
  assert.equal(deploy?.lineOf([...container]), 27);
  assert.equal(deploy?.lineOf([...container, 'securityContext', 'privileged']), 30);
  assert.equal(r.resources[2]?.lineOf(['spec', 'ports', 0]), 8);
});

test('a failing kustomization is a user error with kubectl’s first error line', (t) => {
  if (!integration(t, 'kustomize-rendering', KUBECTL, 'kubectl not found')) return;
  const dir = join(tmp, 'broken');
  mkdirSync(dir);
  writeFileSync(join(dir, 'kustomization.yaml'), 'resources:\n  - missing.yaml\n');
  assert.throws(
    () => loadManifests(['broken'], { cwd: tmp, render: sourceRenderer({ cwd: tmp }) }),
    (e: unknown) =>
      e instanceof UserError &&
      e.where?.file === join('broken', 'kustomization.yaml') &&
      /^kubectl kustomize failed: .*missing\.yaml/.test(e.message) &&
      !e.message.includes('\n'),
  );
});

test('without kubectl, a kustomize directory is a user error naming it', () => {
  const render = sourceRenderer({ cwd: ROOT, kubectlCommand: join(tmp, 'no-such-kubectl') });
  const prod = join(FIXTURE, 'overlays', 'prod');
  assert.throws(
    () => loadManifests([prod], { cwd: ROOT, render }),
    (e: unknown) =>
      e instanceof UserError &&
      e.message.includes(prod) &&
      e.message.includes('requires kubectl') &&
      e.message.includes('pre-render with `kubectl kustomize`'),
  );
});
