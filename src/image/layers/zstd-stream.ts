/**
 * Streaming zstd decoding with backpressure between blocks. fzstd (pure JS; Node 20's zlib has no zstd)
 * decodes everything it is given in one synchronous call, so one 64 KiB input chunk of a highly compressed
 * layer (zeros: 128 KiB per 4-byte RLE block) would become gigabytes before the consumer could say stop.
 * Here the compressed stream is cut at zstd block boundaries (RFC 8878 §3.1.1) and fed to fzstd one block
 * at a time from an async generator: each step produces at most one block of output (≤ 128 KiB by the
 * format; ≤ 2 MiB for a hostile header), and the next block is decoded only when the consumer has read.
 * Frame headers are checked against MAX_ZSTD_WINDOW before any allocation; skippable frames are dropped.
 */
import { Duplex } from 'node:stream';
import { Decompress as ZstdDecompress } from 'fzstd';

/** The zstd CLI refuses frames whose window exceeds 128 MiB unless told otherwise; so do we. */
export const MAX_ZSTD_WINDOW = 128 * 1024 * 1024;

const ZSTD_MAGIC = 0xfd2fb528;
const SKIPPABLE_MASK = 0xfffffff0;
const SKIPPABLE_MAGIC = 0x184d2a50;

/**
 * Window size declared by a zstd frame header starting at `b[0]` (the magic), so a hostile layer cannot
 * make the decoder allocate gigabytes. Undefined when the header is not complete in `b`.
 */
export function zstdWindowSize(b: Uint8Array): number | undefined {
  if (b.length < 6) return undefined;
  const fhd = b[4] ?? 0;
  const singleSegment = (fhd & 0x20) !== 0;
  if (!singleSegment) {
    const wd = b[5] ?? 0;
    const base = 2 ** (10 + (wd >> 3));
    return base + (base / 8) * (wd & 7);
  }
  // Single segment: the window is the frame content size that follows the (optional) dictionary id.
  const dictBytes = [0, 1, 2, 4][fhd & 3] ?? 0;
  const fcsFlag = fhd >> 6;
  const fcsBytes = [1, 2, 4, 8][fcsFlag] ?? 1;
  const at = 5 + dictBytes;
  if (b.length < at + fcsBytes) return undefined;
  let v = 0;
  for (let i = fcsBytes - 1; i >= 0; i--) v = v * 256 + (b[at + i] ?? 0);
  return fcsBytes === 2 ? v + 256 : v;
}

/** Length of the frame header (magic included) whose descriptor byte is `fhd`. */
function frameHeaderLength(fhd: number): number {
  const singleSegment = (fhd & 0x20) !== 0;
  const dictBytes = [0, 1, 2, 4][fhd & 3] ?? 0;
  const fcsFlag = fhd >> 6;
  const fcsBytes = fcsFlag === 0 ? (singleSegment ? 1 : 0) : ([0, 2, 4, 8][fcsFlag] ?? 0);
  return 4 + 1 + (singleSegment ? 0 : 1) + dictBytes + fcsBytes;
}

type Unit = { kind: 'feed'; bytes: Buffer } | { kind: 'skip'; bytes: number };

/**
 * Splits compressed bytes into units that each decode to at most one block: a frame header, one block
 * (header + content), a frame checksum, or a skippable frame (skipped, never buffered whole).
 */
class BlockSplitter {
  private pending: Buffer = Buffer.alloc(0);
  private state: 'frame' | 'block' | 'checksum' = 'frame';
  private checksum = false;
  private skip = 0;

