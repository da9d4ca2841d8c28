import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadManifests, MAX_MANIFEST_BYTES, type RenderedSource } from './load.js';
import { UserError } from '../core/errors.js';

const POD = `apiVersion: v1
kind: Pod
metadata:
  name: p
spec:
  containers:
    - name: c
      image: x
`;

let root = '';

before(() => {
  root = mkdtempSync(join(tmpdir(), 'kw-load-'));
  const dir = join(root, 'manifests');
  mkdirSync(join(dir, 'sub'), { recursive: true });
  writeFileSync(join(dir, 'a.yaml'), POD);
  writeFileSync(join(dir, 'sub', 'b.yml'), POD.replace('name: p', 'name: q'));
  writeFileSync(join(dir, 'notes.txt'), 'not a manifest');
  // NUL in the first 8 KiB, and NUL only after it.
  writeFileSync(join(dir, 'image.yaml'), Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x00, 0x01]));
  writeFileSync(join(dir, 'late-nul.yaml'), `${POD}# ${'x'.repeat(9000)}\n\u0000`);
  // Over the size limit (sparse: cheap to create).
  writeFileSync(join(dir, 'huge.yaml'), '');
  truncateSync(join(dir, 'huge.yaml'), MAX_MANIFEST_BYTES + 1);
  // Symbolic links: a loop back to the directory, a link cycle, a link out of the tree.
  symlinkSync(dir, join(dir, 'sub', 'loop'));
  symlinkSync(join(dir, 'cycle-b.yaml'), join(dir, 'cycle-a.yaml'));
  symlinkSync(join(dir, 'cycle-a.yaml'), join(dir, 'cycle-b.yaml'));
  mkdirSync(join(root, 'outside'));
  writeFileSync(join(root, 'outside', 'secret.yaml'), POD.replace('name: p', 'name: outside'));
  symlinkSync(join(root, 'outside', 'secret.yaml'), join(dir, 'link-out.yaml'));

  mkdirSync(join(root, 'bad'));
  writeFileSync(
    join(root, 'bad', 'broken.yaml'),
    'apiVersion: v1\nkind: Pod\nmetadata:\n  name: x\n labels: {}\n',
  );
});

after(() => rmSync(root, { recursive: true, force: true }));

test('a directory loads manifests, skipping binary and huge files with warnings, never following links', () => {
  const r = loadManifests(['manifests'], { cwd: root });
  assert.deepEqual(
    r.resources.map((x) => [x.file, x.line, x.object.metadata.name]),
    [
      [join('manifests', 'a.yaml'), 1, 'p'],
      [join('manifests', 'sub', 'b.yml'), 1, 'q'],
    ],
  );
  assert.deepEqual(
    r.warnings.map((w) => [w.file, w.message]),
    [
      [join('manifests', 'huge.yaml'), 'skipped: file is larger than 16 MiB'],
      [join('manifests', 'image.yaml'), 'skipped: binary file'],
      [join('manifests', 'late-nul.yaml'), 'skipped: binary file'],
    ],
  );
  assert.equal(r.files, 2);
});

test('an explicitly named binary file is a user error; an explicit huge file is skipped', () => {
  assert.throws(
    () => loadManifests(['manifests/image.yaml'], { cwd: root }),
    (e: unknown) =>
      e instanceof UserError && e.where?.file === join('manifests', 'image.yaml') && /binary/.test(e.message),
  );
  const r = loadManifests(['manifests/huge.yaml'], { cwd: root });
  assert.equal(r.resources.length, 0);
  assert.equal(r.warnings[0]?.message, 'skipped: file is larger than 16 MiB');
});

test('an explicitly named symbolic link loop is a user error, not a crash', () => {
  assert.throws(
    () => loadManifests(['manifests/cycle-a.yaml'], { cwd: root }),
    (e: unknown) => e instanceof UserError && /symbolic link loop/.test(e.message),
  );
});

test('a path with .. components resolves and displays relative to cwd', () => {
  const r = loadManifests(['manifests/sub/../sub/../a.yaml', './bad/../manifests/sub'], { cwd: root });
  assert.deepEqual(
    r.resources.map((x) => x.file),
    [join('manifests', 'a.yaml'), join('manifests', 'sub', 'b.yml')],
  );
  const outside = loadManifests(['../outside'], { cwd: join(root, 'manifests') });
  assert.deepEqual(
    outside.resources.map((x) => x.file),
    [join(root, 'outside', 'secret.yaml')],
  );
});

test('malformed YAML is a user error naming the file and the exact line', () => {
  assert.throws(
    () => loadManifests(['bad'], { cwd: root }),
    (e: unknown) =>
      e instanceof UserError &&
      e.oneLine() ===
        `${join('bad', 'broken.yaml')}:5: invalid YAML: All mapping items must start at the same column`,
  );
});

test('a missing path is a user error', () => {
  assert.throws(
    () => loadManifests(['nope.yaml'], { cwd: root }),
    (e: unknown) => e instanceof UserError && e.message === 'path not found: nope.yaml',
  );
});

test('stdin `-` is read once and named <stdin>', () => {
  let reads = 0;
  const r = loadManifests(['-'], {
    cwd: root,
    readStdin: () => {
      reads++;
      return `---\n${POD}`;
    },
  });
  assert.equal(reads, 1);
  assert.deepEqual(
    r.resources.map((x) => [x.file, x.line, x.lineOf(['spec', 'containers', 0, 'image'])]),
    [['<stdin>', 2, 9]],
  );
  assert.throws(() => loadManifests(['-'], { cwd: root }), UserError);
  assert.throws(
    () => loadManifests(['-'], { cwd: root, readStdin: () => 'a\u0000b' }),
    (e: unknown) => e instanceof UserError && e.where?.file === '<stdin>',
  );
});

test('a renderer replaces the directory walk, gets the shown path, and its parts keep their lines', () => {
  const calls: Array<[string, string]> = [];
  const render = (dir: string, shown: string): RenderedSource | undefined => {
    calls.push([dir, shown]);
    if (!dir.endsWith('sub')) return undefined;
    return {
      parts: [
        { file: join(shown, 'templates', 'x.yaml'), text: POD },
        { file: join(shown, 'kustomization.yaml'), text: `# pad\n${POD}`, lineOffset: 10 },
      ],
      warnings: [{ message: 'rendered' }],
    };
  };
  const r = loadManifests(['manifests'], { cwd: root, render });
  assert.deepEqual(calls, [
    [join(root, 'manifests'), 'manifests'],
    [join(root, 'manifests', 'sub'), join('manifests', 'sub')],
  ]);
  assert.deepEqual(
    r.resources.map((x) => [x.file, x.line]),
    [
      [join('manifests', 'a.yaml'), 1],
      [join('manifests', 'sub', 'templates', 'x.yaml'), 1],
      [join('manifests', 'sub', 'kustomization.yaml'), 12],
    ],
  );
  assert.ok(r.warnings.some((w) => w.message === 'rendered'));
});
