/**
 * Cosign "simple signing" payloads and their signatures, checked without any network: the part of cosign
 * verification that is pure (sigstore/cosign pkg/cosign/verify.go, sigstore/sigstore pkg/signature/payload).
 */
import { verify as cryptoVerify } from 'node:crypto';
import type { PublicKeyInfo } from './public-key.js';

/** Media type of the layer holding a simple-signing payload in a cosign signature manifest. */
export const SIMPLE_SIGNING_MEDIA_TYPE = 'application/vnd.dev.cosign.simplesigning.v1+json';
/** Layer annotation carrying the base64 signature over the layer's bytes. */
export const SIGNATURE_ANNOTATION = 'dev.cosignproject.cosign/signature';
/** `critical.type` of every cosign image signature; part of the signed bytes, so it cannot be swapped. */
export const COSIGN_SIGNATURE_TYPE = 'cosign container image signature';
/** Real payloads are a few hundred bytes (a few KiB with annotations); larger ones are refused unread. */
export const MAX_PAYLOAD_BYTES = 64 * 1024;
/** An ECDSA P-256 DER signature is at most 72 bytes; leave room for other encodings but bound the base64. */
const MAX_SIGNATURE_B64_CHARS = 4096;
const BASE64_RE = /^[A-Za-z0-9+/]*={0,2}$/;

/** The claims of a verified payload. */
export interface SimpleSigningClaims {
  dockerReference?: string;
  manifestDigest: string;
  optional?: Record<string, unknown>;
}

export type PayloadCheck = { ok: true; claims: SimpleSigningClaims } | { ok: false; reason: string };

/**
 * Verifies one payload: the signature (base64 ASN.1 DER ECDSA over SHA-256 of the payload bytes) with the
 * key, then that the payload is a cosign image signature for `expectedDigest`. The signature is checked
 * first so nothing in an unauthenticated payload is trusted or even parsed.
 */
export function verifyPayload(
  payload: Buffer,
  signatureB64: string,
  key: PublicKeyInfo,
  expectedDigest: string,
): PayloadCheck {
  if (payload.length > MAX_PAYLOAD_BYTES)
    return { ok: false, reason: `payload is larger than ${MAX_PAYLOAD_BYTES} bytes` };
  const sig = decodeSignature(signatureB64);
  if (typeof sig === 'string') return { ok: false, reason: sig };
  let valid: boolean;
  try {
    valid = cryptoVerify('sha256', payload, { key: key.key, dsaEncoding: 'der' }, sig);
  } catch {
    valid = false; // malformed DER is just an invalid signature
  }
  if (!valid)
    return { ok: false, reason: `signature does not verify with key ${key.fingerprint.slice(0, 16)}` };
  return checkClaims(payload, expectedDigest);
}

function decodeSignature(b64: string): Buffer | string {
  const text = b64.trim();
  if (text.length === 0) return 'signature annotation is empty';
  if (text.length > MAX_SIGNATURE_B64_CHARS) return 'signature annotation is too long';
  if (!BASE64_RE.test(text)) return 'signature annotation is not base64';
  return Buffer.from(text, 'base64');
}

/** Parses the (already authenticated) payload and checks type and digest. */
export function checkClaims(payload: Buffer, expectedDigest: string): PayloadCheck {
  let doc: unknown;
  try {
    doc = JSON.parse(payload.toString('utf8'));
  } catch {
    return { ok: false, reason: 'payload is not valid JSON' };
  }
  const critical = field(doc, 'critical');
  const type = field(critical, 'type');
  if (type !== COSIGN_SIGNATURE_TYPE)
    return {
      ok: false,
      reason: `payload critical.type is ${JSON.stringify(typeof type === 'string' ? type.slice(0, 100) : (type ?? null))}, expected "${COSIGN_SIGNATURE_TYPE}"`,
    };
  const digest = field(field(critical, 'image'), 'docker-manifest-digest');
  if (typeof digest !== 'string')
    return { ok: false, reason: 'payload has no critical.image.docker-manifest-digest' };
  if (digest !== expectedDigest)
    return {
      ok: false,
      reason: `payload signs digest ${digest.slice(0, 80)}, not the image digest ${expectedDigest}`,
    };
  const claims: SimpleSigningClaims = { manifestDigest: digest };
  const ref = field(field(critical, 'identity'), 'docker-reference');
  if (typeof ref === 'string') claims.dockerReference = ref;
  const optional = field(doc, 'optional');
  if (isRecord(optional)) claims.optional = optional;
  return { ok: true, claims };
}

/** A simple-signing payload for `dockerReference@digest` (what `cosign sign` writes), as bytes. */
export function simpleSigningPayload(
  dockerReference: string,
  digest: string,
  optional?: Record<string, unknown>,
): Buffer {
  return Buffer.from(
    JSON.stringify({
      critical: {
        identity: { 'docker-reference': dockerReference },
        image: { 'docker-manifest-digest': digest },
        type: COSIGN_SIGNATURE_TYPE,
      },
      optional: optional ?? null,
    }),
  );
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function field(v: unknown, key: string): unknown {
  return isRecord(v) && Object.prototype.hasOwnProperty.call(v, key) ? v[key] : undefined;
}
