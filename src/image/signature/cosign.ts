/**
 * Verification of cosign key-based image signatures stored the classic way: a manifest tagged
 * `sha256-<hex>.sig` in the image's own repository, whose layers are simple-signing payloads with the
 * signature in the `dev.cosignproject.cosign/signature` annotation (sigstore/cosign pkg/oci/static,
 * pkg/cosign/verify.go). Keyless (Fulcio/Rekor) and referrers-API signatures are not handled here.
 */
import { RegistryClient, RegistryError, type RepoRef } from '../registry/client.js';
import { DigestMismatchError, isDigest } from '../registry/digest.js';
import { isIndexMediaType } from '../registry/media-types.js';
import { withDeadline } from './deadline.js';
import {
  MAX_PAYLOAD_BYTES,
  SIGNATURE_ANNOTATION,
  SIMPLE_SIGNING_MEDIA_TYPE,
  verifyPayload,
  type SimpleSigningClaims,
} from './payload.js';
import type { PublicKeyInfo } from './public-key.js';
import { TtlCache } from './ttl-cache.js';

/** Cosign appends one layer per signature; a manifest with more than this is refused, not walked. */
export const MAX_SIGNATURE_LAYERS = 32;

export interface SignatureSubject {
  /** Registry host as used in URLs (`ghcr.io`, `127.0.0.1:5000`). */
  registry: string;
  repository: string;
  /** The image manifest (or index) digest the signature must name. */
  digest: string;
}

export interface SignatureVerdict {
  verified: boolean;
  /** Why verification failed, or which key verified it. */
  reason: string;
  /** The tag the signature manifest was looked up under. */
  signatureTag: string;
  /** Fingerprint of the key that verified a signature. */
  keyFingerprint?: string;
  claims?: SimpleSigningClaims;
}

/**
 * What image policies need from a signature checker. `verify` resolves with a verdict for content
 * problems (no signature, bad signature, wrong digest) and rejects only when the signature could not be
 * fetched at all (network, authorisation, deadline), so callers can apply their failure policy.
 */
export interface SignatureVerifier {
  verify(
    subject: SignatureSubject,
    keys: readonly PublicKeyInfo[],
    opts?: { deadline?: number },
  ): Promise<SignatureVerdict>;
}

export interface CosignVerifierOptions {
  /** Cached verdicts, one per (repository, digest, key); default 10,000. */
  cacheEntries?: number;
  /** How long a successful verdict is kept (ms); default 1 h. A digest's content never changes. */
  verifiedTtlMs?: number;
  /** How long a failed verdict is kept (ms); default 30 s, since the image may be signed any moment. */
  failedTtlMs?: number;
}

/** The cosign signature tag for a digest: `sha256:abc…` → `sha256-abc….sig`. */
export function signatureTag(digest: string): string {
  if (!isDigest(digest)) throw new RangeError(`invalid digest "${digest.slice(0, 80)}"`);
  return `${digest.replace(':', '-')}.sig`;
}

export class CosignVerifier implements SignatureVerifier {
  private readonly cache: TtlCache<string, SignatureVerdict>;
  private readonly failedTtlMs: number;
  /** Registry round trips made (signature manifests fetched), for tests and metrics. */
  fetches = 0;

  constructor(
    private readonly client: RegistryClient,
    opts: CosignVerifierOptions = {},
  ) {
    this.cache = new TtlCache(opts.cacheEntries ?? 10_000, opts.verifiedTtlMs ?? 3_600_000);
    this.failedTtlMs = opts.failedTtlMs ?? 30_000;
  }

  async verify(
    subject: SignatureSubject,
    keys: readonly PublicKeyInfo[],
    opts: { deadline?: number } = {},
  ): Promise<SignatureVerdict> {
    const tag = signatureTag(subject.digest);
    if (keys.length === 0) return { verified: false, reason: 'no public keys configured', signatureTag: tag };
    const cacheKey = (k: PublicKeyInfo): string =>
      `${subject.registry}/${subject.repository}@${subject.digest}|${k.fingerprint}`;
    const cached = keys.map((k) => this.cache.get(cacheKey(k)));
    const hit = cached.find((v) => v?.verified);
    if (hit) return hit;
    if (cached.every((v) => v !== undefined)) return cached[0] as SignatureVerdict;

    const verdicts = await withDeadline(
      this.check(subject, tag, keys),
      opts.deadline,
      `signature lookup for ${subject.repository}@${subject.digest.slice(0, 19)}`,
    );
    keys.forEach((k, i) => {
      const v = verdicts[i] as SignatureVerdict;
      this.cache.set(cacheKey(k), v, v.verified ? this.cache.ttlMs : this.failedTtlMs);
    });
    return verdicts.find((v) => v.verified) ?? (verdicts[0] as SignatureVerdict);
  }

