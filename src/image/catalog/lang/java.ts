import { fromBuffer, type Entry, type ZipFile } from 'yauzl';
import type { Cataloger, CatalogResult } from '../cataloger.js';
import type { Package } from '../package.js';
import { dedupe, langPackage } from './common.js';

const ARCHIVE = /\.(jar|war|ear|jpi|hpi|par|sar|nar)$/i;
const POM_PROPERTIES = /^META-INF\/maven\/[^/]+\/[^/]+\/pom\.properties$/;
/** Bounds against zip bombs and pathological archives. */
const MAX_NESTING = 3;
const MAX_NESTED_BYTES = 128 * 1024 * 1024;
const MAX_SMALL_FILE = 1024 * 1024;
const MAX_ENTRIES = 200_000;
/**
 * Budget for one archive from the image, nested archives included: bytes inflated and nested archives
 * opened. A zip bomb (jars of jars of huge jars) stops here with what was found so far.
 */
const MAX_INFLATED_BYTES = 512 * 1024 * 1024;
const MAX_NESTED_ARCHIVES = 2000;

interface Budget {
  inflated: number;
  archives: number;
  /** A bound was hit: nothing more is read. */
  exhausted?: boolean;
  /** Why the result is partial (the first reason), when it is. */
  partial?: string;
}

function stop(budget: Budget, reason: string): void {
  budget.exhausted = true;
  budget.partial ??= reason;
}

export interface JavaArtifact {
  groupId?: string;
  artifactId?: string;
  version?: string;
  /** Path inside the image, with `!` separating nested archives (app.jar!BOOT-INF/lib/x.jar). */
  location: string;
  /** Set (on an entry without artifactId) when the archive was not read to the end, and why. */
  incomplete?: string;
}

/** Parses Java .properties (only the simple key=value / key: value lines pom.properties uses). */
export function parseProperties(text: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (!line || line.startsWith('#') || line.startsWith('!')) continue;
    const m = /^([^=:\s]+)\s*[=:]\s*(.*)$/.exec(line);
    if (m?.[1]) out.set(m[1], m[2] ?? '');
  }
  return out;
}

/** Reads MANIFEST.MF main attributes (continuation lines start with one space). */
export function parseManifest(text: string): Map<string, string> {
  const out = new Map<string, string>();
  let last: string | undefined;
  for (const line of text.split(/\r?\n/)) {
    if (line === '') break; // main section ends at the first blank line
    if (line.startsWith(' ') && last) {
      out.set(last, (out.get(last) ?? '') + line.slice(1));
      continue;
    }
    const i = line.indexOf(':');
    if (i <= 0) continue;
    last = line.slice(0, i);
    out.set(last, line.slice(i + 1).trim());
  }
  return out;
}

/** The member name: UTF-8 when the zip says so (bit 11), else bytes as latin1 (ASCII names are the same). */
function entryName(entry: Entry): string {
  const raw = entry.fileNameRaw;
  return raw.toString((entry.generalPurposeBitFlag & 0x800) !== 0 ? 'utf8' : 'latin1');
}

function openZip(buf: Buffer): Promise<ZipFile> {
  return new Promise((resolve, reject) =>
    // decodeStrings: false, so one hostile member name (`../x`, `/abs`) cannot abort the whole archive and
    // hide the packages after it; names are decoded here and only ever matched, never used as paths.
    fromBuffer(buf, { lazyEntries: true, validateEntrySizes: true, decodeStrings: false }, (err, zip) =>
      err ? reject(err) : resolve(zip),
    ),
  );
}

function readEntry(zip: ZipFile, entry: Entry, limit: number, budget: Budget): Promise<Buffer | undefined> {
  if (entry.uncompressedSize > limit) return Promise.resolve(undefined);
  if (entry.uncompressedSize > MAX_INFLATED_BYTES - budget.inflated) {
    stop(budget, `more than ${MAX_INFLATED_BYTES >> 20} MiB to inflate (zip bomb?)`);
    return Promise.resolve(undefined);
  }
  return new Promise((resolve) => {
    zip.openReadStream(entry, (err, stream) => {
      // A broken member (bad deflate data, a size that lies) is skipped; the next members are still read.
      const broken = (): void => {
        budget.partial ??= `member ${entryName(entry).slice(0, 200)} is corrupt`;
        resolve(undefined);
      };
      if (err) return broken();
      const chunks: Buffer[] = [];
      let total = 0;
      stream.on('data', (c: Buffer) => {
        total += c.length;
        budget.inflated += c.length;
        if (total > limit || budget.inflated > MAX_INFLATED_BYTES) {
          if (budget.inflated > MAX_INFLATED_BYTES)
            stop(budget, `more than ${MAX_INFLATED_BYTES >> 20} MiB to inflate (zip bomb?)`);
          stream.destroy();
          resolve(undefined);
        } else chunks.push(c);
      });
      stream.on('end', () => resolve(Buffer.concat(chunks)));
      stream.on('error', broken);
    });
  });
}

