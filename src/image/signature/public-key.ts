import { createHash, createPublicKey, type KeyObject } from 'node:crypto';

/** A PEM public key is a few hundred bytes; anything far larger is not a key. */
export const MAX_PUBLIC_KEY_PEM_BYTES = 64 * 1024;

/** A verification key: the parsed key and a stable fingerprint (SHA-256 of the DER SPKI, hex). */
export interface PublicKeyInfo {
  key: KeyObject;
  fingerprint: string;
}

/** Thrown for text that is not an ECDSA P-256 public key in PEM (SPKI) form; the message says why. */
export class PublicKeyError extends Error {
  override readonly name = 'PublicKeyError';
}

/**
 * Parses a PEM SPKI public key and accepts only ECDSA P-256, the key type `cosign generate-key-pair`
 * produces: verifying with another key type would silently accept other signature schemes.
 */
export function parsePublicKey(pem: string): PublicKeyInfo {
  if (pem.length > MAX_PUBLIC_KEY_PEM_BYTES)
    throw new PublicKeyError(`public key is larger than ${MAX_PUBLIC_KEY_PEM_BYTES} bytes`);
  if (!pem.includes('-----BEGIN PUBLIC KEY-----'))
    throw new PublicKeyError('not a PEM public key (expected "-----BEGIN PUBLIC KEY-----")');
  let key: KeyObject;
  try {
    key = createPublicKey({ key: pem, format: 'pem' });
  } catch (e) {
    throw new PublicKeyError(`cannot parse public key: ${(e as Error).message.split('\n')[0]}`);
  }
  if (key.asymmetricKeyType !== 'ec' || key.asymmetricKeyDetails?.namedCurve !== 'prime256v1') {
    const curve = key.asymmetricKeyDetails?.namedCurve;
    throw new PublicKeyError(
      `unsupported public key type ${key.asymmetricKeyType ?? 'unknown'}${curve ? ` (${curve})` : ''}: only ECDSA P-256 is supported`,
    );
  }
  const der = key.export({ type: 'spki', format: 'der' });
  return { key, fingerprint: createHash('sha256').update(der).digest('hex') };
}
