import type { Command } from 'commander';

export interface ImageSourceFlags {
  platform?: string;
  insecure?: boolean;
  dockerConfig?: string;
}

/** Flags every command that reads an image shares. */
export function imageSourceOptions(cmd: Command): Command {
  return cmd
    .option('--platform <os/arch[/variant]>', 'platform to select from a multi-platform image', 'linux/amd64')
    .option('--insecure', 'allow plain HTTP and unverified TLS for the registry (never the default)')
    .option(
      '--docker-config <file>',
      'Docker config file with registry credentials (default ~/.docker/config.json)',
    );
}
