import { UserError } from '../../core/errors.js';

export const KEV_URL = 'https://www.cisa.gov/sites/default/files/feeds/known_exploited_vulnerabilities.json';
export const EPSS_URL = 'https://epss.empiricalsecurity.com/epss_scores-current.csv.gz';

/** Downloads a small enrichment feed (KEV JSON, EPSS CSV) into memory, bounded in size. */
export async function fetchFeed(url: string, maxBytes = 256 * 1024 * 1024): Promise<Buffer> {
  let res: Response;
  try {
    res = await fetch(url, { redirect: 'follow', signal: AbortSignal.timeout(120_000) });
  } catch (e) {
    const cause = (e as { cause?: { message?: string } }).cause?.message ?? (e as Error).message;
    throw new UserError(`cannot download ${url}: ${cause}`);
  }
  if (!res.ok || !res.body) throw new UserError(`cannot download ${url}: HTTP ${res.status}`);
  const chunks: Buffer[] = [];
  let total = 0;
  for await (const c of res.body) {
    total += c.length;
    if (total > maxBytes) throw new UserError(`${url} is larger than ${maxBytes} bytes`);
    chunks.push(Buffer.from(c));
  }
  return Buffer.concat(chunks);
}
