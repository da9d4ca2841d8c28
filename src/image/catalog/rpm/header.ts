/** RPM header tags kubeward reads (rpmtag.h). */
export const RPMTAG = {
  NAME: 1000,
  VERSION: 1001,
  RELEASE: 1002,
  EPOCH: 1003,
  LICENSE: 1014,
  ARCH: 1022,
  SOURCERPM: 1044,
  MODULARITYLABEL: 5096,
} as const;

const TYPE_INT32 = 4;
const TYPE_STRING = 6;
const TYPE_STRING_ARRAY = 8;
const TYPE_I18NSTRING = 9;
/** Bounds against hostile databases: rpm itself limits headers to 256 MiB and 0xffff tags. */
const MAX_INDEX = 0xffff;
const MAX_DATA = 256 * 1024 * 1024;

export type HeaderValue = string | number | string[];

/**
 * Parses an exported RPM header blob as stored in the sqlite/ndb rpmdb: big-endian index count and data
 * length, 16-byte index entries (tag, type, offset, count), then the data store. Only string and int32
 * tags are decoded. Throws on structural corruption; callers report it per package.
 */
export function parseRpmHeader(blob: Uint8Array, wanted: ReadonlySet<number>): Map<number, HeaderValue> {
  const buf = Buffer.from(blob.buffer, blob.byteOffset, blob.byteLength);
  if (buf.length < 8) throw new Error('rpm header too short');
  const il = buf.readUInt32BE(0);
  const dl = buf.readUInt32BE(4);
  if (il > MAX_INDEX || dl > MAX_DATA) throw new Error('rpm header counts out of range');
  const dataStart = 8 + il * 16;
  if (dataStart + dl > buf.length) throw new Error('rpm header truncated');
  const data = buf.subarray(dataStart, dataStart + dl);
  const out = new Map<number, HeaderValue>();
  for (let i = 0; i < il; i++) {
    const e = 8 + i * 16;
    const tag = buf.readUInt32BE(e);
    if (!wanted.has(tag)) continue;
    const type = buf.readUInt32BE(e + 4);
    const offset = buf.readInt32BE(e + 8);
    const count = buf.readUInt32BE(e + 12);
    if (offset < 0 || offset >= data.length) throw new Error(`rpm header tag ${tag} offset out of range`);
    if (type === TYPE_INT32) {
      if (offset + 4 > data.length) throw new Error(`rpm header tag ${tag} truncated`);
      out.set(tag, data.readInt32BE(offset));
    } else if (type === TYPE_STRING || type === TYPE_I18NSTRING) {
      out.set(tag, cstring(data, offset));
    } else if (type === TYPE_STRING_ARRAY) {
      const items: string[] = [];
      let at = offset;
      for (let k = 0; k < Math.min(count, 10_000) && at < data.length; k++) {
        const s = cstring(data, at);
        items.push(s);
        at += Buffer.byteLength(s) + 1;
      }
      out.set(tag, items);
    }
  }
  return out;
}

function cstring(data: Buffer, offset: number): string {
  const end = data.indexOf(0, offset);
  if (end === -1) throw new Error('unterminated string in rpm header');
  return data.toString('utf8', offset, end);
}

/** `openssl-3.0.7-27.el9.src.rpm` → { name: openssl, version: 3.0.7-27.el9 }. */
export function parseSourceRpm(srpm: string): { name: string; version: string } | undefined {
  const m = /^(.+)-([^-]+)-([^-]+)\.(?:no)?src\.rpm$/.exec(srpm);
  if (!m?.[1] || !m[2] || !m[3]) return undefined;
  return { name: m[1], version: `${m[2]}-${m[3]}` };
}