  *units(chunk: Buffer): Generator<Unit> {
    if (this.skip > 0) {
      const k = Math.min(this.skip, chunk.length);
      this.skip -= k;
      chunk = chunk.subarray(k);
    }
    this.pending = this.pending.length ? Buffer.concat([this.pending, chunk]) : chunk;
    let o = 0;
    const buf = this.pending;
    for (;;) {
      const avail = buf.length - o;
      if (this.skip > 0) {
        const k = Math.min(this.skip, avail);
        this.skip -= k;
        o += k;
        if (this.skip > 0) break;
        continue;
      }
      if (this.state === 'frame') {
        if (avail < 4) break;
        const magic = buf.readUInt32LE(o);
        if ((magic & SKIPPABLE_MASK) >>> 0 === SKIPPABLE_MAGIC) {
          if (avail < 8) break;
          this.skip = buf.readUInt32LE(o + 4);
          o += 8;
          yield { kind: 'skip', bytes: this.skip };
          continue;
        }
        if (magic !== ZSTD_MAGIC) throw new Error('zstd: invalid frame magic (corrupt layer)');
        if (avail < 5) break;
        const fhd = buf[o + 4] ?? 0;
        if (fhd & 0x08) throw new Error('zstd: reserved bit set in frame header (corrupt layer)');
        const len = frameHeaderLength(fhd);
        if (avail < len) break;
        const window = zstdWindowSize(buf.subarray(o, o + len));
        if (window !== undefined && window > MAX_ZSTD_WINDOW) {
          throw new Error(
            `zstd frame window of ${window} bytes is larger than ${MAX_ZSTD_WINDOW} (zstd's own default limit)`,
          );
        }
        this.checksum = (fhd & 0x04) !== 0;
        yield { kind: 'feed', bytes: buf.subarray(o, o + len) };
        o += len;
        this.state = 'block';
        continue;
      }
      if (this.state === 'block') {
        if (avail < 3) break;
        const h = (buf[o] ?? 0) | ((buf[o + 1] ?? 0) << 8) | ((buf[o + 2] ?? 0) << 16);
        const last = (h & 1) === 1;
        const type = (h >> 1) & 3;
        const size = h >>> 3;
        if (type === 3) throw new Error('zstd: reserved block type (corrupt layer)');
        const contentLen = type === 1 ? 1 : size;
        if (avail < 3 + contentLen) break;
        yield { kind: 'feed', bytes: buf.subarray(o, o + 3 + contentLen) };
        o += 3 + contentLen;
        if (last) this.state = this.checksum ? 'checksum' : 'frame';
        continue;
      }
      // checksum
      if (avail < 4) break;
      yield { kind: 'feed', bytes: buf.subarray(o, o + 4) };
      o += 4;
      this.state = 'frame';
    }
    // Keep the unconsumed tail (at most one block, 128 KiB + 3 in valid streams) for the next chunk.
    this.pending = Buffer.from(buf.subarray(o));
  }

  /** True when the stream ended between frames (nothing half-read). */
  get complete(): boolean {
    return this.state === 'frame' && this.pending.length === 0 && this.skip === 0;
  }
}

/** A duplex that takes zstd-compressed bytes and yields the decompressed bytes, block by block. */
export function createZstdDecompress(): Duplex {
  return Duplex.from(async function* (source: AsyncIterable<Buffer | Uint8Array>) {
    const splitter = new BlockSplitter();
    let out: Uint8Array[] = [];
    const decoder = new ZstdDecompress((data) => {
      if (data.length) out.push(data);
    });
    for await (const raw of source) {
      const chunk = Buffer.isBuffer(raw) ? raw : Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength);
      for (const unit of splitter.units(chunk)) {
        if (unit.kind === 'skip') continue;
        decoder.push(new Uint8Array(unit.bytes.buffer, unit.bytes.byteOffset, unit.bytes.byteLength));
        if (out.length === 0) continue;
        const blocks = out;
        out = [];
        // fzstd may hand out views of its window buffer, which the next block overwrites: copy.
        for (const b of blocks) yield Buffer.from(b);
      }
    }
    if (!splitter.complete) throw new Error('zstd: unexpected end of compressed data (truncated layer)');
    // fzstd holds back frames shorter than 18 bytes until told the input is over.
    decoder.push(new Uint8Array(0), true);
    for (const b of out) yield Buffer.from(b);
  });
}
