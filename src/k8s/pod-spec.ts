import { getPath as get, isRecord, type FieldPath, type Resource } from './resource.js';

export type ContainerType = 'containers' | 'initContainers' | 'ephemeralContainers';

export interface ContainerRef {
  container: Record<string, unknown>;
  name: string;
  type: ContainerType;
  /** Path from the object root to this container. */
  path: FieldPath;
}

/** A pod spec found inside a resource (a Pod's own spec or a workload's template). */
export interface PodSpecRef {
  resource: Resource;
  spec: Record<string, unknown>;
  /** Path from the object root to the pod spec. */
  path: FieldPath;
  /** Metadata of the pod (template) that owns this spec: annotations live here. */
  podMeta: Record<string, unknown>;
  podMetaPath: FieldPath;
  containers: ContainerRef[];
}

/** Where the pod spec sits for the built-in workload kinds. */
const KNOWN_PATHS: Record<string, FieldPath> = {
  Pod: ['spec'],
  PodTemplate: ['template', 'spec'],
  Deployment: ['spec', 'template', 'spec'],
  ReplicaSet: ['spec', 'template', 'spec'],
  StatefulSet: ['spec', 'template', 'spec'],
  DaemonSet: ['spec', 'template', 'spec'],
  Job: ['spec', 'template', 'spec'],
  ReplicationController: ['spec', 'template', 'spec'],
  CronJob: ['spec', 'jobTemplate', 'spec', 'template', 'spec'],
};

export const WORKLOAD_KINDS = Object.keys(KNOWN_PATHS);

/** Depth bound for the generic search through custom resources (Argo Rollouts, Knative, ...). */
const MAX_SEARCH_DEPTH = 12;

/**
 * Returns every pod spec in the resource. Built-in kinds use their fixed path; other kinds are searched
 * at any depth for an object holding a `containers` list, so CRDs that embed pod templates are covered.
 */
export function findPodSpecs(resource: Resource): PodSpecRef[] {
  const obj = resource.object;
  const known = KNOWN_PATHS[obj.kind];
  const paths: FieldPath[] = [];
  if (known) {
    paths.push(known);
  } else {
    search(obj, [], 0, paths);
  }
  const out: PodSpecRef[] = [];
  for (const path of paths) {
    const spec = get(obj, path);
    if (!isRecord(spec)) continue;
    const metaPath =
      path.length > 0 && path[path.length - 1] === 'spec' ? [...path.slice(0, -1), 'metadata'] : [];
    const meta = path.length === 1 ? obj.metadata : get(obj, metaPath);
    out.push({
      resource,
      spec,
      path,
      podMeta: isRecord(meta) ? meta : {},
      podMetaPath: path.length === 1 ? ['metadata'] : metaPath,
      containers: containersOf(spec, path),
    });
  }
  return out;
}

function containersOf(spec: Record<string, unknown>, specPath: FieldPath): ContainerRef[] {
  const out: ContainerRef[] = [];
  for (const type of ['initContainers', 'containers', 'ephemeralContainers'] as const) {
    const list = spec[type];
    if (!Array.isArray(list)) continue;
    list.forEach((c: unknown, i) => {
      if (!isRecord(c)) return;
      out.push({
        container: c,
        name: typeof c.name === 'string' ? c.name : `#${i}`,
        type,
        path: [...specPath, type, i],
      });
    });
  }
  return out;
}

function search(node: unknown, path: (string | number)[], depth: number, found: FieldPath[]): void {
  if (depth > MAX_SEARCH_DEPTH) return;
  if (Array.isArray(node)) {
    node.forEach((v, i) => search(v, [...path, i], depth + 1, found));
    return;
  }
  if (!isRecord(node)) return;
  if (Array.isArray(node.containers) && node.containers.some((c) => isRecord(c) && 'image' in c)) {
    found.push([...path]);
    return;
  }
  for (const [k, v] of Object.entries(node)) {
    if (k === 'metadata' || k === 'status') continue;
    search(v, [...path, k], depth + 1, found);
  }
}

const CONTAINER_KIND_LABEL: Record<ContainerType, string> = {
  containers: 'container',
  initContainers: 'init container',
  ephemeralContainers: 'ephemeral container',
};

/** `container "app"`, `init container "setup"`, `ephemeral container "debug"`: how messages name one. */
export function containerLabel(c: Pick<ContainerRef, 'type' | 'name'>): string {
  return `${CONTAINER_KIND_LABEL[c.type]} "${c.name}"`;
}
