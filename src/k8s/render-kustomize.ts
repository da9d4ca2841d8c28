import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { RenderedSource } from './load.js';
import { RENDER_TIMEOUT_MS, runRenderer } from './render-helm.js';

/** File names kustomize accepts for a kustomization, in its own lookup order. */
export const KUSTOMIZATION_FILES = ['kustomization.yaml', 'kustomization.yml', 'Kustomization'] as const;

export interface KustomizeRenderOptions {
  /** The kubectl executable (default `kubectl` from PATH). */
  command?: string;
  timeoutMs?: number;
}

/** The kustomization file name in `dir`, when `dir` is a Kustomize directory. */
export function kustomizationFile(dir: string): string | undefined {
  return KUSTOMIZATION_FILES.find((f) => existsSync(join(dir, f)));
}

/**
 * Renders a Kustomize directory with `kubectl kustomize <dir>`.
 *
 * Limitation: the whole output is attributed to `<dir>/kustomization.yaml` (or whichever name the
 * directory uses) and lines are lines of the *rendered* output. Kustomize merges bases, patches and
 * generators and keeps no record of where a field came from, so there is no honest way back to the
 * resource or patch file that set it.
 */
export function renderKustomization(
  dir: string,
  shown: string,
  opts: KustomizeRenderOptions = {},
): RenderedSource {
  const file = join(shown, kustomizationFile(dir) ?? 'kustomization.yaml');
  const text = runRenderer(opts.command ?? 'kubectl', ['kustomize', dir], {
    what: 'kubectl kustomize',
    where: file,
    timeoutMs: opts.timeoutMs ?? RENDER_TIMEOUT_MS,
    missing: `${shown} is a Kustomize directory and rendering it requires kubectl, which was not found (install kubectl or pre-render with \`kubectl kustomize\`)`,
  });
  return { parts: [{ file, text }] };
}
