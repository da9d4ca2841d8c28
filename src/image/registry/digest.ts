import { createHash } from 'node:crypto';
import { Transform, type TransformCallback } from 'node:stream';

const DIGEST_RE = /^(sha256:[a-f0-9]{64}|sha512:[a-f0-9]{128})$/;

export function isDigest(s: string): boolean {
  return DIGEST_RE.test(s);
}

export function digestOf(data: Uint8Array, algorithm: 'sha256' | 'sha512' = 'sha256'): string {
  return `${algorithm}:${createHash(algorithm).update(data).digest('hex')}`;
}

export class DigestMismatchError extends Error {
  override readonly name = 'DigestMismatchError';
  constructor(
    readonly expected: string,
    readonly actual: string,
  ) {
    super(`content digest mismatch: expected ${expected}, got ${actual}`);
  }
}

/**
 * Pass-through stream that hashes what flows through and fails at the end when the digest (or size) does
 * not match, so a consumer never completes successfully on tampered content.
 */
export function verifyingStream(expected: string, maxBytes?: number): Transform {
  const [algorithm] = expected.split(':') as ['sha256' | 'sha512'];
  const hash = createHash(algorithm);
  let seen = 0;
  return new Transform({
    transform(chunk: Buffer, _enc, cb: TransformCallback) {
      seen += chunk.length;
      if (maxBytes !== undefined && seen > maxBytes) {
        cb(new Error(`content exceeds the declared size of ${maxBytes} bytes`));
        return;
      }
      hash.update(chunk);
      cb(null, chunk);
    },
    flush(cb: TransformCallback) {
      const actual = `${algorithm}:${hash.digest('hex')}`;
      cb(actual === expected ? null : new DigestMismatchError(expected, actual));
    },
  });
}
