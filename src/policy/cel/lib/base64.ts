/** cel-go ext encoders, enabled by Kubernetes: base64.encode(bytes) and base64.decode(string). */
import type { CelLibrary } from '../library.js';
import { namespace } from '../library.js';
import { chargeString } from '../limits.js';

const STD = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;
const RAW = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2,3})?$/;

function encode(_ns: object, b: Uint8Array): string {
  chargeString(b.length);
  return Buffer.from(b).toString('base64');
}

/** Strict: Node's decoder silently skips junk; cel-go errors on it (padded or unpadded std alphabet only). */
function decode(_ns: object, s: string): Uint8Array {
  chargeString(s.length);
  if (!STD.test(s) && !RAW.test(s)) throw new Error('illegal base64 data');
  return new Uint8Array(Buffer.from(s, 'base64'));
}

export function isStdBase64(s: string): boolean {
  return STD.test(s);
}

export const base64Library: CelLibrary = {
  ...namespace('base64', 'KubewardBase64'),
  functions: [
    ['KubewardBase64.encode(bytes): string', encode],
    ['KubewardBase64.decode(string): bytes', decode],
  ],
};
