import assert from 'node:assert/strict';
import { test } from 'node:test';
import { AdmissionMetrics } from './metrics.js';

test('counters keep one series per label set, in creation order', () => {
  const m = new AdmissionMetrics();
  m.decisions.inc({ policy: 'pss:restricted', result: 'pass' });
  m.decisions.inc({ policy: 'vap:a/b', result: 'fail' });
  m.decisions.inc({ policy: 'pss:restricted', result: 'pass' }, 2);
  assert.equal(m.decisions.get({ policy: 'pss:restricted', result: 'pass' }), 3);
  assert.equal(m.decisions.get({ policy: 'vap:a/b', result: 'fail' }), 1);
  assert.equal(m.decisions.get({ policy: 'vap:a/b', result: 'pass' }), 0);
  const text = m.render();
  const lines = text.split('\n').filter((l) => l.startsWith('kubeward_admission_decisions_total{'));
  assert.deepEqual(lines, [
    'kubeward_admission_decisions_total{policy="pss:restricted",result="pass"} 3',
    'kubeward_admission_decisions_total{policy="vap:a/b",result="fail"} 1',
  ]);
});

test('label values never collide, whatever characters they hold', () => {
  const m = new AdmissionMetrics();
  // With a concatenated key these two would share a series.
  m.decisions.inc({ policy: 'a\u0000result\u0000x', result: 'y' });
  m.decisions.inc({ policy: 'a', result: 'x\u0001result\u0000y' });
  assert.equal(m.decisions.get({ policy: 'a\u0000result\u0000x', result: 'y' }), 1);
  assert.equal(m.decisions.get({ policy: 'a', result: 'x\u0001result\u0000y' }), 1);
  // Values are escaped in the exposition.
  m.decisions.inc({ policy: 'quote"and\\slash\nnewline', result: 'pass' });
  assert.match(m.render(), /policy="quote\\"and\\\\slash\\nnewline"/);
});

test('histograms count cumulative buckets per label set; a series may have no labels', () => {
  const m = new AdmissionMetrics();
  m.requestDuration.observe({ webhook: 'validate' }, 0.003);
  m.requestDuration.observe({ webhook: 'validate' }, 0.2);
  m.requestDuration.observe({ webhook: 'mutate' }, 20);
  assert.equal(m.requestDuration.count({ webhook: 'validate' }), 2);
  assert.equal(m.requestDuration.count({ webhook: 'mutate' }), 1);
  const text = m.render();
  assert.match(text, /_bucket\{webhook="validate",le="0.005"\} 1\n/);
  assert.match(text, /_bucket\{webhook="validate",le="0.25"\} 2\n/);
  assert.match(text, /_bucket\{webhook="mutate",le="10"\} 0\n/);
  assert.match(text, /_bucket\{webhook="mutate",le="\+Inf"\} 1\n/);
  m.tlsReloads.inc({});
  m.tlsReloads.inc({});
  assert.equal(m.tlsReloads.get({}), 2);
  assert.match(m.render(), /^kubeward_admission_tls_reloads_total 2$/m);
});
