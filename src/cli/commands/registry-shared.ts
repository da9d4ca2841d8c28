import { join } from 'node:path';
import type { Command } from 'commander';
import { loadConfig } from '../../core/config.js';
import { UserError } from '../../core/errors.js';
import { parsePlatform, type Platform } from '../../image/source/image-source.js';
import { openStore, STORE_FILE_NAME, type Store } from '../../store/index.js';
import { openVulnDb, type VulnDb } from '../../vuln/db/store.js';
import {
  createRegistryAccess,
  registrySourceFromFlag,
  registrySourcesFromConfig,
  type RegistryAccess,
  type RegistrySource,
} from '../../registry/index.js';
import type { PassSummary } from '../../registry/scan/index.js';

/** Flags shared by `registry scan` and `registry watch`. */
export interface RegistrySourceFlags {
  registry?: string[];
  repository?: string[];
  insecure?: boolean;
  db?: string;
  cacheDir?: string;
  platform: string;
}

export function registrySourceOptions(cmd: Command): Command {
  return cmd
    .option(
      '--registry <url...>',
      'registry to scan (https://host[:port]); default: registries.scan in .kubeward.yaml',
    )
    .option('--repository <name...>', 'repositories of the --registry (for registries without a catalog)')
    .option('--insecure', 'allow plain HTTP and unverified TLS for the --registry hosts (never the default)')
    .option('--platform <os/arch[/variant]>', 'platform picked from multi-platform images', 'linux/amd64');
}

export function storeOptions(cmd: Command): Command {
  return cmd
    .option(
      '--db <url>',
      'store: a SQLite file path, sqlite:PATH, or postgres://… (default <cache-dir>/store.db)',
    )
    .option('--cache-dir <dir>', 'vulnerability database directory (default $XDG_CACHE_HOME/kubeward)');
}

/** The registries to scan: `--registry` flags when given, else the config's `registries.scan`. */
export function resolveSources(flags: RegistrySourceFlags, cmd: Command): RegistrySource[] {
  if (flags.registry?.length) {
    const sources = flags.registry.map((url) =>
      registrySourceFromFlag(url, {
        ...(flags.insecure ? { insecure: true } : {}),
        ...(flags.repository?.length ? { repositories: flags.repository } : {}),
      }),
    );
    const hosts = new Set<string>();
    for (const s of sources) {
      if (hosts.has(s.host)) throw new UserError(`--registry: ${s.host} is given twice`);
      hosts.add(s.host);
    }
    return sources;
  }
  if (flags.repository?.length) throw new UserError('--repository needs --registry');
  const { config } = loadConfig({
    explicit: cmd.optsWithGlobals<{ config?: string }>().config,
    cwd: process.cwd(),
  });
  const sources = registrySourcesFromConfig(config);
  if (sources.length === 0)
    throw new UserError(
      'no registries to scan: give --registry URL or configure registries.scan in .kubeward.yaml',
    );
  return sources;
}

export function platformOf(flags: { platform: string }): Platform {
  try {
    return parsePlatform(flags.platform);
  } catch (e) {
    throw new UserError(`--platform: ${(e as Error).message}`);
  }
}

/** The vulnerability database; scanning without one would report every image clean. */
export function openScanVulnDb(flags: { cacheDir?: string }): VulnDb {
  const db = openVulnDb(flags.cacheDir ? { cacheDir: flags.cacheDir } : {});
  if (!db.exists)
    throw new UserError(
      `no vulnerability database at ${db.path}; run \`kubeward db update\` (or \`kubeward db import\` offline)`,
    );
  return db;
}

/** `--db`, else `store.db` beside the vulnerability database of `--cache-dir`, else the default file. */
export function openScanStore(flags: { db?: string; cacheDir?: string }): Promise<Store> {
  if (flags.db !== undefined) return openStore(flags.db);
  return openStore(flags.cacheDir ? join(flags.cacheDir, STORE_FILE_NAME) : undefined);
}

export function access(sources: RegistrySource[]): RegistryAccess {
  return createRegistryAccess(sources);
}

/** One line for stderr: what a pass did. */
export function passLine(s: PassSummary, kind = 'pass'): string {
  const rematch = s.rematch
    ? `; re-matched ${s.rematch.images} stored images (+${s.rematch.appeared}/-${s.rematch.disappeared} findings)`
    : '';
  return (
    `${kind}: ${s.registries} registries, ${s.repositories} repositories, ${s.tags} tags; images ` +
    `${s.images.scanned} scanned, ${s.images.skipped} already stored, ${s.images.failed} failed, ` +
    `${s.images.deferred} deferred; ${formatBytes(s.bytesFetched)} fetched in ${(s.durationMs / 1000).toFixed(1)} s` +
    `${rematch}${s.errors.length ? `; ${s.errors.length} errors` : ''}` +
    `${s.warnings.length ? `; ${s.warnings.length} warnings` : ''}`
  );
}

function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KiB`;
  return `${(n / 1024 / 1024).toFixed(1)} MiB`;
}

/** `15m`, `30s`, `1h`, `500ms`, `2h30m`; at least one second, at most a week. */
export function parseDuration(text: string, flag: string): number {
  const units: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };
  const re = /(\d+(?:\.\d+)?)(ms|s|m|h)/gy;
  let total = 0;
  let pos = 0;
  let m: RegExpExecArray | null;
  const t = text.trim();
  while ((m = re.exec(t)) !== null) {
    total += Number(m[1]) * (units[m[2] as string] ?? 0);
    pos = re.lastIndex;
  }
  if (pos === 0 || pos !== t.length)
    throw new UserError(`${flag}: expected a duration like 15m, 30s or 1h (got "${text.slice(0, 40)}")`);
  if (total < 1000 || total > 7 * 86_400_000) throw new UserError(`${flag}: must be between 1s and 168h`);
  return total;
}
