import { Command } from 'commander';
import { checkCatalogue } from '../../posture/checks/index.js';
import { renderCatalogue, CATALOGUE_FORMATS, type CatalogueFormat } from '../../report/catalogue.js';
import { formatOption, outputOption, useColor, writeText } from '../output.js';
import { VERSION } from '../version.js';

export function checksCommand(): Command {
  const checks = new Command('checks').description('the check catalogue');
  checks
    .command('list')
    .description('list every check with its severity and framework mappings')
    .addOption(formatOption(CATALOGUE_FORMATS))
    .addOption(outputOption())
    .action((flags: { format: CatalogueFormat; output?: string }) => {
      const text = renderCatalogue(checkCatalogue(), flags.format, {
        color: useColor(flags.output !== undefined),
        toolVersion: VERSION,
      });
      writeText(text, flags.output, process.cwd());
    });
  return checks;
}
