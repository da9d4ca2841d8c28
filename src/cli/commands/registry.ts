import { Command } from 'commander';
import type { ExitCode } from '../exit.js';
import { registryScanCommand } from './registry-scan.js';
import { registryWatchCommand } from './registry-watch.js';
import { registryReportCommand } from './registry-report.js';

/** `kubeward registry scan|watch|report`: continuous scanning of registries (docs/registry-scanning.md). */
export function registryCommand(setExit: (code: ExitCode) => void): Command {
  return new Command('registry')
    .description('continuous registry scanning: one pass, watch with events, report from the store')
    .addCommand(registryScanCommand(setExit))
    .addCommand(registryWatchCommand())
    .addCommand(registryReportCommand());
}