  /** One verdict per key, from a single fetch of the signature manifest and its payloads. */
  private async check(
    subject: SignatureSubject,
    tag: string,
    keys: readonly PublicKeyInfo[],
  ): Promise<SignatureVerdict[]> {
    const all = (reason: string): SignatureVerdict[] =>
      keys.map(() => ({ verified: false, reason, signatureTag: tag }));
    const repo: RepoRef = { registry: subject.registry, repository: subject.repository };
    this.fetches++;
    let manifest: unknown;
    let mediaType: string;
    try {
      const m = await this.client.getManifest(repo, tag);
      manifest = m.json;
      mediaType = m.mediaType;
    } catch (e) {
      if (e instanceof RegistryError && e.status === 404)
        return all(`no signature found (tag ${tag} does not exist)`);
      throw e;
    }
    if (isIndexMediaType(mediaType)) return all(`${tag} is an index, not a signature manifest`);
    const layers = isRecord(manifest) && Array.isArray(manifest.layers) ? manifest.layers : undefined;
    if (!layers) return all(`${tag} is not an image manifest`);
    if (layers.length > MAX_SIGNATURE_LAYERS)
      return all(`${tag} has ${layers.length} layers (more than ${MAX_SIGNATURE_LAYERS})`);

    // Per key: the first success wins; otherwise the reason from the first signature layer.
    const results: Array<SignatureVerdict | undefined> = keys.map(() => undefined);
    const firstFailure: Array<string | undefined> = keys.map(() => undefined);
    let sawSignature = false;
    for (const layer of layers) {
      if (!isRecord(layer) || layer.mediaType !== SIMPLE_SIGNING_MEDIA_TYPE) continue;
      sawSignature = true;
      const payload = await this.payloadOf(repo, layer);
      const annotations = isRecord(layer.annotations) ? layer.annotations : {};
      const sig = annotations[SIGNATURE_ANNOTATION];
      keys.forEach((key, i) => {
        if (results[i]) return;
        let reason: string;
        if (typeof payload === 'string') reason = payload;
        else if (typeof sig !== 'string')
          reason = `signature layer has no ${SIGNATURE_ANNOTATION} annotation`;
        else {
          const r = verifyPayload(payload, sig, key, subject.digest);
          if (r.ok) {
            results[i] = {
              verified: true,
              reason: `signed by key ${key.fingerprint.slice(0, 16)}`,
              signatureTag: tag,
              keyFingerprint: key.fingerprint,
              claims: r.claims,
            };
            return;
          }
          reason = r.reason;
        }
        firstFailure[i] ??= reason;
      });
      if (results.every((r) => r !== undefined)) break;
    }
    if (!sawSignature) return all(`${tag} holds no ${SIMPLE_SIGNING_MEDIA_TYPE} layer`);
    return keys.map(
      (_, i) =>
        results[i] ?? {
          verified: false,
          reason: firstFailure[i] ?? 'no valid signature',
          signatureTag: tag,
        },
    );
  }

  /** The payload bytes, verified against the layer descriptor, or why they cannot be used. */
  private async payloadOf(repo: RepoRef, layer: Record<string, unknown>): Promise<Buffer | string> {
    const digest = layer.digest;
    const size = layer.size;
    if (typeof digest !== 'string' || !isDigest(digest)) return 'signature layer has an invalid digest';
    if (typeof size !== 'number' || !Number.isSafeInteger(size) || size < 0)
      return 'signature layer has an invalid size';
    if (size > MAX_PAYLOAD_BYTES)
      return `signature payload is ${size} bytes, larger than the ${MAX_PAYLOAD_BYTES}-byte limit`;
    try {
      return await this.client.fetchBlobBytes(repo, { digest, size }, MAX_PAYLOAD_BYTES);
    } catch (e) {
      if (e instanceof DigestMismatchError)
        return `signature payload does not match its layer digest (${e.message})`;
      if (e instanceof RegistryError && e.status === 404) return `signature payload ${digest} is missing`;
      if (e instanceof RegistryError && e.status === undefined && /larger than|declared size/.test(e.message))
        return `signature payload: ${e.message}`;
      if (e instanceof Error && /declared size/.test(e.message)) return `signature payload: ${e.message}`;
      throw e;
    }
  }
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
