import { readFileSync } from 'node:fs';
import { Command, Option } from 'commander';
import { loadConfig } from '../../core/config.js';
import { filterBySeverity, gateFails, parseThreshold } from '../../core/gate.js';
import { isSeverity, SEVERITIES, type Severity } from '../../core/severity.js';
import { summarize } from '../../core/finding.js';
import { UserError } from '../../core/errors.js';
import { loadManifests } from '../../k8s/load.js';
import { sourceRenderer } from '../../k8s/render-sources.js';
import { scanResources } from '../../posture/scan.js';
import { ALL_CHECKS, checkCatalogue } from '../../posture/checks/index.js';
import type { OutputFormat } from '../../report/report.js';
import { emitReport, formatOption, outputOption } from '../output.js';
import { VERSION } from '../version.js';
import type { ExitCode } from '../exit.js';

interface ScanManifestsFlags {
  format: OutputFormat;
  output?: string;
  failOn: string;
  severity?: string;
  values?: string[];
  config?: string;
}

export function scanManifestsCommand(setExit: (code: ExitCode) => void): Command {
  return new Command('manifests')
    .description(
      'scan Kubernetes manifests, Helm charts and Kustomize directories for insecure configuration',
    )
    .argument('<paths...>', 'files, directories, or - for standard input')
    .addOption(formatOption())
    .addOption(outputOption())
    .option(
      '--fail-on <severity>',
      'exit 1 when an unsuppressed finding is at or above this severity (or none)',
      'high',
    )
    .addOption(
      new Option('--severity <severity>', 'only show findings at or above this severity').choices(SEVERITIES),
    )
    .option('--values <file...>', 'values files for Helm charts (helm template --values)')
    .action((paths: string[], flags: ScanManifestsFlags, cmd: Command) => {
      const globalOpts = cmd.optsWithGlobals<{ config?: string }>();
      const cwd = process.cwd();
      const threshold = parseThreshold(flags.failOn, '--fail-on');
      const min: Severity | undefined =
        flags.severity && isSeverity(flags.severity) ? flags.severity : undefined;
      const { config } = loadConfig({ explicit: globalOpts.config, cwd });
      const loaded = loadManifests(paths, {
        cwd,
        readStdin: () => readStdin(),
        render: sourceRenderer({ helmValues: flags.values ?? [] }),
      });
      const result = scanResources(loaded.resources, { config, checks: ALL_CHECKS });
      const shown = filterBySeverity(result.findings, min);
      emitReport(
        {
          tool: { name: 'kubeward', version: VERSION },
          target: 'manifests',
          findings: shown,
          rules: checkCatalogue(),
          warnings: [...loaded.warnings, ...result.warnings],
          summary: summarize(shown),
        },
        flags.format,
        flags.output,
        cwd,
      );
      setExit(gateFails(result.findings, threshold) ? 1 : 0);
    });
}

function readStdin(): string {
  try {
    return readFileSync(0, 'utf8');
  } catch {
    throw new UserError('cannot read standard input');
  }
}
