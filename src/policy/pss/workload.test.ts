import { test } from 'node:test';
import assert from 'node:assert/strict';
import { podSpecOf, PSS_WORKLOAD_KINDS } from './workload.js';
import { evaluatePss } from './evaluate.js';

const spec = { containers: [{ name: 'app', image: 'nginx', securityContext: { privileged: true } }] };
const meta = { labels: { app: 'web' }, annotations: { a: 'b' } };
const template = { metadata: meta, spec };

const objects: Record<string, Record<string, unknown>> = {
  Pod: { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', ...meta }, spec },
  PodTemplate: { apiVersion: 'v1', kind: 'PodTemplate', metadata: { name: 't' }, template },
  Deployment: { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'd' }, spec: { template } },
  ReplicaSet: { apiVersion: 'apps/v1', kind: 'ReplicaSet', metadata: { name: 'r' }, spec: { template } },
  StatefulSet: { apiVersion: 'apps/v1', kind: 'StatefulSet', metadata: { name: 's' }, spec: { template } },
  DaemonSet: { apiVersion: 'apps/v1', kind: 'DaemonSet', metadata: { name: 'ds' }, spec: { template } },
  Job: { apiVersion: 'batch/v1', kind: 'Job', metadata: { name: 'j' }, spec: { template } },
  ReplicationController: {
    apiVersion: 'v1',
    kind: 'ReplicationController',
    metadata: { name: 'rc' },
    spec: { template },
  },
  CronJob: {
    apiVersion: 'batch/v1',
    kind: 'CronJob',
    metadata: { name: 'c' },
    spec: { schedule: '* * * * *', jobTemplate: { spec: { template } } },
  },
};

test('podSpecOf extracts the pod spec and pod metadata of every supported kind', () => {
  assert.deepEqual([...PSS_WORKLOAD_KINDS].sort(), Object.keys(objects).sort());
  for (const [kind, o] of Object.entries(objects)) {
    const got = podSpecOf(o);
    assert.ok(got, kind);
    assert.equal(got.podSpec, spec, kind);
    if (kind === 'Pod') assert.deepEqual(got.podMeta, { name: 'p', ...meta });
    else assert.equal(got.podMeta, meta, kind);
    const r = evaluatePss(got.podSpec, got.podMeta, 'baseline', 'latest').find((x) => x.id === 'privileged');
    assert.equal(r?.forbiddenDetail, 'container "app" must not set securityContext.privileged=true', kind);
  }
});

test('podSpecOf: unsupported kinds and malformed objects', () => {
  assert.equal(podSpecOf({ apiVersion: 'v1', kind: 'Service', spec: {} }), undefined);
  assert.equal(
    podSpecOf({ apiVersion: 'argoproj.io/v1alpha1', kind: 'Rollout', spec: { template } }),
    undefined,
  );
  assert.equal(podSpecOf({ kind: 'Deployment', spec: {} }), undefined);
  assert.equal(podSpecOf({ kind: 'Deployment', spec: { template: { metadata: meta } } }), undefined);
  assert.equal(podSpecOf({ kind: 'Pod' }), undefined);
  assert.equal(podSpecOf(null), undefined);
  assert.equal(podSpecOf([]), undefined);
  assert.equal(podSpecOf('Pod'), undefined);
  // a template without metadata gets empty metadata
  assert.deepEqual(podSpecOf({ kind: 'Job', spec: { template: { spec } } })?.podMeta, {});
});
