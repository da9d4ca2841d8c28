import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { UserError } from '../core/errors.js';
import { RegistryClient, RegistryError } from './registry/client.js';
import { dockerConfigProvider } from './registry/credentials.js';
import { openRegistryImage } from './source/registry-source.js';
import { openLocalArchive } from './source/local-archive.js';
import { parsePlatform, type ImageSource } from './source/image-source.js';
import { tryParseImageReference } from './reference.js';
import { DigestMismatchError } from './registry/digest.js';

export interface OpenImageOptions {
  /** `os/arch[/variant]`, default linux/amd64. */
  platform?: string;
  /** Allow plain HTTP and unverified TLS for registries (only when the user asked). */
  insecure?: boolean;
  /** Docker config file for credentials (default ~/.docker/config.json or $DOCKER_CONFIG). */
  dockerConfig?: string;
  client?: RegistryClient;
}

/**
 * Opens what the user named: an existing path is a local image (docker save archive, OCI layout directory
 * or tar, or a root filesystem directory); anything else is a registry reference.
 */
export async function openImage(
  input: string,
  opts: OpenImageOptions = {},
): Promise<{ source: ImageSource; client?: RegistryClient }> {
  let platform;
  try {
    platform = parsePlatform(opts.platform);
  } catch (e) {
    throw new UserError(`--platform: ${(e as Error).message}`);
  }
  if (existsSync(input)) {
    const st = statSync(input);
    if (
      st.isDirectory() &&
      !(existsSync(join(input, 'index.json')) && existsSync(join(input, 'oci-layout')))
    ) {
      return { source: rootfsSource(input) };
    }
    return { source: openLocalArchive(input, platform) };
  }
  if (!tryParseImageReference(input)) {
    throw new UserError(`"${input}" is neither an existing path nor a valid image reference`);
  }
  const client =
    opts.client ??
    new RegistryClient({
      credentials: dockerConfigProvider(opts.dockerConfig),
      insecure: () => opts.insecure === true,
    });
  try {
    return { source: await openRegistryImage(input, client, platform), client };
  } catch (e) {
    throw toUserError(e, input);
  }
}

/** Registry failures the user can act on (auth, not found, unreachable) become one-line user errors. */
export function toUserError(e: unknown, input: string): unknown {
  if (e instanceof UserError) return e;
  if (e instanceof RegistryError) {
    const hint =
      e.status === 401 || e.status === 403
        ? ' (check credentials in ~/.docker/config.json)'
        : e.status === 404
          ? ' (no such image or tag)'
          : '';
    return new UserError(`${input}: ${e.message}${hint}`);
  }
  if (e instanceof DigestMismatchError)
    return new UserError(`${input}: ${e.message} (content was tampered with or corrupted)`);
  return e;
}

function rootfsSource(dir: string): ImageSource {
  return {
    kind: 'rootfs',
    name: dir,
    layers: [],
    rootfsDir: dir,
    openLayer: () => Promise.reject(new Error('a root filesystem has no layers')),
    close: async () => {},
  };
}
