import { Command, Option } from 'commander';
import { gateFails, parseThreshold } from '../../core/gate.js';
import type { ScanWarning } from '../../core/errors.js';
import { runPass } from '../../registry/scan/index.js';
import { registryImages, registryReport } from '../../registry/scan/report.js';
import { emitReport, outputOption, printWarnings } from '../output.js';
import { useBatchHeapGrowth } from '../batch-heap.js';
import { VERSION } from '../version.js';
import type { ExitCode } from '../exit.js';
import {
  access,
  openScanStore,
  openScanVulnDb,
  passLine,
  platformOf,
  registrySourceOptions,
  resolveSources,
  storeOptions,
  type RegistrySourceFlags,
} from './registry-shared.js';

interface ScanFlags extends RegistrySourceFlags {
  format: 'table' | 'json' | 'sarif';
  output?: string;
  failOn: string;
}

/** `kubeward registry scan`: one full pass over the configured registries, then a report of their images. */
export function registryScanCommand(setExit: (code: ExitCode) => void): Command {
  const cmd = new Command('scan')
    .description(
      'one pass: discover the registries, scan digests not in the store yet, report their findings',
    )
    .addOption(
      new Option('-f, --format <format>', 'output format')
        .choices(['table', 'json', 'sarif'])
        .default('table'),
    )
    .addOption(outputOption())
    .option('--fail-on <severity>', 'exit 1 when a finding is at or above this severity (or none)', 'high');
  registrySourceOptions(cmd);
  storeOptions(cmd);
  cmd.action(async (flags: ScanFlags, c: Command) => {
    const threshold = parseThreshold(flags.failOn, '--fail-on');
    useBatchHeapGrowth();
    const sources = resolveSources(flags, c);
    const platform = platformOf(flags);
    const vulnDb = openScanVulnDb(flags);
    const store = await openScanStore(flags);
    const { client, limitsFor } = access(sources);
    try {
      const summary = await runPass(sources, { store, vulnDb, client, limitsFor, platform });
      process.stderr.write(`${passLine(summary)}\n`);
      const hosts = new Set(sources.map((s) => s.host));
      // The images the registries carry now: stored images that still have a tag in a scanned registry.
      const images = (
        await Promise.all([...hosts].map((h) => registryImages(store, { registry: h, limit: 100_000 })))
      )
        .flat()
        .filter((i) => i.tags.some((t) => hosts.has(t.registry)))
        .sort((a, b) => (a.scannedAt < b.scannedAt ? 1 : a.scannedAt > b.scannedAt ? -1 : 0));
      const warnings: ScanWarning[] = [...summary.errors, ...summary.warnings].map((e) => ({
        message: `${e.registry}${e.repository ? `/${e.repository}` : ''}${e.digest ? `@${e.digest.slice(0, 19)}` : ''}: ${e.message}`,
      }));
      const report = registryReport(
        images,
        `registries ${[...hosts].join(', ')}`,
        { name: 'kubeward', version: VERSION },
        warnings,
      );
      // The table shows them itself; with JSON or SARIF on stdout, operators still see them on stderr.
      if (flags.format !== 'table') printWarnings(warnings);
      emitReport(report, flags.format, flags.output, process.cwd());
      // An incomplete pass fails too: an unreachable registry must not look like a clean one in CI.
      setExit(gateFails(report.findings, threshold) || summary.errors.length > 0 ? 1 : 0);
    } finally {
      await client.close();
      await store.close();
      vulnDb.close();
    }
  });
  return cmd;
}
