import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { request as httpsRequest } from 'node:https';
import { connect as tlsConnect, createServer as createTlsServer, type ConnectionOptions } from 'node:tls';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { commandWorks, integration } from '../../test/support/integration.js';
import { createAdmissionServer, INTERNAL_ERROR_MESSAGE, type AdmissionServerOptions } from './server.js';
import type { AdmissionDecision, AdmissionLogEntry, AdmissionRequest } from './types.js';

const FIXTURES = fileURLToPath(new URL('../../test/fixtures/admission/', import.meta.url));
const fixture = (name: string): string => readFileSync(join(FIXTURES, name), 'utf8');
const HAVE_OPENSSL = commandWorks('openssl', ['version']);

function openssl(args: string[], cwd: string): void {
  execFileSync('openssl', args, { cwd, stdio: 'pipe' });
}

/** A throwaway CA and a function that issues 127.0.0.1 serving certs from it. */
function makePki(dir: string): { ca: Buffer; issue: (name: string) => { cert: string; key: string } } {
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
  openssl(
    [
      'req',
      '-x509',
      ...ec,
      '-keyout',
      'ca.key',
      '-out',
      'ca.crt',
      '-days',
      '1',
      '-subj',
      '/CN=kubeward-test-ca',
    ],
    dir,
  );
  writeFileSync(join(dir, 'ext.cnf'), 'subjectAltName=IP:127.0.0.1,DNS:localhost\n');
  return {
    ca: readFileSync(join(dir, 'ca.crt')),
    issue(name) {
      openssl(
        ['req', ...ec, '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', '/CN=kubeward-webhook'],
        dir,
      );
      const args = [
        'x509',
        '-req',
        '-in',
        `${name}.csr`,
        '-CA',
        'ca.crt',
        '-CAkey',
        'ca.key',
        '-CAcreateserial',
      ];
      openssl([...args, '-days', '1', '-extfile', 'ext.cnf', '-out', `${name}.crt`], dir);
      return { cert: join(dir, `${name}.crt`), key: join(dir, `${name}.key`) };
    },
  };
}

interface Reply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
  json: () => Record<string, unknown>;
}

function call(
  port: number,
  ca: Buffer,
  opts: { method?: string; path: string; body?: string | Buffer; headers?: Record<string, string> },
): Promise<Reply> {
  return new Promise((resolve, reject) => {
    let answered = false;
    const req = httpsRequest(
      {
        host: '127.0.0.1',
        port,
        ca,
        agent: false,
        method: opts.method ?? 'POST',
        path: opts.path,
        headers: {
          ...(opts.body !== undefined ? { 'Content-Type': 'application/json' } : {}),
          ...opts.headers,
        },
      },
      (res) => {
        answered = true;
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            text,
            json: () => JSON.parse(text) as Record<string, unknown>,
          });
        });
      },
    );
    // Once the server answered (413 while we were still uploading), a write error is expected.
    req.on('error', (e) => {
      if (!answered) reject(e);
    });
    req.end(opts.body);
  });
}

const review = (r: Reply): { uid: string; allowed: boolean; [k: string]: unknown } =>
  r.json().response as { uid: string; allowed: boolean };

function fingerprint(port: number, ca: Buffer, extra: ConnectionOptions = {}): Promise<string> {
  return new Promise((resolve, reject) => {
    const s = tlsConnect({ host: '127.0.0.1', port, ca, ...extra }, () => {
      const fp = s.getPeerCertificate().fingerprint256;
      s.end();
      resolve(fp);
    });
    s.on('error', reject);
  });
}

async function waitFor(cond: () => Promise<boolean> | boolean, ms: number): Promise<boolean> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (await cond()) return true;
    await new Promise((r) => setTimeout(r, 50));
  }
  return cond();
}

interface Harness {
  port: number;
  ca: Buffer;
  logs: AdmissionLogEntry[];
  seen: AdmissionRequest[];
  close: () => Promise<void>;
  server: ReturnType<typeof createAdmissionServer>;
}

