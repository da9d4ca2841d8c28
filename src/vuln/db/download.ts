import { createWriteStream, mkdirSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import { UserError } from '../../core/errors.js';
import { importOsvInto, type ImportOptions, type ImportResult } from './import-osv.js';
import { defaultCacheDir, type VulnDb } from './store.js';

export const OSV_BASE_URL = 'https://osv-vulnerabilities.storage.googleapis.com';

export interface DownloadOptions {
  /** Where the zips are written; default `<cache dir>/osv`. */
  destDir?: string;
  signal?: AbortSignal;
  /** Largest archive accepted (bytes); default 4 GiB. */
  maxBytes?: number;
  /** Injected fetch (tests); default the global fetch. */
  fetch?: typeof fetch;
}

export interface DownloadedZip {
  ecosystem: string;
  url: string;
  path: string;
  bytes: number;
}

/** `<base>/<ECOSYSTEM>/all.zip`, with the ecosystem URL-encoded (`Debian:12` → `Debian%3A12`). */
export function osvZipUrl(ecosystem: string, baseUrl: string = OSV_BASE_URL): string {
  return `${baseUrl.replace(/\/+$/, '')}/${encodeURIComponent(ecosystem)}/all.zip`;
}

/**
 * Downloads the OSV `all.zip` of each ecosystem into `destDir` (written as `.part` and renamed when
 * complete). An ecosystem the server does not know (HTTP 404) is the user's error.
 */
export async function downloadOsv(
  ecosystems: readonly string[],
  baseUrl: string = OSV_BASE_URL,
  opts: DownloadOptions = {},
): Promise<DownloadedZip[]> {
  const dest = opts.destDir ?? join(defaultCacheDir(), 'osv');
  const maxBytes = opts.maxBytes ?? 4 * 1024 * 1024 * 1024;
  const doFetch = opts.fetch ?? fetch;
  mkdirSync(dest, { recursive: true });
  const out: DownloadedZip[] = [];
  try {
    for (const ecosystem of ecosystems)
      out.push(await downloadOne(ecosystem, baseUrl, dest, maxBytes, doFetch, opts.signal));
  } catch (e) {
    for (const z of out) rmSync(z.path, { force: true });
    throw e;
  }
  return out;
}

async function downloadOne(
  ecosystem: string,
  baseUrl: string,
  dest: string,
  maxBytes: number,
  doFetch: typeof fetch,
  signal: AbortSignal | undefined,
): Promise<DownloadedZip> {
  if (!ecosystem.trim()) throw new UserError('empty ecosystem name');
  const url = osvZipUrl(ecosystem, baseUrl);
  const init: RequestInit = { redirect: 'follow' };
  if (signal) init.signal = signal;
  let res: Response;
  try {
    res = await doFetch(url, init);
  } catch (e) {
    throw new Error(`download of ${url} failed: ${(e as Error).message}`, { cause: e });
  }
  if (res.status === 404) throw new UserError(`unknown OSV ecosystem "${ecosystem}" (${url} answered 404)`);
  if (!res.ok || !res.body) throw new Error(`download of ${url} failed: HTTP ${res.status}`);
  const declared = Number(res.headers.get('content-length') ?? NaN);
  if (Number.isFinite(declared) && declared > maxBytes)
    throw new Error(`download of ${url} refused: ${declared} bytes is over the limit of ${maxBytes}`);
  const file = join(dest, `${ecosystem.replace(/[^A-Za-z0-9._-]+/g, '_')}.zip`);
  const part = `${file}.part-${process.pid}`;
  let bytes = 0;
  const counter = new Transform({
    transform(chunk: Buffer, _enc, cb) {
      bytes += chunk.length;
      if (bytes > maxBytes) cb(new Error(`download of ${url} exceeds the limit of ${maxBytes} bytes`));
      else cb(null, chunk);
    },
  });
  try {
    await pipeline(
      Readable.fromWeb(res.body as unknown as WebReadableStream<Uint8Array>),
      counter,
      createWriteStream(part),
    );
    renameSync(part, file);
  } catch (e) {
    rmSync(part, { force: true });
    throw e;
  }
  return { ecosystem, url, path: file, bytes };
}

export interface UpdateOsvOptions extends DownloadOptions {
  baseUrl?: string;
  onProgress?: ImportOptions['onProgress'];
  limits?: ImportOptions['limits'];
  /** Keep the downloaded zips (default: deleted after the import). */
  keepZips?: boolean;
}

/**
 * Downloads the given ecosystems and imports them in one atomic update; each lands as source
 * `osv:<ecosystem>`. Nothing changes in the database unless every download and import succeeds.
 */
export async function updateOsv(
  db: VulnDb,
  ecosystems: readonly string[],
  opts: UpdateOsvOptions = {},
): Promise<ImportResult[]> {
  const zips = await downloadOsv(ecosystems, opts.baseUrl ?? OSV_BASE_URL, {
    ...opts,
    destDir: opts.destDir ?? join(db.cacheDir, 'osv'),
  });
  try {
    return await db.update(async (w) => {
      const results: ImportResult[] = [];
      for (const z of zips) {
        const io: ImportOptions = { name: `osv:${z.ecosystem}` };
        if (opts.signal) io.signal = opts.signal;
        if (opts.onProgress) io.onProgress = opts.onProgress;
        if (opts.limits) io.limits = opts.limits;
        results.push(await importOsvInto(w, z.path, io));
      }
      return results;
    });
  } finally {
    if (!opts.keepZips) for (const z of zips) rmSync(z.path, { force: true });
  }
}
