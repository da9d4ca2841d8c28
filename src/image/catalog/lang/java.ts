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

export interface JavaArtifact {
  groupId?: string;
  artifactId?: string;
  version?: string;
  /** Path inside the image, with `!` separating nested archives (app.jar!BOOT-INF/lib/x.jar). */
  location: string;
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

function openZip(buf: Buffer): Promise<ZipFile> {
  return new Promise((resolve, reject) =>
    fromBuffer(buf, { lazyEntries: true, validateEntrySizes: true, strictFileNames: false }, (err, zip) =>
      err ? reject(err) : resolve(zip),
    ),
  );
}

function readEntry(zip: ZipFile, entry: Entry, limit: number): Promise<Buffer | undefined> {
  if (entry.uncompressedSize > limit) return Promise.resolve(undefined);
  return new Promise((resolve, reject) => {
    zip.openReadStream(entry, (err, stream) => {
      if (err) return reject(err);
      const chunks: Buffer[] = [];
      let total = 0;
      stream.on('data', (c: Buffer) => {
        total += c.length;
        if (total > limit) {
          stream.destroy();
          resolve(undefined);
        } else chunks.push(c);
      });
      stream.on('end', () => resolve(Buffer.concat(chunks)));
      stream.on('error', reject);
    });
  });
}

/**
 * Lists the Maven artifacts in a Java archive: every `pom.properties`, else the manifest's
 * Implementation/Bundle attributes, recursing into nested archives (Spring Boot BOOT-INF/lib, WEB-INF/lib).
 */
export async function scanJavaArchive(buf: Buffer, location: string, depth = 0): Promise<JavaArtifact[]> {
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
        if (++entries > MAX_ENTRIES) {
          resolve();
          return;
        }
        const name = entry.fileName;
        const work = async (): Promise<void> => {
          if (POM_PROPERTIES.test(name)) {
            const b = await readEntry(zip, entry, MAX_SMALL_FILE);
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
            const b = await readEntry(zip, entry, MAX_SMALL_FILE);
            if (b) manifest = parseManifest(b.toString('utf8'));
          } else if (ARCHIVE.test(name) && depth < MAX_NESTING) {
            const b = await readEntry(zip, entry, MAX_NESTED_BYTES);
            if (b) artifacts.push(...(await scanJavaArchive(b, `${location}!${name}`, depth + 1)));
          }
        };
        work().then(() => zip.readEntry(), reject);
      });
      zip.on('end', () => resolve());
      zip.on('error', reject);
      zip.readEntry();
    });
  } catch {
    // A corrupt member ends the scan of this archive with what was found so far.
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
  return artifacts;
}

/** Maven artifacts inside Java archives, including nested ones. */
export const javaCataloger: Cataloger = {
  name: 'java',
  wants: (p) => ARCHIVE.test(p),
  reduce: (p, content) => scanJavaArchive(content, p),
  catalog(fs): CatalogResult {
    const packages: Package[] = [];
    for (const path of fs.paths((p) => ARCHIVE.test(p))) {
      const f = fs.get(path);
      const found = f?.extracted as JavaArtifact[] | undefined;
      if (!f || !Array.isArray(found)) continue;
      for (const a of found) {
        if (!a.artifactId || !a.version) continue;
        const p = langPackage('maven', 'Maven', a.artifactId, a.version, a.location, f.layer, a.groupId);
        p.name = a.groupId ? `${a.groupId}:${a.artifactId}` : a.artifactId;
        packages.push(p);
      }
    }
    return { packages: dedupe(packages), status: 'ok', notes: [] };
  },
};
