import { Command, Option } from 'commander';
import { existsSync } from 'node:fs';

import { UserError } from '../../core/errors.js';
import { openVulnDb, type VulnDb } from '../../vuln/db/store.js';
import { importOsv } from '../../vuln/db/import-osv.js';
import { importEpss, importKev } from '../../vuln/db/feeds.js';
import { dbStatus, type DbStatus } from '../../vuln/db/query.js';
import { OSV_BASE_URL, updateOsv } from '../../vuln/db/download.js';
import { EPSS_URL, fetchFeed, KEV_URL } from '../../vuln/db/fetch-feed.js';
import { writeText } from '../output.js';

/** Ecosystems `db update` fetches by default: the distributions and languages the catalogers produce. */
export const DEFAULT_ECOSYSTEMS = [
  'Debian',
  'Ubuntu',
  'Alpine',
  'Red Hat',
  'Rocky Linux',
  'AlmaLinux',
  'Wolfi',
  'Chainguard',
  'npm',
  'PyPI',
  'Go',
  'Maven',
  'RubyGems',
  'crates.io',
  'Packagist',
  'NuGet',
];

const cacheDirOption = (): Option =>
  new Option('--cache-dir <dir>', 'database directory (default $XDG_CACHE_HOME/kubeward)');

function open(flags: { cacheDir?: string }): VulnDb {
  return openVulnDb(flags.cacheDir ? { cacheDir: flags.cacheDir } : {});
}

export function dbCommand(): Command {
  const db = new Command('db').description(
    'the vulnerability database (OSV advisories, CISA KEV, FIRST EPSS)',
  );
  db.command('update')
    .description('download OSV advisories per ecosystem plus KEV and EPSS, replacing the database atomically')
    .option('--ecosystem <name...>', 'OSV ecosystems to fetch', DEFAULT_ECOSYSTEMS)
    .option('--source <url>', 'OSV mirror base URL (serves <ECOSYSTEM>/all.zip)', OSV_BASE_URL)
    .option('--kev <url>', 'CISA KEV JSON feed URL, or "none"', KEV_URL)
    .option('--epss <url>', 'FIRST EPSS CSV(.gz) URL, or "none"', EPSS_URL)
    .addOption(cacheDirOption())
    .action(
      async (flags: {
        ecosystem: string[];
        source: string;
        kev: string;
        epss: string;
        cacheDir?: string;
      }) => {
        const store = open(flags);
        try {
          const results = await updateOsv(store, flags.ecosystem, { baseUrl: flags.source });
          const lines = results.map(
            (r) =>
              `osv ${r.source}: ${r.records} records${r.warnings.count ? `, ${r.warnings.count} warnings` : ''}`,
          );
          if (flags.kev !== 'none')
            lines.push(`kev: ${(await importKev(store, await fetchFeed(flags.kev))).records} entries`);
          if (flags.epss !== 'none')
            lines.push(`epss: ${(await importEpss(store, await fetchFeed(flags.epss))).records} scores`);
          process.stderr.write(lines.join('\n') + `\ndatabase: ${store.path}\n`);
        } finally {
          store.close();
        }
      },
    );
  db.command('import')
    .description('import OSV records from zip files or directories of OSV JSON/YAML (air-gapped use)')
    .argument('[paths...]', 'OSV all.zip files, directories, or single record files')
    .option('--kev <file>', 'CISA KEV catalog JSON')
    .option('--epss <file>', 'FIRST EPSS CSV (optionally .gz)')
    .addOption(cacheDirOption())
    .action(async (paths: string[], flags: { kev?: string; epss?: string; cacheDir?: string }) => {
      if (paths.length === 0 && !flags.kev && !flags.epss)
        throw new UserError('db import: give OSV paths, --kev or --epss');
      for (const p of [...paths, flags.kev, flags.epss])
        if (p && !existsSync(p)) throw new UserError(`path not found: ${p}`);
      const store = open(flags);
      try {
        const lines: string[] = [];
        for (const p of paths) {
          const r = await importOsv(store, p, { name: `osv:${sourceName(p)}` });
          lines.push(
            `osv ${r.source}: ${r.records} records${r.warnings.count ? `, ${r.warnings.count} warnings (e.g. ${r.warnings.samples.slice(0, 3).join('; ')})` : ''}`,
          );
        }
        if (flags.kev) lines.push(`kev: ${(await importKev(store, flags.kev)).records} entries`);
        if (flags.epss) lines.push(`epss: ${(await importEpss(store, flags.epss)).records} scores`);
        process.stderr.write(lines.join('\n') + `\ndatabase: ${store.path}\n`);
      } finally {
        store.close();
      }
    });
  db.command('status')
    .description('show the sources in the database, their record counts and age')
    .addOption(
      new Option('-f, --format <format>', 'output format').choices(['table', 'json']).default('table'),
    )
    .addOption(cacheDirOption())
    .action((flags: { format: 'table' | 'json'; cacheDir?: string }) => {
      const store = open(flags);
      try {
        if (!store.exists)
          throw new UserError(
            `no vulnerability database at ${store.path}; run \`kubeward db update\` or \`kubeward db import\``,
          );
        const st = dbStatus(store);
        writeText(
          flags.format === 'json' ? JSON.stringify(st, null, 2) + '\n' : statusTable(st),
          undefined,
          process.cwd(),
        );
      } finally {
        store.close();
      }
    });
  return db;
}

/** `Go/all.zip` → `Go`; `osv-go.zip` → `osv-go`; a directory → its name. */
function sourceName(p: string): string {
  const parts = p.replace(/\/+$/, '').split('/');
  const base = (parts.pop() ?? p).replace(/\.zip$/i, '');
  return base === 'all' ? (parts.pop() ?? base) : base;
}

export function formatAge(seconds: number): string {
  if (seconds < 3600) return `${Math.round(seconds / 60)}m`;
  if (seconds < 86400 * 2) return `${Math.round(seconds / 3600)}h`;
  return `${Math.round(seconds / 86400)}d`;
}

function statusTable(st: DbStatus): string {
  const rows = st.sources.map((s) => [
    s.name,
    s.kind,
    String(s.records),
    formatAge(s.ageSeconds),
    s.importedAt,
  ]);
  const head = ['SOURCE', 'KIND', 'RECORDS', 'AGE', 'IMPORTED'];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const fmt = (r: string[]): string =>
    r
      .map((c, i) => c.padEnd(widths[i] ?? 0))
      .join('  ')
      .trimEnd();
  const c = st.counts;
  return [
    `database: ${st.path} (schema ${st.schemaVersion}, ${(st.sizeBytes / 1048576).toFixed(1)} MiB)`,
    `advisories: ${c.advisories} (${c.withdrawn} withdrawn), affected entries: ${c.affected}, KEV: ${c.kev}, EPSS: ${c.epss}`,
    '',
    fmt(head),
    ...rows.map(fmt),
    '',
  ].join('\n');
}
