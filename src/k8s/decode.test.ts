import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeManifests } from './decode.js';
import { findPodSpecs } from './pod-spec.js';

test('a JSON manifest decodes with exact lines', () => {
  const text = `{
  "apiVersion": "v1",
  "kind": "Pod",
  "metadata": {"name": "j"},
  "spec": {
    "containers": [
      {"name": "c", "image": "x"}
    ]
  }
}
`;
  const { resources, warnings } = decodeManifests(text, 'pod.json');
  assert.deepEqual(warnings, []);
  const [pod] = resources;
  assert.equal(pod?.object.kind, 'Pod');
  assert.equal(pod?.line, 1);
  assert.equal(pod?.lineOf(['metadata', 'name']), 4);
  assert.equal(pod?.lineOf(['spec']), 5);
  assert.equal(pod?.lineOf(['spec', 'containers', 0]), 7);
  assert.equal(pod?.lineOf(['spec', 'containers', 0, 'image']), 7);
});

const LIST = `apiVersion: v1
kind: List
items:
  - apiVersion: v1
    kind: ConfigMap
    metadata:
      name: a
  - apiVersion: v1
    kind: PodList
    items:
      - apiVersion: v1
        kind: Pod
        metadata:
          name: p
        spec:
          containers:
            - name: c
              image: x
  - kind: NoApiVersion
    metadata: {name: z}
`;

test('List and nested *List kinds are flattened with positions of each item', () => {
  const { resources, warnings } = decodeManifests(LIST, 'list.yaml');
  assert.deepEqual(
    resources.map((r) => [r.object.kind, r.line]),
    [
      ['ConfigMap', 4],
      ['Pod', 11],
    ],
  );
  const pod = resources[1];
  assert.equal(pod?.lineOf([]), 11);
  assert.equal(pod?.lineOf(['metadata', 'name']), 14);
  assert.equal(pod?.lineOf(['spec', 'containers', 0]), 17);
  assert.equal(pod?.lineOf(['spec', 'containers', 0, 'image']), 18);
  // A missing field points at its nearest existing parent.
  assert.equal(pod?.lineOf(['spec', 'containers', 0, 'securityContext', 'privileged']), 17);
  assert.deepEqual(warnings, [
    { file: 'list.yaml', line: 19, message: 'skipped a document without apiVersion and kind' },
  ]);
});

test('the same List through the yaml library path (an anchor forces it) keeps the same lines', () => {
  const { resources } = decodeManifests(LIST.replace('name: a', 'name: &n a'), 'list.yaml');
  assert.deepEqual(
    resources.map((r) => [r.object.kind, r.line, r.lineOf(['metadata', 'name'])]),
    [
      ['ConfigMap', 4, 7],
      ['Pod', 11, 14],
    ],
  );
});

test('documents without apiVersion/kind and non-mapping documents are warnings with lines', () => {
  const text = `apiVersion: v1
kind: ConfigMap
metadata: {name: ok}
---
# only metadata below
metadata:
  name: orphan
---
- just
- a list
---
kind: ""
apiVersion: v1
`;
  const { resources, warnings } = decodeManifests(text, 'm.yaml');
  assert.equal(resources.length, 1);
  assert.deepEqual(warnings, [
    { file: 'm.yaml', line: 6, message: 'skipped a document without apiVersion and kind' },
    { file: 'm.yaml', line: 9, message: 'skipped a document that is not a mapping' },
    { file: 'm.yaml', line: 12, message: 'skipped a document without apiVersion and kind' },
  ]);
});

test('unknown kinds are loaded; CRDs embedding pod templates are found by the generic search', () => {
  const text = `apiVersion: argoproj.io/v1alpha1
kind: Rollout
metadata:
  name: r
spec:
  template:
    spec:
      containers:
        - name: c
          image: x
---
apiVersion: example.com/v1
kind: Widget
metadata:
  name: w
`;
  const { resources, warnings } = decodeManifests(text, 'crd.yaml');
  assert.deepEqual(warnings, []);
  assert.deepEqual(
    resources.map((r) => r.object.kind),
    ['Rollout', 'Widget'],
  );
  const [spec] = findPodSpecs(resources[0]!);
  assert.deepEqual(spec?.path, ['spec', 'template', 'spec']);
  assert.equal(resources[0]?.lineOf([...(spec?.path ?? []), 'containers', 0, 'image']), 10);
});

test('non-string label and annotation values are read as strings with a warning', () => {
  const text = `apiVersion: v1
kind: Pod
metadata:
  name: p
  labels:
    version: 1.0
    enabled: true
    empty:
    nested: {a: b}
    ok: "yes"
  annotations: [not, a, map]
`;
  const { resources, warnings } = decodeManifests(text, 'p.yaml');
  assert.deepEqual(resources[0]?.object.metadata.labels, {
    version: '1',
    enabled: 'true',
    empty: '',
    ok: 'yes',
  });
  assert.equal(resources[0]?.object.metadata.annotations, undefined);
  assert.deepEqual(
    warnings.map((w) => [w.line, w.message]),
    [
      [6, 'metadata.labels.version is not a string (Kubernetes rejects this); read as "1"'],
      [7, 'metadata.labels.enabled is not a string (Kubernetes rejects this); read as "true"'],
      [8, 'metadata.labels.empty is not a string (Kubernetes rejects this); read as ""'],
      [9, 'ignored metadata.labels.nested: not a string'],
      [11, 'ignored metadata.annotations: not a mapping'],
    ],
  );
});

test('empty documents, `---`-only files and comment-only documents give nothing and no warnings', () => {
  for (const text of ['', '---\n', '---\n---\n---\n', '# just a comment\n', '---\n# c\n---\n\n']) {
    assert.deepEqual(decodeManifests(text, 'e.yaml'), { resources: [], warnings: [] }, JSON.stringify(text));
  }
});

test('duplicate keys take the last value', () => {
  const text = 'apiVersion: v1\nkind: Pod\nmetadata:\n  name: first\n  name: second\n';
  const { resources } = decodeManifests(text, 'd.yaml');
  assert.equal(resources[0]?.object.metadata.name, 'second');
  assert.equal(resources[0]?.lineOf(['metadata', 'name']), 5);
});

test('lineOffset is applied to resources and warnings', () => {
  const { resources, warnings } = decodeManifests('apiVersion: v1\nkind: Pod\n---\nfoo: 1\n', 'o.yaml', 100);
  assert.equal(resources[0]?.line, 101);
  assert.equal(warnings[0]?.line, 104);
});
