import type { Readable } from 'node:stream';

/** Real images have at most ~127 layers (the overlayfs limit); far more is a hostile manifest. */
export const MAX_LAYERS = 1000;

/** A layer as listed by the image manifest. */
export interface LayerRef {
  /** Digest of the blob as stored (compressed for registries and OCI layouts). */
  digest: string;
  /** Uncompressed digest from the image config (rootfs.diff_ids), when known. */
  diffId?: string;
  size?: number;
  mediaType?: string;
}

/** The image configuration (OCI image-spec config / Docker image JSON); fields kubeward reads. */
export interface ImageConfigFile {
  architecture?: string;
  os?: string;
  variant?: string;
  created?: string;
  config?: {
    User?: string;
    Env?: string[] | null;
    Entrypoint?: string[] | null;
    Cmd?: string[] | null;
    Labels?: Record<string, string> | null;
    ExposedPorts?: Record<string, unknown> | null;
    Healthcheck?: { Test?: string[] } | null;
    WorkingDir?: string;
  };
  history?: Array<{ created?: string; created_by?: string; empty_layer?: boolean; comment?: string }>;
  rootfs?: { type?: string; diff_ids?: string[] };
}

export type ImageSourceKind = 'registry' | 'docker-archive' | 'oci-layout' | 'rootfs';

/** Anything kubeward can take an image inventory from. Layers are opened one at a time, as streams. */
export interface ImageSource {
  kind: ImageSourceKind;
  /** What the user named, for reports. */
  name: string;
  /** Digest of the (platform) manifest, when the source has one. */
  manifestDigest?: string;
  /** `os/arch[/variant]` of the selected image. */
  platform?: string;
  config?: ImageConfigFile;
  layers: LayerRef[];
  /** Opens layer `i` (compressed or not; decompression is detected from the bytes). */
  openLayer(i: number): Promise<Readable>;
  /** For a plain root filesystem directory: its path (there are no layers). */
  rootfsDir?: string;
  close(): Promise<void>;
}

export interface Platform {
  os: string;
  architecture: string;
  variant?: string;
}

/** Parses `os/arch[/variant]` (`--platform`); default linux/amd64. */
export function parsePlatform(s: string | undefined): Platform {
  if (!s) return { os: 'linux', architecture: 'amd64' };
  const [os, architecture, variant] = s.split('/');
  if (!os || !architecture) throw new Error(`invalid platform "${s}" (expected os/arch[/variant])`);
  return variant ? { os, architecture, variant } : { os, architecture };
}

/** Whether an index entry's platform matches the requested one (arm64 without variant means v8). */
export function platformMatches(want: Platform, have: Partial<Platform> | undefined): boolean {
  if (!have) return false;
  if (have.os !== want.os || have.architecture !== want.architecture) return false;
  if (!want.variant) return true;
  const hv = have.variant ?? (have.architecture === 'arm64' ? 'v8' : undefined);
  return hv === want.variant;
}

export function formatPlatform(p: Partial<Platform>): string {
  return [p.os, p.architecture, p.variant].filter(Boolean).join('/');
}
