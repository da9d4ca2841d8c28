import type { CheckMeta } from '../core/finding.js';
import type { KubewardConfig } from '../core/config.js';
import type { FieldPath, Resource } from '../k8s/resource.js';
import type { PodSpecRef } from '../k8s/pod-spec.js';

/** What every check sees besides its own input. */
export interface CheckContext {
  config: KubewardConfig;
  /** Every resource of the scan, for checks that relate objects (e.g. NetworkPolicy coverage). */
  resources: readonly Resource[];
}

/** One violation reported by a check: a message and the path of the offending field. */
export interface Hit {
  message: string;
  /** Path from the object root; a missing field points at the parent that should hold it. */
  path: FieldPath;
  /** Defaults to the resource the check was run on; set by set-level checks. */
  resource?: Resource;
}

interface CheckBase extends CheckMeta {
  category: 'manifest';
}

/** Runs once per pod spec (Pod, workload templates, CRDs embedding pod templates). */
export interface PodCheck extends CheckBase {
  scope: 'pod';
  check(pod: PodSpecRef, ctx: CheckContext): Hit[];
}

/** Runs once per resource of the listed kinds. */
export interface ResourceCheck extends CheckBase {
  scope: 'resource';
  kinds: readonly string[];
  check(resource: Resource, ctx: CheckContext): Hit[];
}

/** Runs once over the whole set of resources (cross-object checks). */
export interface SetCheck extends CheckBase {
  scope: 'set';
  /** Kinds the check reads, so resources of those kinds are not reported as unchecked. */
  kinds?: readonly string[];
  check(ctx: CheckContext): Array<Hit & { resource: Resource }>;
}

export type Check = PodCheck | ResourceCheck | SetCheck;
