import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  buildResponse,
  jsonDepthExceeds,
  MAX_WARNING_CHARS,
  MAX_WARNINGS,
  parseReview,
  ReviewError,
  sanitizeWarnings,
} from './review.js';
import { AdmissionMetrics } from './metrics.js';

const minimal = (request: unknown, apiVersion = 'admission.k8s.io/v1'): string =>
  JSON.stringify({ apiVersion, kind: 'AdmissionReview', request });
const req = {
  uid: 'u-1',
  kind: { group: '', version: 'v1', kind: 'Pod' },
  resource: { group: '', version: 'v1', resource: 'pods' },
  operation: 'CREATE',
  userInfo: { username: 'alice' },
  object: { kind: 'Pod' },
};

test('parseReview accepts v1 and v1beta1 and normalises nulls', () => {
  const p = parseReview(minimal({ ...req, oldObject: null, options: null }, 'admission.k8s.io/v1beta1'));
  assert.equal(p.apiVersion, 'admission.k8s.io/v1beta1');
  assert.equal(p.request.uid, 'u-1');
  assert.equal(p.request.dryRun, false);
  assert.equal('oldObject' in p.request, false);
});

test('parseReview rejects malformed reviews with 400 and a clear message', () => {
  const cases: Array<[string, RegExp]> = [
    ['not json', /not valid JSON/],
    ['[]', /JSON object/],
    [JSON.stringify({ apiVersion: 'admission.k8s.io/v1', kind: 'AdmissionReview' }), /no request/],
    [minimal([req]), /no request/],
    [minimal({ ...req, uid: '' }), /uid is missing/],
    [minimal({ ...req, uid: 5 }), /uid is missing/],
    [minimal(req, 'admission.k8s.io/v2'), /unsupported AdmissionReview apiVersion/],
    [minimal({ ...req, operation: 'PATCH' }), /operation must be one of/],
    [minimal({ ...req, object: 'x' }), /object must be an object/],
    [minimal({ ...req, kind: [] }), /request.kind must be/],
    [minimal({ ...req, dryRun: 'yes' }), /dryRun must be a boolean/],
    ['['.repeat(100_000), /nests deeper/],
  ];
  for (const [body, re] of cases) {
    assert.throws(
      () => parseReview(body),
      (e: unknown) => e instanceof ReviewError && e.httpStatus === 400 && re.test(e.message),
      body.slice(0, 60),
    );
  }
});

test('jsonDepthExceeds ignores brackets inside strings', () => {
  assert.equal(jsonDepthExceeds(JSON.stringify({ a: '[[[[[[[[[[' }), 3), false);
  assert.equal(jsonDepthExceeds('[[[[', 3), true);
  assert.equal(jsonDepthExceeds(JSON.stringify({ a: '\\"[[[[' }), 2), false);
});

/** The plain character walk the string-skipping scan must agree with. */
function depthExceedsReference(text: string, limit: number): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (inString) {
      if (c === '\\') i++;
      else if (c === '"') inString = false;
    } else if (c === '"') inString = true;
    else if (c === '[' || c === '{') {
      if (++depth > limit) return true;
    } else if (c === ']' || c === '}') depth--;
  }
  return false;
}

test('jsonDepthExceeds agrees with a character-by-character walk on generated JSON and garbage', () => {
  let seed = 7;
  const rand = (n: number): number => {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    return seed % n;
  };
  const alphabet = ['[', ']', '{', '}', '"', '\\', 'a', ',', ':', ' ', '\\"', '\\\\'];
  const value = (d: number): unknown => {
    const k = rand(d > 6 ? 3 : 6);
    if (k === 0)
      return alphabet
        .slice(0, 1 + rand(alphabet.length))
        .join('')
        .repeat(1 + rand(3));
    if (k === 1) return rand(100);
    if (k === 2) return null;
    if (k === 3) return Array.from({ length: rand(4) }, () => value(d + 1));
    return Object.fromEntries(Array.from({ length: rand(4) }, (_, i) => [`k${i}"\\[`, value(d + 1)]));
  };
  for (let i = 0; i < 3000; i++) {
    const text =
      i % 3 === 0
        ? Array.from({ length: rand(40) }, () => alphabet[rand(alphabet.length)]).join('') // not JSON at all
        : JSON.stringify(value(0));
    for (const limit of [0, 1, 2, 3, 5, 8]) {
      assert.equal(jsonDepthExceeds(text, limit), depthExceedsReference(text, limit), `${text} @${limit}`);
    }
  }
});

