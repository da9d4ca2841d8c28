import type { Cataloger, CatalogResult } from '../cataloger.js';
import type { Package } from '../package.js';
import { dedupe, langPackage } from './common.js';

/** `\xff Go buildinf:` — the header of the .go.buildinfo section (Go >= 1.13). */
const MAGIC = Buffer.from('\xff Go buildinf:', 'latin1');
/** Bounds: only executables of plausible size are read. */
const MIN_SIZE = 4 * 1024;
const MAX_SIZE = 512 * 1024 * 1024;

export interface GoBuildInfo {
  goVersion: string;
  mainPath?: string;
  mainVersion?: string;
  deps: Array<{ path: string; version: string }>;
  /** Set when the binary predates Go 1.18's inline format (pointer-based; not decoded). */
  legacy?: boolean;
}

/**
 * Reads the build information embedded by the Go linker. Go 1.18+ stores the Go version and module info
 * inline as varint-prefixed strings right after the 32-byte header (flag bit 2); the modinfo text has
 * 16-byte sentinels around it and `path`, `mod`, `dep` and `=>` (replacement) lines.
 */
export function parseGoBuildInfo(bin: Buffer): GoBuildInfo | undefined {
  let at = bin.indexOf(MAGIC);
  while (at !== -1 && at % 16 !== 0) at = bin.indexOf(MAGIC, at + 1);
  if (at === -1 || at + 32 > bin.length) return undefined;
  const flags = bin[at + 15] ?? 0;
  if ((flags & 0x2) === 0) return { goVersion: '', deps: [], legacy: true };
  let pos = at + 32;
  const readString = (): string | undefined => {
    let len = 0;
    let shift = 0;
    for (let i = 0; i < 10; i++) {
      const b = bin[pos++];
      if (b === undefined) return undefined;
      len |= (b & 0x7f) << shift;
      if ((b & 0x80) === 0) break;
      shift += 7;
    }
    if (len < 0 || pos + len > bin.length || len > 16 * 1024 * 1024) return undefined;
    const s = bin.toString('utf8', pos, pos + len);
    pos += len;
    return s;
  };
  const goVersion = readString();
  const modinfo = readString();
  if (goVersion === undefined) return undefined;
  const info: GoBuildInfo = { goVersion, deps: [] };
  // Strip the 16-byte sentinels when present.
  const text =
    modinfo && modinfo.length >= 33 && modinfo[modinfo.length - 17] === '\n'
      ? modinfo.slice(16, -16)
      : (modinfo ?? '');
  let last: { path: string; version: string } | undefined;
  for (const line of text.split('\n')) {
    const f = line.split('\t');
    if (f[0] === 'path') info.mainPath = f[1];
    else if (f[0] === 'mod') {
      info.mainPath = f[1] ?? info.mainPath;
      if (f[2]) info.mainVersion = f[2];
    } else if (f[0] === 'dep' && f[1] && f[2]) {
      last = { path: f[1], version: f[2] };
      info.deps.push(last);
    } else if (f[0] === '=>' && last && f[1]) {
      // A replacement: the code built is the replacement module at its version. A local directory
      // replacement (`=> ../lib (devel)`) has no module version, so the dependency cannot be matched.
      if (f[1].startsWith('.') || f[1].startsWith('/') || !f[2] || f[2] === '(devel)') {
        info.deps.pop();
      } else {
        last.path = f[1];
        last.version = f[2];
      }
      last = undefined;
    }
  }
  return info;
}

/** Go modules and the Go standard library version compiled into binaries. */
export const goBinaryCataloger: Cataloger = {
  name: 'go-binary',
  wants: (_p, info) => (info.mode & 0o111) !== 0 && info.size >= MIN_SIZE && info.size <= MAX_SIZE,
  reduce: (_p, content) => parseGoBuildInfo(content),
  catalog(fs): CatalogResult {
    const packages: Package[] = [];
    const notes: string[] = [];
    for (const path of fs.paths()) {
      const f = fs.get(path);
      const info = f?.extracted as GoBuildInfo | undefined;
      if (!f || !info || typeof info !== 'object' || !('deps' in info)) continue;
      if (info.legacy) {
        notes.push(`${path}: Go binary built before Go 1.18; its module list is not analysed`);
        continue;
      }
      const std = info.goVersion.replace(/^go/, '').split(' ')[0];
      const add = (mod: string, version: string): void => {
        // Build info is attacker-controlled: one unparsable entry is noted, the rest still count.
        try {
          packages.push(goPackage(mod, version, path, f.layer));
        } catch {
          notes.push(
            `${path}: module ${mod.slice(0, 100)}@${version.slice(0, 40)} is not a valid module version`,
          );
        }
      };
      if (std) add('stdlib', std);
      if (info.mainPath && info.mainVersion && info.mainVersion !== '(devel)')
        add(info.mainPath, info.mainVersion);
      for (const d of info.deps) add(d.path, d.version);
    }
    const legacy = notes.some((n) => n.includes('before Go 1.18'));
    return { packages: dedupe(packages), status: legacy ? 'not-analysed' : 'ok', notes };
  },
};

/** OSV's Go ecosystem uses versions without the `v`; the purl keeps Go's own `v1.2.3` form. */
function goPackage(modulePath: string, version: string, location: string, layer: number): Package {
  const slash = modulePath.lastIndexOf('/');
  const p = langPackage(
    'golang',
    'Go',
    slash === -1 ? modulePath : modulePath.slice(slash + 1),
    version.startsWith('v') || modulePath === 'stdlib' ? version : `v${version}`,
    location,
    layer,
    slash === -1 ? undefined : modulePath.slice(0, slash),
  );
  p.name = modulePath;
  p.version = version.replace(/^v/, '');
  return p;
}
