// Flags and config shared by `kubeward policy test` and `kubeward admission serve|install`: where the
// policies are, the default PSS level, and per-policy modes. Both front doors build the same PolicySet.
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import type { Command } from 'commander';
import type { LoadedConfig } from '../../core/config.js';
import { modeOverride, parsePssLevel, type ModeOverride } from '../../policy/engine/index.js';
import type { PssLevelVersion } from '../../policy/pss/index.js';
import type { PolicySourceOptions } from '../../policy/load/index.js';
import { RegistryClient } from '../../image/registry/client.js';
import { dockerConfigProvider } from '../../image/registry/credentials.js';
import { InlineScanSource, type ScanResultSource } from '../../policy/image/scan-results.js';
import { ChainedScanResults, StoreScanResults } from '../../policy/image/index.js';
import { openStore, STORE_FILE_NAME, type Store } from '../../store/index.js';
import { defaultCacheDir, openVulnDb } from '../../vuln/db/store.js';
import { vapCompiler } from './policy-vap.js';

export interface PolicyFlags {
  policies?: string[];
  pss?: string;
}

export interface ResolvedPolicyOptions {
  /** Absolute or cwd-relative policy inputs; empty when none were given. */
  inputs: string[];
  source: PolicySourceOptions;
}

export function resolvePolicyOptions(
  flags: PolicyFlags,
  loaded: LoadedConfig,
  cwd: string,
): ResolvedPolicyOptions {
  const cfg = loaded.config.policies ?? {};
  let pss: PssLevelVersion | undefined;
  if (flags.pss !== undefined) pss = parsePssLevel(flags.pss, '--pss');
  else if (cfg.pss !== undefined) pss = parsePssLevel(cfg.pss, `${loaded.file ?? 'config'}: policies.pss`);
  const modes: ModeOverride[] = Object.entries(cfg.modes ?? {}).map(([glob, mode]) =>
    modeOverride(glob, mode),
  );
  const base = loaded.file ? dirname(loaded.file) : cwd;
  const inputs = flags.policies?.length ? flags.policies : (cfg.paths ?? []).map((p) => resolve(base, p));
  const source: PolicySourceOptions = { cwd, modes, vap: vapCompiler() };
  if (pss) source.pss = pss;
  return { inputs, source };
}

/** Flags of `policy test`, `policy audit` and `admission serve` that say where scan results come from. */
export interface ScanResultFlags {
  db?: string;
  cacheDir?: string;
}

export function scanResultOptions(cmd: Command): Command {
  return cmd
    .option(
      '--db <url>',
      'store of registry scan results (SQLite path, sqlite:PATH or postgres://…; default <cache-dir>/store.db)',
    )
    .option(
      '--cache-dir <dir>',
      'vulnerability database directory for inline scans (default $XDG_CACHE_HOME/kubeward)',
    );
}

export interface OpenedScanResults {
  /** Undefined when there is neither a store nor a vulnerability database to scan with. */
  source: ScanResultSource | undefined;
  /** What is connected, for the startup log. */
  describe: { store?: string; inlineScan: boolean };
  close(): Promise<void>;
}

/**
 * Stored results first (`--db`, else the store `kubeward registry scan` writes by default), then an inline
 * scanner over the local vulnerability database for `unscanned: scan`. The default store is only opened
 * when it exists, so judging manifests never creates one as a side effect.
 */
export async function openScanResults(flags: ScanResultFlags): Promise<OpenedScanResults> {
  const sources: ScanResultSource[] = [];
  const describe: OpenedScanResults['describe'] = { inlineScan: false };
  let store: Store | undefined;
  const url = flags.db ?? join(flags.cacheDir ?? defaultCacheDir(), STORE_FILE_NAME);
  if (flags.db !== undefined || existsSync(url)) {
    store = await openStore(url);
    sources.push(new StoreScanResults(store));
    describe.store = store.location.kind === 'sqlite' ? store.location.path : 'postgres';
  }
  const vulnDb = openVulnDb(flags.cacheDir ? { cacheDir: flags.cacheDir } : {});
  if (vulnDb.exists) {
    sources.push(
      new InlineScanSource({
        db: vulnDb,
        client: new RegistryClient({ credentials: dockerConfigProvider() }),
      }),
    );
    describe.inlineScan = true;
  }
  return {
    source: sources.length === 0 ? undefined : new ChainedScanResults(sources),
    describe,
    close: async () => {
      await store?.close();
      vulnDb.close();
    },
  };
}
