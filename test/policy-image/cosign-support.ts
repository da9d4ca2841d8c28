// Builds cosign signatures the way `cosign sign --key` stores them (simple-signing payload blob + a
// manifest tagged sha256-<hex>.sig), so tests verify against real registry content.
import { generateKeyPairSync, sign, type KeyObject } from 'node:crypto';
import type { RegistryClient, RepoRef } from '../../src/image/registry/client.js';
import { MEDIA_TYPES } from '../../src/image/registry/media-types.js';
import { signatureTag } from '../../src/image/signature/cosign.js';
import {
  SIGNATURE_ANNOTATION,
  SIMPLE_SIGNING_MEDIA_TYPE,
  simpleSigningPayload,
} from '../../src/image/signature/payload.js';

export interface TestKey {
  pem: string;
  privateKey: KeyObject;
}

export function newKey(): TestKey {
  const { publicKey, privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  return { pem: publicKey.export({ type: 'spki', format: 'pem' }).toString(), privateKey };
}

export function signBytes(key: TestKey, data: Buffer): string {
  return sign('sha256', data, { key: key.privateKey, dsaEncoding: 'der' }).toString('base64');
}

export interface SignatureLayer {
  payload: Buffer;
  signature: string;
  mediaType?: string;
}

/** A normal signature: payload for `digest`, signed by `key`. */
export function layerFor(key: TestKey, dockerReference: string, digest: string): SignatureLayer {
  const payload = simpleSigningPayload(dockerReference, digest);
  return { payload, signature: signBytes(key, payload) };
}

/** Pushes the payload blobs and the signature manifest under the cosign tag of `digest`. */
export async function pushSignature(
  client: RegistryClient,
  ref: RepoRef,
  digest: string,
  layers: SignatureLayer[],
): Promise<string> {
  const config = await client.pushBlob(ref, Buffer.from('{}'));
  const descriptors = [];
  for (const l of layers) {
    const blob = await client.pushBlob(ref, l.payload);
    descriptors.push({
      mediaType: l.mediaType ?? SIMPLE_SIGNING_MEDIA_TYPE,
      digest: blob.digest,
      size: blob.size,
      annotations: { [SIGNATURE_ANNOTATION]: l.signature },
    });
  }
  const manifest = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: MEDIA_TYPES.ociManifest,
      config: { mediaType: MEDIA_TYPES.ociConfig, digest: config.digest, size: config.size },
      layers: descriptors,
    }),
  );
  const tag = signatureTag(digest);
  await client.pushManifest(ref, tag, MEDIA_TYPES.ociManifest, manifest);
  return tag;
}
