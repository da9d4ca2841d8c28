// /mutate over real TLS with the engine and a real image policy (mutateToDigest). The digest resolver is the
// injected dependency the family offers, so no registry is contacted; everything else is production code.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { request as httpsRequest } from 'node:https';
import { join } from 'node:path';
import { generateServingCerts } from '../../src/admission/install/certs.js';
import { createAdmissionServer } from '../../src/admission/server.js';
import {
  createPolicySet,
  createPssFamily,
  evaluateRequest,
  parsePssLevel,
} from '../../src/policy/engine/index.js';
import { createImagePolicyFamily, parseImagePolicy } from '../../src/policy/image/index.js';
import { tempDir } from '../support/cli.js';
import { commandWorks, integration } from '../support/integration.js';

const DIGEST = `sha256:${'ab'.repeat(32)}`;

function review(image: string, privileged: boolean): string {
  return JSON.stringify({
    apiVersion: 'admission.k8s.io/v1',
    kind: 'AdmissionReview',
    request: {
      uid: 'mutate-1',
      kind: { group: '', version: 'v1', kind: 'Pod' },
      resource: { group: '', version: 'v1', resource: 'pods' },
      namespace: 'shop',
      operation: 'CREATE',
      userInfo: { username: 'u' },
      object: {
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: { generateName: 'api-' },
        spec: { containers: [{ name: 'api', image, securityContext: { privileged } }] },
      },
      oldObject: null,
      dryRun: false,
    },
  });
}

test('/mutate returns a base64 JSONPatch pinning the tag; /validate and denied requests carry none', async (t) => {
  if (!integration(t, 'admission-mutate', commandWorks('openssl', ['version']), 'openssl not installed'))
    return;
  const dir = tempDir(t, 'kubeward-mutate-');
  const certs = generateServingCerts({ dnsNames: ['localhost'], days: 1 });
  writeFileSync(join(dir, 'tls.crt'), certs.cert);
  writeFileSync(join(dir, 'tls.key'), certs.key);
  const policy = parseImagePolicy({
    apiVersion: 'kubeward.io/v1alpha1',
    kind: 'ImagePolicy',
    metadata: { name: 'pin' },
    spec: { allowedRegistries: ['ghcr.io/acme'], mutateToDigest: true },
  });
  const resolved: string[] = [];
  const set = createPolicySet({
    families: [
      createPssFamily({ defaultLevel: parsePssLevel('baseline') }),
      createImagePolicyFamily([policy], {
        resolveDigest: (ref) => {
          resolved.push(ref.repository);
          return Promise.resolve(DIGEST);
        },
      }),
    ],
  });
  const server = createAdmissionServer({
    tlsCertFile: join(dir, 'tls.crt'),
    tlsKeyFile: join(dir, 'tls.key'),
    logger: () => {},
    evaluate: (r) => evaluateRequest(r, set, { now: new Date(), deadline: Date.now() + 2000 }),
  });
  const { port } = await server.listen('127.0.0.1:0');
  t.after(() => server.close(100));
  const post = (path: string, body: string): Promise<Record<string, unknown>> =>
    new Promise((resolve, reject) => {
      const req = httpsRequest(
        {
          host: '127.0.0.1',
          port,
          ca: certs.caCert,
          servername: 'localhost',
          method: 'POST',
          path,
          agent: false,
          headers: { 'Content-Type': 'application/json' },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () =>
            resolve(
              (JSON.parse(Buffer.concat(chunks).toString()) as { response: Record<string, unknown> })
                .response,
            ),
          );
        },
      );
      req.on('error', reject);
      req.end(body);
    });

  const mutated = await post('/mutate', review('ghcr.io/acme/api:2.4.1', false));
  assert.equal(mutated.allowed, true);
  assert.equal(mutated.patchType, 'JSONPatch');
  assert.deepEqual(JSON.parse(Buffer.from(String(mutated.patch), 'base64').toString()), [
    { op: 'replace', path: '/spec/containers/0/image', value: `ghcr.io/acme/api:2.4.1@${DIGEST}` },
  ]);
  assert.ok(resolved.length >= 1);

  const validated = await post('/validate', review('ghcr.io/acme/api:2.4.1', false));
  assert.equal(validated.allowed, true);
  assert.equal(validated.patch, undefined);

  // Denied by PSS baseline (privileged): no patch even on /mutate.
  const denied = await post('/mutate', review('ghcr.io/acme/api:2.4.1', true));
  assert.equal(denied.allowed, false);
  assert.equal(denied.patch, undefined);
  assert.match(String((denied.status as { message: string }).message), /policy "pss:baseline"/);
});
