import { Command, Option } from 'commander';
import { openImage, toUserError } from '../../image/open-image.js';
import { takeInventory } from '../../image/inventory.js';
import { useBatchHeapGrowth } from '../batch-heap.js';
import { ALL_CATALOGERS } from '../../image/catalog/index.js';
import { toCycloneDx } from '../../image/sbom/cyclonedx.js';
import { toSpdx } from '../../image/sbom/spdx.js';
import { writeText } from '../output.js';
import { inventoryProgress } from '../progress.js';
import { VERSION } from '../version.js';
import { imageSourceOptions, type ImageSourceFlags } from './image-flags.js';

export function sbomCommand(): Command {
  const cmd = new Command('sbom')
    .description('write a software bill of materials for an image, archive, OCI layout or root filesystem')
    .argument(
      '<image>',
      'image reference, docker save archive, OCI layout (dir or tar) or root filesystem directory',
    )
    .addOption(
      new Option('-f, --format <format>', 'SBOM format').choices(['cyclonedx', 'spdx']).default('cyclonedx'),
    )
    .addOption(new Option('-o, --output <file>', 'write the SBOM to a file'));
  imageSourceOptions(cmd);
  return cmd.action(
    async (image: string, flags: ImageSourceFlags & { format: 'cyclonedx' | 'spdx'; output?: string }) => {
      useBatchHeapGrowth();
      const { source, client } = await openImage(image, flags);
      const progress = inventoryProgress(image);
      try {
        const inv = await takeInventory(source, {
          catalogers: ALL_CATALOGERS,
          ...(progress.onProgress ? { onProgress: progress.onProgress } : {}),
        });
        const tool = { name: 'kubeward', version: VERSION };
        writeText(
          flags.format === 'spdx' ? toSpdx(inv, tool) : toCycloneDx(inv, tool),
          flags.output,
          process.cwd(),
        );
      } catch (e) {
        throw toUserError(e, image);
      } finally {
        progress.done();
        await source.close();
        await client?.close();
      }
    },
  );
}
