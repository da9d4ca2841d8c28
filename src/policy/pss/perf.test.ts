import { test } from 'node:test';
import assert from 'node:assert/strict';
import { performance } from 'node:perf_hooks';
import { evaluatePss } from './evaluate.js';

/** A typical application pod: two containers, an init container, probes, a few volumes, compliant. */
function typicalPod(): { spec: Record<string, unknown>; meta: Record<string, unknown> } {
  const hardened = {
    allowPrivilegeEscalation: false,
    capabilities: { drop: ['ALL'] },
    readOnlyRootFilesystem: true,
  };
  const container = (name: string) => ({
    name,
    image: `registry.example.com/${name}:1.2.3`,
    ports: [{ containerPort: 8080, name: 'http' }],
    securityContext: hardened,
    livenessProbe: { httpGet: { path: '/healthz', port: 8080 } },
    readinessProbe: { httpGet: { path: '/ready', port: 8080 } },
    volumeMounts: [{ name: 'config', mountPath: '/etc/app' }],
  });
  return {
    meta: { labels: { app: 'web' }, annotations: { 'prometheus.io/scrape': 'true' } },
    spec: {
      securityContext: { runAsNonRoot: true, runAsUser: 10001, seccompProfile: { type: 'RuntimeDefault' } },
      initContainers: [
        { name: 'migrate', image: 'registry.example.com/migrate:1', securityContext: hardened },
      ],
      containers: [container('app'), container('sidecar')],
      volumes: [
        { name: 'config', configMap: { name: 'web' } },
        { name: 'tmp', emptyDir: {} },
        { name: 'token', projected: { sources: [] } },
      ],
    },
  };
}

test('restricted:latest on a typical pod takes well under 1 ms on average', () => {
  const { spec, meta } = typicalPod();
  assert.ok(evaluatePss(spec, meta, 'restricted', 'latest').every((r) => r.allowed));
  for (let i = 0; i < 1000; i++) evaluatePss(spec, meta, 'restricted', 'latest'); // warm up
  const n = 10_000;
  const start = performance.now();
  let forbidden = 0;
  for (let i = 0; i < n; i++) {
    for (const r of evaluatePss(spec, meta, 'restricted', 'latest')) if (!r.allowed) forbidden++;
  }
  const mean = (performance.now() - start) / n;
  console.log(`restricted:latest mean ${(mean * 1000).toFixed(1)} µs over ${n} evaluations`);
  assert.equal(forbidden, 0);
  assert.ok(mean < 0.2, `mean ${mean} ms should be < 0.2 ms`);
});
