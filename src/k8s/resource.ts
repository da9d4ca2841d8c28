import type { ResourceRef } from '../core/finding.js';

import type { FieldPath } from '../core/yaml-source.js';

export type { FieldPath };

export interface ObjectMeta {
  name?: string;
  generateName?: string;
  namespace?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  [key: string]: unknown;
}

/** A decoded Kubernetes object; fields beyond the envelope stay untyped until a check narrows them. */
export interface KubeObject {
  apiVersion: string;
  kind: string;
  metadata: ObjectMeta;
  [key: string]: unknown;
}

/**
 * A Kubernetes object together with where it came from. `lineOf` maps a field path to the 1-based line of
 * that field in the source (or of its nearest existing ancestor, so a *missing* field points at its parent).
 */
export interface Resource {
  object: KubeObject;
  file: string;
  /** 1-based line where the object starts. */
  line: number;
  lineOf(path: FieldPath): number;
}

export function resourceRef(o: KubeObject): ResourceRef {
  const ref: ResourceRef = {
    apiVersion: o.apiVersion,
    kind: o.kind,
    name: o.metadata.name ?? o.metadata.generateName ?? '<unnamed>',
  };
  if (o.metadata.namespace) ref.namespace = o.metadata.namespace;
  return ref;
}

export function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Reads a nested value without throwing on missing or mistyped intermediate nodes. */
export function getPath(root: unknown, path: FieldPath): unknown {
  let cur: unknown = root;
  for (const seg of path) {
    if (typeof seg === 'number') {
      if (!Array.isArray(cur)) return undefined;
      cur = cur[seg];
    } else {
      if (!isRecord(cur)) return undefined;
      cur = cur[seg];
    }
  }
  return cur;
}