async function start(
  t: TestContext,
  dir: string,
  pki: ReturnType<typeof makePki>,
  evaluate: AdmissionServerOptions['evaluate'],
  extra: Partial<AdmissionServerOptions> = {},
): Promise<Harness> {
  const pair = pki.issue(`leaf-${Math.random().toString(36).slice(2)}`);
  const logs: AdmissionLogEntry[] = [];
  const seen: AdmissionRequest[] = [];
  const server = createAdmissionServer({
    tlsCertFile: pair.cert,
    tlsKeyFile: pair.key,
    evaluate: (r) => {
      seen.push(r);
      return evaluate(r);
    },
    logger: (e) => logs.push(e),
    ...extra,
  });
  const { port } = await server.listen('127.0.0.1:0');
  const close = (): Promise<void> => server.close(500);
  t.after(close);
  return { port, ca: pki.ca, logs, seen, close, server };
}

test('admission webhook server over real TLS', async (t) => {
  if (!integration(t, 'admission-tls', HAVE_OPENSSL, 'openssl not installed')) return;
  const dir = mkdtempSync(join(tmpdir(), 'kubeward-admission-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const pki = makePki(dir);

  let ready = true;
  const h = await start(
    t,
    dir,
    pki,
    (r): AdmissionDecision => {
      const labels = (r.object?.metadata?.labels ?? {}) as Record<string, unknown>;
      if (labels.deny === 'yes')
        return {
          allowed: false,
          message: 'label deny=yes is forbidden',
          policyResults: [{ policy: 'no-deny-label', result: 'fail' }],
        };
      if (labels.code === '422') return { allowed: false, code: 422, message: 'invalid' };
      if (labels.throw === 'yes') throw new Error('engine exploded');
      if (labels.garbage === 'yes') return { nope: true } as unknown as AdmissionDecision;
      if (labels.warn === 'many')
        return {
          allowed: true,
          warnings: Array.from({ length: 30 }, (_, i) => `warning ${i}\nsecond line ${'x'.repeat(300)}`),
        };
      return {
        allowed: true,
        patch: [{ op: 'add', path: '/metadata/labels/kubeward.io~1checked', value: 'true' }],
        auditAnnotations: { verdict: 'pass' },
        policyResults: [{ policy: 'baseline', result: 'pass' }],
      };
    },
    { ready: () => ready },
  );
  const post = (path: string, body: string | Buffer, headers?: Record<string, string>): Promise<Reply> =>
    call(h.port, h.ca, { path, body, headers });
  const podWith = (labels: Record<string, string>): string => {
    const doc = JSON.parse(fixture('pod-create.json')) as {
      request: { object: { metadata: { labels: unknown } } };
    };
    doc.request.object.metadata.labels = labels;
    return JSON.stringify(doc);
  };

  await t.test(
    'every captured fixture round-trips: uid and apiVersion echoed, request passed as sent',
    async () => {
      for (const name of readdirSync(FIXTURES).filter((f) => f.endsWith('.json'))) {
        const body = fixture(name);
        const sent = JSON.parse(body) as { apiVersion: string; request: { uid: string } };
        h.seen.length = 0;
        const r = await post('/validate?timeout=10s', body);
        assert.equal(r.status, 200, name);
        assert.match(String(r.headers['content-type']), /^application\/json/);
        const doc = r.json();
        assert.equal(doc.apiVersion, sent.apiVersion, name);
        assert.equal(doc.kind, 'AdmissionReview');
        assert.equal(review(r).uid, sent.request.uid, name);
        assert.equal(review(r).allowed, true, name);
        assert.equal(review(r).patch, undefined, `${name}: no patch from /validate`);
        assert.equal(h.seen.length, 1);
      }
    },
  );

  await t.test('DELETE carries oldObject only; CONNECT, subresources and dryRun pass through', async () => {
    const by = async (name: string): Promise<AdmissionRequest> => {
      h.seen.length = 0;
      assert.equal((await post('/validate', fixture(name))).status, 200);
      const r = h.seen[0];
      assert.ok(r);
      return r;
    };
    const del = await by('pod-delete.json');
    assert.equal(del.operation, 'DELETE');
    assert.equal(del.object, undefined);
    assert.equal(del.oldObject?.kind, 'Pod');
    const exec = await by('pod-exec-connect.json');
    assert.equal(exec.operation, 'CONNECT');
    assert.equal(exec.subResource, 'exec');
    assert.equal(exec.object?.kind, 'PodExecOptions');
    assert.deepEqual(exec.object?.command, ['/bin/sh']);
    const eph = await by('pod-ephemeralcontainers-update.json');
    assert.equal(eph.subResource, 'ephemeralcontainers');
    assert.equal(eph.operation, 'UPDATE');
    assert.ok(eph.oldObject);
    const dry = await by('pod-create-dryrun.json');
    assert.equal(dry.dryRun, true);
    const upd = await by('deployment-update.json');
    assert.equal(upd.oldObject?.kind, 'Deployment');
    assert.equal(upd.userInfo.username, 'kubernetes-admin');
  });

  await t.test('/mutate returns a base64 JSONPatch and audit annotations', async () => {
    const r = await post('/mutate', fixture('pod-create.json'));
    const resp = review(r);
    assert.equal(resp.patchType, 'JSONPatch');
    assert.deepEqual(JSON.parse(Buffer.from(String(resp.patch), 'base64').toString('utf8')), [
      { op: 'add', path: '/metadata/labels/kubeward.io~1checked', value: 'true' },
    ]);
    assert.deepEqual(resp.auditAnnotations, { verdict: 'pass' });
    const beta = review(await post('/mutate', fixture('pod-create-v1beta1.json')));
    assert.equal(beta.patchType, 'JSONPatch');
  });

  await t.test('denials carry status.code 403 (or the decision code) and the message', async () => {
    const r = review(await post('/validate', podWith({ deny: 'yes' })));
    assert.equal(r.allowed, false);
    assert.deepEqual(r.status, {
      metadata: {},
      status: 'Failure',
      code: 403,
      reason: 'Forbidden',
      message: 'label deny=yes is forbidden',
    });
    const c = review(await post('/mutate', podWith({ code: '422' })));
    assert.equal((c.status as { code: number }).code, 422);
    assert.equal(c.patch, undefined);
  });

  await t.test('warnings are capped at 20 single-line entries of at most 120 chars', async () => {
    const w = review(await post('/validate', podWith({ warn: 'many' }))).warnings as string[];
    assert.equal(w.length, 20);
    for (const s of w) {
      assert.ok(s.length <= 120, s);
      assert.doesNotMatch(s, /[\r\n]/);
    }
  });

  await t.test('an evaluate exception or garbage result fails closed with code 500', async () => {
    for (const labels of [{ throw: 'yes' }, { garbage: 'yes' }] as Array<Record<string, string>>) {
      const r = review(await post('/validate', podWith(labels)));
      assert.equal(r.allowed, false);
      assert.deepEqual(r.status, {
        metadata: {},
        status: 'Failure',
        code: 500,
        reason: 'InternalError',
        message: INTERNAL_ERROR_MESSAGE,
      });
    }
    assert.ok(
      h.logs.some(
        (l) => l.level === 'error' && l.msg === 'policy evaluation failed' && l.error === 'engine exploded',
      ),
    );
  });

  await t.test('HTTP-level errors: 405, 404, 415, 400, 413 with JSON bodies', async () => {
    const get = await call(h.port, h.ca, { method: 'GET', path: '/validate' });
    assert.equal(get.status, 405);
    assert.equal(get.headers.allow, 'POST');
    assert.equal((await call(h.port, h.ca, { method: 'PUT', path: '/mutate', body: '{}' })).status, 405);
    const nf = await post('/nope', fixture('pod-create.json'));
    assert.equal(nf.status, 404);
    assert.match(String(nf.json().error), /no handler/);
    const ct = await post('/validate', fixture('pod-create.json'), { 'Content-Type': 'text/plain' });
    assert.equal(ct.status, 415);
    assert.match(String(ct.json().error), /application\/json/);
    const charset = await post('/validate', fixture('pod-create.json'), {
      'Content-Type': 'application/json; charset=utf-8',
    });
    assert.equal(charset.status, 200);

    const bad: Array<[string, RegExp]> = [
      ['{"apiVersion":', /not valid JSON/],
      ['', /not valid JSON/],
      ['"just a string"', /JSON object/],
      [
        JSON.stringify({ apiVersion: 'admission.k8s.io/v1', kind: 'AdmissionReview', request: [] }),
        /no request/,
      ],
      [
        JSON.stringify({
          apiVersion: 'admission.k8s.io/v1',
          kind: 'AdmissionReview',
          request: { operation: 'CREATE' },
        }),
        /uid/,
      ],
      ['['.repeat(100_000), /nests deeper/],
      ['\u0000\u00ff\ufffe', /not valid JSON/],
    ];
    for (const [body, re] of bad) {
      const r = await post('/validate', body);
      assert.equal(r.status, 400, body.slice(0, 40));
      assert.match(String(r.json().error), re);
    }

    // A 10 MB string inside an otherwise valid review: refused before it is buffered.
    const doc = JSON.parse(fixture('pod-create.json')) as { request: { object: { huge?: string } } };
    doc.request.object.huge = 'a'.repeat(10 * 1024 * 1024);
    const big = await post('/validate', JSON.stringify(doc));
    assert.equal(big.status, 413);
    assert.match(String(big.json().error), /exceeds/);
    // Same without Content-Length (chunked): caught while streaming.
    const chunked = await new Promise<number>((resolve, reject) => {
      const req = httpsRequest(
        {
          host: '127.0.0.1',
          port: h.port,
          ca: h.ca,
          agent: false,
          method: 'POST',
          path: '/validate',
          headers: { 'Content-Type': 'application/json', 'Transfer-Encoding': 'chunked' },
        },
        (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        },
      );
      req.on('error', reject);
      const chunk = Buffer.alloc(256 * 1024, 0x61);
      let sent = 0;
      const pump = (): void => {
        while (sent < 16) {
          sent++;
          if (!req.write(chunk)) {
            req.once('drain', pump);
            return;
          }
        }
        req.end();
      };
      pump();
    });
    assert.equal(chunked, 413);
  });

  await t.test('__proto__ keys are data, never prototypes', async () => {
    const body =
      '{"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","__proto__":{"polluted":1},' +
      '"request":{"__proto__":{"allowed":true,"polluted":1},"uid":"p-1","kind":{"group":"","version":"v1","kind":"Pod"},' +
      '"resource":{"group":"","version":"v1","resource":"pods"},"operation":"CREATE","userInfo":{"extra":{"__proto__":["x"]}},' +
      '"object":{"metadata":{"labels":{"__proto__":{"deny":"no"},"deny":"yes"}}}}}';
    const r = await post('/validate', body);
    assert.equal(r.status, 200);
    assert.equal(review(r).uid, 'p-1');
    assert.equal(review(r).allowed, false, 'own deny=yes label still seen');
    assert.equal(({} as Record<string, unknown>).polluted, undefined);
    assert.equal(({} as Record<string, unknown>).allowed, undefined);
  });

  await t.test('health, readiness and metrics endpoints', async () => {
    assert.equal((await call(h.port, h.ca, { method: 'GET', path: '/healthz' })).status, 200);
    assert.equal((await call(h.port, h.ca, { method: 'GET', path: '/readyz' })).status, 200);
    ready = false;
    assert.equal((await call(h.port, h.ca, { method: 'GET', path: '/readyz' })).status, 503);
    assert.equal((await call(h.port, h.ca, { method: 'GET', path: '/healthz' })).status, 200);
    ready = true;
    assert.equal((await call(h.port, h.ca, { method: 'POST', path: '/healthz', body: '{}' })).status, 405);
    const m = await call(h.port, h.ca, { method: 'GET', path: '/metrics' });
    assert.equal(m.status, 200);
    assert.match(String(m.headers['content-type']), /^text\/plain; version=0\.0\.4/);
    assert.match(m.text, /# TYPE kubeward_admission_request_duration_seconds histogram/);
    assert.match(m.text, /kubeward_admission_request_duration_seconds_count\{webhook="validate"\} \d+/);
    assert.match(m.text, /kubeward_admission_request_duration_seconds_count\{webhook="mutate"\} \d+/);
    assert.match(m.text, /kubeward_admission_decisions_total\{policy="no-deny-label",result="fail"\} [1-9]/);
    assert.match(m.text, /kubeward_admission_decisions_total\{policy="kubeward:internal",result="error"\} 2/);
  });

  await t.test('one JSON-serialisable log line per decision', async () => {
    h.logs.length = 0;
    await post('/validate', fixture('pod-delete.json'));
    const line = h.logs.find((l) => l.msg === 'admission decision');
    assert.ok(line);
    const parsed = JSON.parse(JSON.stringify(line)) as Record<string, unknown>;
    assert.equal(parsed.uid, 'c9d0e1f2-3a4b-4c5d-9e6f-7a8b9c0d1e04');
    assert.equal(parsed.kind, 'Pod');
    assert.equal(parsed.namespace, 'default');
    assert.equal(parsed.name, 'web');
    assert.equal(parsed.operation, 'DELETE');
    assert.equal(parsed.allowed, true);
    assert.equal(typeof parsed.duration_ms, 'number');
    assert.deepEqual(parsed.policies, [{ policy: 'baseline', result: 'pass' }]);
  });

  await t.test('200 concurrent reviews all succeed', async () => {
    const body = fixture('pod-create.json');
    const replies = await Promise.all(Array.from({ length: 200 }, () => post('/mutate', body)));
    assert.ok(replies.every((r) => r.status === 200 && review(r).allowed));
    assert.equal((await call(h.port, h.ca, { method: 'GET', path: '/healthz' })).status, 200);
  });

  await t.test('TLS 1.2 is accepted and TLS 1.1 refused', async (tt) => {
    assert.ok(await fingerprint(h.port, h.ca, { maxVersion: 'TLSv1.2' }));
    const old: ConnectionOptions = {
      minVersion: 'TLSv1.1',
      maxVersion: 'TLSv1.1',
      ciphers: 'DEFAULT@SECLEVEL=0',
    };
    // Control: this client really can speak TLS 1.1 to a server that allows it.
    const pair = pki.issue('tls11');
    const legacy = createTlsServer({
      cert: readFileSync(pair.cert),
      key: readFileSync(pair.key),
      minVersion: 'TLSv1',
      ciphers: 'DEFAULT@SECLEVEL=0',
    });
    await new Promise<void>((r) => legacy.listen(0, '127.0.0.1', r));
    tt.after(() => legacy.close());
    const legacyPort = (legacy.address() as { port: number }).port;
    let controlOk = true;
    try {
      await fingerprint(legacyPort, h.ca, old);
    } catch {
      controlOk = false; // this OpenSSL build cannot do TLS 1.1 at all; the refusal below still must hold.
    }
    tt.diagnostic(`TLS 1.1 control handshake ${controlOk ? 'succeeded' : 'unavailable in this OpenSSL'}`);
    await assert.rejects(fingerprint(h.port, h.ca, old), /protocol|version|alert|handshake/i);
    assert.equal((await call(h.port, h.ca, { method: 'GET', path: '/healthz' })).status, 200);
  });

  await t.test('client not trusting our CA is refused (pinning works both ways)', async () => {
    const otherDir = mkdtempSync(join(tmpdir(), 'kubeward-admission-other-'));
    try {
      const other = makePki(otherDir);
      await assert.rejects(fingerprint(h.port, other.ca), /self[- ]signed|unable to verify|certificate/i);
    } finally {
      rmSync(otherDir, { recursive: true, force: true });
    }
  });
});

test('admission server: onError allow, slow clients, TLS reload', async (t) => {
  if (!integration(t, 'admission-tls', HAVE_OPENSSL, 'openssl not installed')) return;
  const dir = mkdtempSync(join(tmpdir(), 'kubeward-admission-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const pki = makePki(dir);

  await t.test('onError: allow lets the request through with a warning', async () => {
    const h = await start(t, dir, pki, () => Promise.reject(new Error('db down')), { onError: 'allow' });
    const r = review(await call(h.port, h.ca, { path: '/validate', body: fixture('pod-create.json') }));
    assert.equal(r.allowed, true);
    assert.equal(r.status, undefined);
    assert.match(String((r.warnings as string[])[0]), /could not evaluate/);
  });

  await t.test('a hung evaluate times out and fails closed', async () => {
    const h = await start(t, dir, pki, () => new Promise<AdmissionDecision>(() => {}), {
      evaluateTimeoutMs: 200,
    });
    const r = review(await call(h.port, h.ca, { path: '/validate', body: fixture('pod-create.json') }));
    assert.equal(r.allowed, false);
    assert.equal((r.status as { code: number }).code, 500);
  });

  await t.test('slowloris: partial headers and trickled bodies are cut off', async () => {
    const h = await start(t, dir, pki, () => ({ allowed: true }), {
      timeouts: { headersMs: 400, requestMs: 800, checkIntervalMs: 100 },
    });
    const closedWithin = (payload: string): Promise<number> =>
      new Promise((resolve, reject) => {
        const started = Date.now();
        const s = tlsConnect({ host: '127.0.0.1', port: h.port, ca: h.ca }, () => s.write(payload));
        s.on('data', () => {});
        s.on('error', () => {});
        s.on('close', () => resolve(Date.now() - started));
        setTimeout(() => {
          s.destroy();
          reject(new Error('connection still open after 5 s'));
        }, 5_000).unref();
      });
    const headerOnly = await closedWithin(
      'POST /validate HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n',
    );
    assert.ok(headerOnly < 3_000, `partial headers held ${headerOnly} ms`);
    const bodyTrickle = await closedWithin(
      'POST /validate HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{"a":',
    );
    assert.ok(bodyTrickle < 3_000, `partial body held ${bodyTrickle} ms`);
    assert.equal((await call(h.port, h.ca, { method: 'GET', path: '/healthz' })).status, 200);
  });

  await t.test('certificate reload: new pair served, broken pair keeps the old one', async () => {
    const current = pki.issue('reload');
    const logs: AdmissionLogEntry[] = [];
    const server = createAdmissionServer({
      tlsCertFile: current.cert,
      tlsKeyFile: current.key,
      evaluate: () => ({ allowed: true }),
      logger: (e) => logs.push(e),
      certReloadDebounceMs: 100,
    });
    const { port } = await server.listen({ host: '127.0.0.1', port: 0 });
    t.after(() => server.close(200));
    const first = await fingerprint(port, pki.ca);

    // Rotate like cert-manager: write the new pair in place.
    const next = pki.issue('next');
    writeFileSync(current.key, readFileSync(next.key));
    writeFileSync(current.cert, readFileSync(next.cert));
    assert.ok(
      await waitFor(async () => (await fingerprint(port, pki.ca)) !== first, 5_000),
      'fingerprint changed',
    );
    const second = await fingerprint(port, pki.ca);
    assert.ok(logs.some((l) => l.msg === 'TLS certificate reloaded'));

    // A broken pair (garbage cert, then a key that does not match) keeps serving the second cert.
    writeFileSync(current.cert, 'not a certificate');
    assert.ok(
      await waitFor(() => logs.some((l) => l.level === 'error' && /reload failed/.test(l.msg)), 5_000),
    );
    assert.equal(await fingerprint(port, pki.ca), second);
    const mismatched = pki.issue('mismatch');
    writeFileSync(current.cert, readFileSync(mismatched.cert));
    await new Promise((r) => setTimeout(r, 400));
    assert.equal(await fingerprint(port, pki.ca), second);
    const review200 = await call(port, pki.ca, { path: '/validate', body: fixture('pod-create.json') });
    assert.equal(review200.status, 200);

    // Atomic replace (rename over the file, as the kubelet's ..data swap does) is picked up too.
    const third = pki.issue('third');
    writeFileSync(`${current.key}.tmp`, readFileSync(third.key));
    writeFileSync(`${current.cert}.tmp`, readFileSync(third.cert));
    renameSync(`${current.key}.tmp`, current.key);
    renameSync(`${current.cert}.tmp`, current.cert);
    assert.ok(
      await waitFor(async () => (await fingerprint(port, pki.ca)) !== second, 5_000),
      'renamed pair served',
    );
    const metrics = server.metrics.render();
    assert.match(metrics, /kubeward_admission_tls_reloads_total\{result="success"\} 2/);
    assert.match(metrics, /kubeward_admission_tls_reloads_total\{result="error"\} [1-9]/);
  });

  await t.test('an unusable initial pair fails at construction', () => {
    const bad = join(dir, 'bad.crt');
    writeFileSync(bad, 'nope');
    assert.throws(() =>
      createAdmissionServer({ tlsCertFile: bad, tlsKeyFile: bad, evaluate: () => ({ allowed: true }) }),
    );
  });
});
