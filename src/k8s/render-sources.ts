import { existsSync, statSync } from 'node:fs';
import { relative, resolve } from 'node:path';
import { UserError } from '../core/errors.js';
import type { RenderedSource } from './load.js';
import { isHelmChart, renderHelmChart } from './render-helm.js';
import { kustomizationFile, renderKustomization } from './render-kustomize.js';

export interface RenderSourcesOptions {
  /** Values files passed to `helm template --values` (relative to `cwd`). */
  helmValues?: string[];
  /** Directory relative paths are resolved against; default the process's working directory. */
  cwd?: string;
  /** helm executable; default `helm` from PATH. */
  helmCommand?: string;
  /** kubectl executable (for `kubectl kustomize`); default `kubectl` from PATH. */
  kubectlCommand?: string;
  /** Per-render time limit; default 60 s. */
  timeoutMs?: number;
}

/**
 * Returns a renderer for Helm charts (a directory with Chart.yaml, rendered by `helm template`) and
 * Kustomize directories (kustomization.yaml / .yml / Kustomization, rendered by `kubectl kustomize`); it
 * returns undefined for plain directories. Values files are checked up front: a missing one is a user
 * error even before any chart is met. A chart wins over a kustomization in the same directory.
 */
export function sourceRenderer(
  opts: RenderSourcesOptions,
): (dir: string, shown?: string) => RenderedSource | undefined {
  const cwd = opts.cwd ?? process.cwd();
  const values = (opts.helmValues ?? []).map((v) => {
    const abs = resolve(cwd, v);
    if (!existsSync(abs) || !statSync(abs).isFile()) throw new UserError(`Helm values file not found: ${v}`);
    return abs;
  });
  return (dir, shown) => {
    const name = shown ?? (relative(cwd, dir) || '.');
    if (isHelmChart(dir)) {
      return renderHelmChart(dir, name, { values, command: opts.helmCommand, timeoutMs: opts.timeoutMs });
    }
    if (kustomizationFile(dir) !== undefined) {
      return renderKustomization(dir, name, { command: opts.kubectlCommand, timeoutMs: opts.timeoutMs });
    }
    return undefined;
  };
}
