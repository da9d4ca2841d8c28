import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeManifests } from '../k8s/decode.js';
import { scanResources } from './scan.js';
import { privileged } from './checks/pod-security.js';
import type { KubewardConfig } from '../core/config.js';

const yaml = `apiVersion: v1
kind: Pod
metadata:
  name: a
  namespace: team-a
  annotations:
    kubeward.io/ignore: "KW-POD-001"
    kubeward.io/ignore-reason: "node agent needs it"
spec:
  containers:
    - name: c
      image: x
      securityContext: { privileged: true }
---
apiVersion: v1
kind: Pod
metadata: { name: b, namespace: team-b }
spec:
  containers:
    - name: c
      image: x
      securityContext: { privileged: true }
---
apiVersion: example.com/v1
kind: Widget
metadata: { name: w }
spec: { size: 3 }
---
apiVersion: example.com/v1
kind: Widget
metadata: { name: w2 }
`;
const scan = (config: KubewardConfig, now = new Date('2026-11-27T12:00:00Z')) =>
  scanResources(decodeManifests(yaml, 'm.yaml').resources, { config, checks: [privileged], now });

test('annotation suppression marks the finding suppressed with its reason, others stay', () => {
  const r = scan({});
  assert.deepEqual(
    r.findings.map((f) => [f.resource.name, f.suppressed, f.suppression?.reason]),
    [
      ['a', true, 'node agent needs it'],
      ['b', false, undefined],
    ],
  );
});

test('config suppressions apply until their expiry day and are reported once expired', () => {
  const rule = {
    checkId: 'KW-POD-*',
    namespace: 'team-b',
    reason: 'accepted risk',
    expires: '2026-11-27',
    source: { file: '.kubeward.yaml', line: 4 },
  };
  const active = scan({ suppressions: [rule] });
  assert.equal(active.findings.find((f) => f.resource.name === 'b')?.suppressed, true);
  assert.equal(active.findings.find((f) => f.resource.name === 'b')?.suppression?.source, 'config');
  const expired = scan({ suppressions: [rule] }, new Date('2026-11-28T00:00:01Z'));
  assert.equal(expired.findings.find((f) => f.resource.name === 'b')?.suppressed, false);
  assert.ok(
    expired.warnings.some(
      (w) => /expired on 2026-11-27/.test(w.message) && w.file === '.kubeward.yaml' && w.line === 4,
    ),
  );
});

test('disabled checks do not run; severity overrides apply', () => {
  assert.equal(scan({ checks: { disabled: ['KW-POD-001'] } }).findings.length, 0);
  assert.ok(
    scan({ checks: { severity: { 'KW-POD-001': 'low' } } }).findings.every((f) => f.severity === 'low'),
  );
});

test('kinds no check reads are skipped with one warning per kind', () => {
  const w = scan({}).warnings.filter((x) => /no checks apply/.test(x.message));
  assert.equal(w.length, 1);
  assert.match(w[0]!.message, /kind example.com\/v1\/Widget; 2 resources of this kind skipped/);
  assert.equal(w[0]!.line, 24);
});

test('suppression rules match vulnerability findings by any alias', async () => {
  const { applySuppressionRules } = await import('../core/suppress.js');
  const f = {
    checkId: 'DEBIAN-CVE-2023-5678',
    title: 't',
    severity: 'high' as const,
    message: 'm',
    resource: { apiVersion: 'oci.image/v1', kind: 'Image', name: 'ghcr.io/acme/api:1.0' },
    location: { file: 'var/lib/dpkg/status', line: 1 },
    frameworks: [],
    remediation: 'r',
    suppressed: false,
    vulnerability: {
      id: 'DEBIAN-CVE-2023-5678',
      aliases: ['CVE-2023-5678'],
      package: {
        name: 'libssl3',
        version: '1',
        type: 'deb',
        ecosystem: 'Debian:12',
        purl: 'pkg:deb/debian/libssl3@1',
      },
      fixAvailable: true,
    },
  };
  applySuppressionRules(
    [f],
    [
      {
        checkId: 'CVE-2023-5678',
        kind: 'Image',
        name: 'ghcr.io/acme/api:*',
        reason: 'not reachable',
        expires: '2099-01-01',
      },
    ],
    new Date(),
  );
  assert.equal(f.suppressed, true);
});
