import { Command, Option } from 'commander';
import { UserError } from '../../core/errors.js';
import { SEVERITIES, isSeverity } from '../../core/severity.js';
import { registryImages, registryReport } from '../../registry/scan/report.js';
import { emitReport, outputOption } from '../output.js';
import { VERSION } from '../version.js';
import { openScanStore, storeOptions } from './registry-shared.js';

interface ReportFlags {
  format: 'table' | 'json' | 'sarif';
  output?: string;
  registry?: string;
  repository?: string;
  severity?: string;
  kev?: boolean;
  fixable?: boolean;
  limit: string;
  db?: string;
  cacheDir?: string;
}

/** `kubeward registry report`: stored images with their findings, newest scan first, from the store only. */
export function registryReportCommand(): Command {
  const cmd = new Command('report')
    .description(
      'list stored registry images with their findings, newest first (reads the store, pulls nothing)',
    )
    .addOption(
      new Option('-f, --format <format>', 'output format')
        .choices(['table', 'json', 'sarif'])
        .default('table'),
    )
    .addOption(outputOption())
    .option('--registry <host>', 'only this registry (host[:port] or URL)')
    .option('--repository <glob>', 'only repositories matching this glob (e.g. "acme/*")')
    .addOption(
      new Option('--severity <severity>', 'only findings at or above this severity').choices(SEVERITIES),
    )
    .option('--kev', 'only findings in the CISA KEV catalog')
    .option('--fixable', 'only findings with a fixed version')
    .option('--limit <n>', 'at most this many images', '1000');
  storeOptions(cmd);
  cmd.action(async (flags: ReportFlags) => {
    const limit = Number(flags.limit);
    if (!Number.isInteger(limit) || limit < 1 || limit > 1_000_000)
      throw new UserError('--limit: expected a whole number from 1 to 1000000');
    const registry = flags.registry?.replace(/^[a-z]+:\/\//i, '').replace(/\/+$/, '');
    if (registry !== undefined && !/^[A-Za-z0-9.-]+(:\d+)?$|^\[[0-9A-Fa-f:.]+\](:\d+)?$/.test(registry))
      throw new UserError(`--registry: expected a registry host (got "${flags.registry?.slice(0, 100)}")`);
    if (flags.repository !== undefined && (flags.repository.length > 255 || flags.repository === ''))
      throw new UserError('--repository: expected a repository name or glob');
    const store = await openScanStore(flags);
    try {
      const images = await registryImages(store, {
        ...(registry ? { registry: registry === 'index.docker.io' ? 'docker.io' : registry } : {}),
        ...(flags.repository ? { repository: flags.repository } : {}),
        ...(flags.severity && isSeverity(flags.severity) ? { minSeverity: flags.severity } : {}),
        ...(flags.kev ? { kev: true } : {}),
        ...(flags.fixable ? { fixable: true } : {}),
        limit,
      });
      const report = registryReport(images, `registry images${registry ? ` of ${registry}` : ''}`, {
        name: 'kubeward',
        version: VERSION,
      });
      emitReport(report, flags.format, flags.output, process.cwd());
    } finally {
      await store.close();
    }
  });
  return cmd;
}