test('sanitizeWarnings caps count and length and strips newlines', () => {
  const out = sanitizeWarnings([
    'line one\nline two\r\n\ttabbed',
    'x'.repeat(500),
    '',
    '   ',
    42 as unknown as string,
    ...Array.from({ length: 40 }, (_, i) => `w${i}`),
  ]);
  assert.equal(out.length, MAX_WARNINGS);
  assert.equal(out[0], 'line one line two tabbed');
  assert.equal(out[1]?.length, MAX_WARNING_CHARS);
  assert.ok(out[1]?.endsWith('...'));
  for (const w of out) assert.doesNotMatch(w, /[\n\r\t]/);
  // A surrogate pair is never split at the cut.
  const emoji = sanitizeWarnings(['a'.repeat(116) + '😀😀😀'])[0] ?? '';
  assert.ok(emoji.length <= MAX_WARNING_CHARS);
  assert.doesNotMatch(emoji, /[\ud800-\udbff](?![\udc00-\udfff])/);
});

test('buildResponse: denial status, patch only on allowed mutate, audit annotation keys checked', () => {
  const parsed = parseReview(minimal(req));
  const denied = buildResponse(parsed, { allowed: false }, 'validate').review.response;
  assert.deepEqual(denied.status, {
    metadata: {},
    status: 'Failure',
    code: 403,
    reason: 'Forbidden',
    message: 'denied by kubeward',
  });
  assert.equal(
    buildResponse(parsed, { allowed: false, code: 200 }, 'validate').review.response.status?.code,
    403,
  );
  const patch = [{ op: 'add' as const, path: '/metadata/labels/x', value: 'y' }];
  const m = buildResponse(parsed, { allowed: true, patch }, 'mutate').review.response;
  assert.equal(m.patchType, 'JSONPatch');
  assert.deepEqual(JSON.parse(Buffer.from(m.patch ?? '', 'base64').toString('utf8')), patch);
  const v = buildResponse(parsed, { allowed: true, patch }, 'validate');
  assert.equal(v.review.response.patch, undefined);
  assert.match(v.notes.join(), /validating webhooks cannot mutate/);
  assert.equal(
    buildResponse(parsed, { allowed: true, patch: [] }, 'mutate').review.response.patchType,
    undefined,
  );
  const a = buildResponse(
    parsed,
    { allowed: true, auditAnnotations: { 'policy-result': 'pass', 'bad key/x': 'v' } },
    'validate',
  );
  assert.deepEqual(a.review.response.auditAnnotations, { 'policy-result': 'pass' });
});

test('metrics render valid Prometheus text with escaped labels and cumulative buckets', () => {
  const m = new AdmissionMetrics();
  m.requestDuration.observe({ webhook: 'validate' }, 0.003);
  m.requestDuration.observe({ webhook: 'validate' }, 0.2);
  m.decisions.inc({ policy: 'no "priv"\\\n', result: 'fail' });
  const text = m.render();
  assert.match(text, /# TYPE kubeward_admission_request_duration_seconds histogram/);
  assert.match(
    text,
    /kubeward_admission_request_duration_seconds_bucket\{webhook="validate",le="0.005"\} 1\n/,
  );
  assert.match(
    text,
    /kubeward_admission_request_duration_seconds_bucket\{webhook="validate",le="0.25"\} 2\n/,
  );
  assert.match(
    text,
    /kubeward_admission_request_duration_seconds_bucket\{webhook="validate",le="\+Inf"\} 2\n/,
  );
  assert.match(text, /kubeward_admission_request_duration_seconds_count\{webhook="validate"\} 2\n/);
  assert.ok(
    text.includes('kubeward_admission_decisions_total{policy="no \\"priv\\"\\\\\\n",result="fail"} 1\n'),
  );
  assert.ok(text.endsWith('\n'));
});
