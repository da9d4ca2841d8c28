import { Command, Option } from 'commander';
import { loadConfig } from '../../core/config.js';
import { filterBySeverity, gateFails, parseThreshold } from '../../core/gate.js';
import { summarize } from '../../core/finding.js';
import { UserError } from '../../core/errors.js';
import { isSeverity, SEVERITIES, type Severity } from '../../core/severity.js';
import { openImage, toUserError } from '../../image/open-image.js';
import { takeInventory, type Inventory } from '../../image/inventory.js';
import { useBatchHeapGrowth } from '../batch-heap.js';
import { ALL_CATALOGERS } from '../../image/catalog/index.js';
import { readSbom } from '../../image/sbom/read-sbom.js';
import { toCycloneDx } from '../../image/sbom/cyclonedx.js';
import { openVulnDb } from '../../vuln/db/store.js';
import { readOpenVex, type VexStatement } from '../../vuln/vex/openvex.js';
import { scanImage } from '../../vuln/scan/image-scan.js';
import { imageScanRules } from '../../vuln/scan/rules.js';
import type { OutputFormat } from '../../report/report.js';
import { emitReport, outputOption, writeText } from '../output.js';
import { inventoryProgress } from '../progress.js';
import { VERSION } from '../version.js';
import type { ExitCode } from '../exit.js';
import { imageSourceOptions, type ImageSourceFlags } from './image-flags.js';

interface ImageScanFlags extends ImageSourceFlags {
  format: OutputFormat | 'cyclonedx';
  output?: string;
  failOn: string;
  severity?: string;
  ignoreUnfixed?: boolean;
  failOnKev?: boolean;
  sbom?: string;
  vex?: string[];
  cacheDir?: string;
}

export function imageCommand(setExit: (code: ExitCode) => void): Command {
  const image = new Command('image').description(
    'container images: inventory, vulnerabilities, configuration',
  );
  const scan = new Command('scan')
    .description(
      'scan an image (registry reference, docker save archive, OCI layout, root filesystem) or an SBOM',
    )
    .argument('[image]', 'image reference or path (omit with --sbom)')
    .addOption(
      new Option('-f, --format <format>', 'output format')
        .choices(['table', 'json', 'sarif', 'junit', 'cyclonedx'])
        .default('table'),
    )
    .addOption(outputOption())
    .option(
      '--fail-on <severity>',
      'exit 1 when an unsuppressed finding is at or above this severity (or none)',
      'high',
    )
    .addOption(
      new Option('--severity <severity>', 'only show findings at or above this severity').choices(SEVERITIES),
    )
    .option('--ignore-unfixed', 'leave out vulnerabilities that have no fixed version yet')
    .option('--fail-on-kev', 'exit 1 when any unsuppressed vulnerability is in the CISA KEV catalog')
    .option('--sbom <file>', 'scan the packages of a CycloneDX or SPDX JSON SBOM instead of an image')
    .option('--vex <file...>', 'OpenVEX documents: not_affected/fixed statements suppress findings')
    .option('--cache-dir <dir>', 'vulnerability database directory (default $XDG_CACHE_HOME/kubeward)');
  imageSourceOptions(scan);
  scan.action(async (ref: string | undefined, flags: ImageScanFlags, cmd: Command) => {
    const cwd = process.cwd();
    if (!ref && !flags.sbom)
      throw new UserError('image scan: give an image reference or path, or --sbom FILE');
    if (ref && flags.sbom) throw new UserError('image scan: give either an image or --sbom, not both');
    const threshold = parseThreshold(flags.failOn, '--fail-on');
    const min: Severity | undefined =
      flags.severity && isSeverity(flags.severity) ? flags.severity : undefined;
    const { config } = loadConfig({ explicit: cmd.optsWithGlobals<{ config?: string }>().config, cwd });
    const vex: VexStatement[] = (flags.vex ?? []).flatMap((f) => readOpenVex(f));
    const db = openVulnDb(flags.cacheDir ? { cacheDir: flags.cacheDir } : {});
    if (!db.exists)
      throw new UserError(
        `no vulnerability database at ${db.path}; run \`kubeward db update\` (or \`kubeward db import\` offline)`,
      );
    try {
      let inventory: Inventory | undefined;
      let sbom: ReturnType<typeof readSbom> | undefined;
      if (flags.sbom) sbom = readSbom(flags.sbom);
      else inventory = await inventoryOf(ref ?? '', flags);
      const result = scanImage(
        {
          ...(inventory ? { inventory } : {}),
          ...(sbom ? { sbom: { name: sbom.name, packages: sbom.packages } } : {}),
        },
        { db, config, vex, ...(flags.ignoreUnfixed ? { ignoreUnfixed: true } : {}) },
      );
      const shown = filterBySeverity(result.findings, min);
      if (flags.format === 'cyclonedx') {
        if (!inventory)
          throw new UserError('--format cyclonedx needs an image (an SBOM input is already a BOM)');
        writeText(
          toCycloneDx(inventory, { name: 'kubeward', version: VERSION }, new Date(), shown),
          flags.output,
          cwd,
        );
      } else {
        emitReport(
          {
            tool: { name: 'kubeward', version: VERSION },
            target: `image ${inventory?.source.name ?? sbom?.name ?? ''}`.trim(),
            findings: shown,
            rules: imageScanRules(shown),
            warnings: result.warnings,
            summary: summarize(shown),
          },
          flags.format,
          flags.output,
          cwd,
        );
      }
      const kevHit =
        flags.failOnKev === true && result.findings.some((f) => !f.suppressed && f.vulnerability?.kev);
      setExit(gateFails(result.findings, threshold) || kevHit ? 1 : 0);
    } finally {
      db.close();
    }
  });
  image.addCommand(scan);
  return image;
}

async function inventoryOf(ref: string, flags: ImageSourceFlags): Promise<Inventory> {
  useBatchHeapGrowth();
  const { source, client } = await openImage(ref, flags);
  const progress = inventoryProgress(ref);
  try {
    return await takeInventory(source, {
      catalogers: ALL_CATALOGERS,
      ...(progress.onProgress ? { onProgress: progress.onProgress } : {}),
    });
  } catch (e) {
    throw toUserError(e, ref);
  } finally {
    progress.done();
    await source.close();
    await client?.close();
  }
}