/**
 * Lists the Maven artifacts in a Java archive: every `pom.properties`, else the manifest's
 * Implementation/Bundle attributes, recursing into nested archives (Spring Boot BOOT-INF/lib, WEB-INF/lib).
 */
export async function scanJavaArchive(
  buf: Buffer,
  location: string,
  depth = 0,
  budget: Budget = { inflated: 0, archives: 0 },
): Promise<JavaArtifact[]> {
  let zip: ZipFile;
  try {
    zip = await openZip(buf);
  } catch {
    return [];
  }
  const artifacts: JavaArtifact[] = [];
  let manifest: Map<string, string> | undefined;
  let entries = 0;
  try {
    await new Promise<void>((resolve, reject) => {
      zip.on('entry', (entry: Entry) => {
        if (++entries > MAX_ENTRIES || budget.exhausted) {
          if (entries > MAX_ENTRIES) stop(budget, `more than ${MAX_ENTRIES} entries in one archive`);
          resolve();
          return;
        }
        const name = entryName(entry);
        const work = async (): Promise<void> => {
          if (POM_PROPERTIES.test(name)) {
            const b = await readEntry(zip, entry, MAX_SMALL_FILE, budget);
            if (b) {
              const p = parseProperties(b.toString('utf8'));
              const a: JavaArtifact = { location };
              const g = p.get('groupId');
              const id = p.get('artifactId');
              const v = p.get('version');
              if (g) a.groupId = g;
              if (id) a.artifactId = id;
              if (v) a.version = v;
              if (a.artifactId && a.version) artifacts.push(a);
            }
          } else if (name === 'META-INF/MANIFEST.MF') {
            const b = await readEntry(zip, entry, MAX_SMALL_FILE, budget);
            if (b) manifest = parseManifest(b.toString('utf8'));
          } else if (ARCHIVE.test(name) && depth < MAX_NESTING) {
            if (++budget.archives > MAX_NESTED_ARCHIVES) {
              stop(budget, `more than ${MAX_NESTED_ARCHIVES} nested archives`);
              return;
            }
            const b = await readEntry(zip, entry, MAX_NESTED_BYTES, budget);
            if (b) artifacts.push(...(await scanJavaArchive(b, `${location}!${name}`, depth + 1, budget)));
          }
        };
        work().then(() => zip.readEntry(), reject);
      });
      zip.on('end', () => resolve());
      zip.on('error', reject);
      zip.readEntry();
    });
  } catch {
    // A corrupt member ends the scan of this archive with what was found so far, and says so.
    budget.partial ??= `${location} is corrupt; read up to the broken member`;
  } finally {
    zip.close();
  }
  const own = artifacts.filter((a) => a.location === location);
  if (own.length === 0 && manifest) {
    const title = manifest.get('Implementation-Title') ?? manifest.get('Bundle-SymbolicName')?.split(';')[0];
    const version = manifest.get('Implementation-Version') ?? manifest.get('Bundle-Version');
    const vendor =
      manifest.get('Implementation-Vendor-Id') ??
      manifest.get('Bundle-SymbolicName')?.split(';')[0]?.split('.').slice(0, -1).join('.');
    if (title && version)
      artifacts.push({ artifactId: title, version, location, ...(vendor ? { groupId: vendor } : {}) });
  }
  if (depth === 0 && budget.partial)
    artifacts.push({ location, incomplete: `not read to the end: ${budget.partial}` });
  return artifacts;
}

/** Maven artifacts inside Java archives, including nested ones. */
export const javaCataloger: Cataloger = {
  name: 'java',
  wants: (p) => ARCHIVE.test(p),
  reduce: (p, content) => scanJavaArchive(content, p),
  catalog(fs): CatalogResult {
    const packages: Package[] = [];
    const notes: string[] = [];
    for (const path of fs.paths((p) => ARCHIVE.test(p))) {
      const f = fs.get(path);
      const found = f?.extracted as JavaArtifact[] | undefined;
      if (!f || !Array.isArray(found)) continue;
      for (const a of found) {
        if (a.incomplete && notes.length < 100) notes.push(`${a.location}: ${a.incomplete}`);
        if (!a.artifactId || !a.version) continue;
        const p = langPackage('maven', 'Maven', a.artifactId, a.version, a.location, f.layer, a.groupId);
        p.name = a.groupId ? `${a.groupId}:${a.artifactId}` : a.artifactId;
        packages.push(p);
      }
    }
    return { packages: dedupe(packages), status: 'ok', notes };
  },
};
