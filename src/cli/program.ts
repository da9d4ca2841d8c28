import { Command, CommanderError } from 'commander';
import { isUserError } from '../core/errors.js';
import { scanManifestsCommand } from './commands/scan-manifests.js';
import { checksCommand } from './commands/checks-list.js';
import { sbomCommand } from './commands/sbom.js';
import { imageCommand } from './commands/image-scan.js';
import { dbCommand } from './commands/db.js';
import { registryCommand } from './commands/registry.js';
import { policyCommand } from './commands/policy-test.js';
import { admissionCommand } from './commands/admission.js';
import { VERSION } from './version.js';
import type { ExitCode } from './exit.js';

/** Builds the program; `setExit` records the exit code an action decided (gates return 1). */
export function buildProgram(setExit: (code: ExitCode) => void): Command {
  const program = new Command('kubeward')
    .description('Kubernetes security: manifests, images, admission and runtime')
    .version(VERSION)
    .option(
      '-c, --config <file>',
      'config file (default: .kubeward.yaml found upward from the working directory)',
    )
    .exitOverride()
    .configureOutput({ outputError: () => {} })
    .showSuggestionAfterError(true);
  const scan = new Command('scan').description('scan inputs for security problems');
  scan.addCommand(scanManifestsCommand(setExit));
  program.addCommand(scan);
  program.addCommand(checksCommand());
  program.addCommand(sbomCommand());
  program.addCommand(imageCommand(setExit));
  program.addCommand(dbCommand());
  program.addCommand(registryCommand(setExit));
  program.addCommand(policyCommand(setExit));
  program.addCommand(admissionCommand());
  quietErrors(program);
  return program;
}

/** Every sub-command throws instead of exiting, so unknown flags anywhere become one line and exit 2. */
function quietErrors(cmd: Command): void {
  cmd.exitOverride().configureOutput({ outputError: () => {} });
  for (const sub of cmd.commands) quietErrors(sub);
}

export async function main(argv: string[]): Promise<ExitCode> {
  let code: ExitCode = 0;
  const program = buildProgram((c) => (code = c));
  try {
    await program.parseAsync(argv);
    return code;
  } catch (e) {
    if (e instanceof CommanderError) {
      // help and version "errors" are successful exits.
      if (
        e.code === 'commander.helpDisplayed' ||
        e.code === 'commander.version' ||
        e.code === 'commander.help'
      )
        return 0;
      process.stderr.write(`kubeward: ${e.message.replace(/^error: /, '').split('\n')[0]}\n`);
      return 2;
    }
    if (isUserError(e)) {
      process.stderr.write(`kubeward: ${e.oneLine()}\n`);
      return 2;
    }
    const msg = e instanceof Error ? e.message : String(e);
    process.stderr.write(`kubeward: internal error: ${msg}\n`);
    if (process.env.KUBEWARD_DEBUG && e instanceof Error) process.stderr.write(`${e.stack ?? ''}\n`);
    return 3;
  }
}
