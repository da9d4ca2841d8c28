import type { RenderedSource } from './load.js';

export interface RenderSourcesOptions {
  /** Values files passed to `helm template --values`. */
  helmValues?: string[];
}

/**
 * Returns a renderer for Helm charts and Kustomize directories, or nothing for plain directories.
 * Filled in by the Helm/Kustomize support (see render-helm.ts / render-kustomize.ts).
 */
export function sourceRenderer(_opts: RenderSourcesOptions): (dir: string) => RenderedSource | undefined {
  return () => undefined;
}
