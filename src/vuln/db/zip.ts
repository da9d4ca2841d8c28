import yauzl from 'yauzl';
import type { Readable } from 'node:stream';
import { UserError } from '../../core/errors.js';

/** Bounds on what an archive may make us read; an OSV archive is treated as hostile input. */
export interface ZipLimits {
  /** Most entries accepted in one archive. */
  maxEntries: number;
  /** Largest uncompressed entry read; bigger entries are skipped with a warning. */
  maxEntryBytes: number;
  /** Largest uncompressed total read from one archive; past it the import fails. */
  maxTotalBytes: number;
}

export const DEFAULT_ZIP_LIMITS: ZipLimits = {
  maxEntries: 2_000_000,
  maxEntryBytes: 32 * 1024 * 1024,
  maxTotalBytes: 2 * 1024 * 1024 * 1024,
};

export interface ZipFileEntry {
  name: string;
  data: Buffer;
}

/**
 * Why an entry name is refused, or undefined when it is acceptable. Nothing is ever extracted to disk, but
 * names that would escape a directory mark a crafted archive and are not read.
 */
export function unsafeEntryName(name: string): string | undefined {
  if (name.includes('\0')) return 'NUL byte in entry name';
  const n = name.replace(/\\/g, '/');
  if (n.startsWith('/') || /^[a-zA-Z]:/.test(n)) return 'absolute entry name';
  if (n.split('/').includes('..')) return '".." in entry name';
  return undefined;
}

const isZipMagic = (b: Buffer): boolean =>
  b.length >= 4 && b[0] === 0x50 && b[1] === 0x4b && (b[2] === 3 || b[2] === 5) && (b[3] === 4 || b[3] === 6);

/** True when the bytes start like a zip archive (local header, or end-of-directory of an empty zip). */
export function looksLikeZip(head: Buffer): boolean {
  return isZipMagic(head);
}

async function readAll(stream: Readable, max: number, name: string): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of stream as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > max) {
      stream.destroy();
      throw new UserError(`zip entry ${name} inflates past its limit of ${max} bytes`);
    }
    chunks.push(chunk);
  }
  return Buffer.concat(chunks, size);
}

/**
 * Streams the file entries of a zip archive (path or bytes) one at a time. Unsafe names, encrypted and
 * oversized entries are skipped and reported through `warn`; too many entries or too many bytes in total
 * abort with a UserError.
 */
export async function* readZipEntries(
  source: string | Buffer,
  limits: ZipLimits,
  warn: (file: string, message: string) => void,
): AsyncGenerator<ZipFileEntry> {
  const opts = { decodeStrings: false, validateEntrySizes: true, autoClose: true, lazyEntries: true };
  const where = typeof source === 'string' ? source : '<buffer>';
  let zip: yauzl.ZipFile;
  try {
    zip =
      typeof source === 'string'
        ? await yauzl.openPromise(source, opts)
        : await yauzl.fromBufferPromise(source, opts);
  } catch (e) {
    throw new UserError(`not a readable zip archive: ${(e as Error).message}`, { file: where });
  }
  try {
    if (zip.entryCount > limits.maxEntries)
      throw new UserError(
        `zip archive has ${zip.entryCount} entries, more than the limit of ${limits.maxEntries}`,
        {
          file: where,
        },
      );
    let total = 0;
    for await (const entry of zip.eachEntry()) {
      // With decodeStrings off yauzl leaves names as raw bytes and does not judge them; we do.
      const name = entry.fileNameRaw.toString('utf8');
      if (name.endsWith('/')) continue;
      const bad = unsafeEntryName(name);
      if (bad) {
        warn(name, `skipped: ${bad}`);
        continue;
      }
      if (entry.isEncrypted()) {
        warn(name, 'skipped: encrypted entry');
        continue;
      }
      if (entry.uncompressedSize > limits.maxEntryBytes) {
        warn(
          name,
          `skipped: ${entry.uncompressedSize} bytes is over the per-entry limit of ${limits.maxEntryBytes}`,
        );
        continue;
      }
      total += entry.uncompressedSize;
      if (total > limits.maxTotalBytes)
        throw new UserError(`zip archive inflates past the limit of ${limits.maxTotalBytes} bytes`, {
          file: where,
        });
      if (!entry.canDecodeFileData()) {
        warn(name, `skipped: unsupported compression method ${entry.compressionMethod}`);
        continue;
      }
      let data: Buffer;
      try {
        const stream = await zip.openReadStreamPromise(entry);
        data = await readAll(stream, limits.maxEntryBytes, name);
      } catch (e) {
        if (e instanceof UserError) throw e;
        throw new UserError(`corrupt zip entry ${name}: ${(e as Error).message}`, { file: where });
      }
      yield { name, data };
    }
  } catch (e) {
    if (e instanceof UserError) throw e;
    throw new UserError(`corrupt zip archive: ${(e as Error).message}`, { file: where });
  } finally {
    zip.close();
  }
}
