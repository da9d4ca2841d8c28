/** Where the pod template sits in each built-in kind pod-security-admission judges (admission.go PodSpecExtractor). */
const TEMPLATE_PATHS: Readonly<Record<string, readonly string[]>> = {
  PodTemplate: ['template'],
  Deployment: ['spec', 'template'],
  ReplicaSet: ['spec', 'template'],
  StatefulSet: ['spec', 'template'],
  DaemonSet: ['spec', 'template'],
  Job: ['spec', 'template'],
  ReplicationController: ['spec', 'template'],
  CronJob: ['spec', 'jobTemplate', 'spec', 'template'],
};

export const PSS_WORKLOAD_KINDS: readonly string[] = ['Pod', ...Object.keys(TEMPLATE_PATHS)];

export interface ExtractedPodSpec {
  /** The pod spec (Pod.spec or the template's spec). */
  podSpec: Record<string, unknown>;
  /** The pod metadata (Pod.metadata or the template's metadata; `{}` when the template has none). */
  podMeta: Record<string, unknown>;
}

function rec(v: unknown): Record<string, unknown> | undefined {
  return typeof v === 'object' && v !== null && !Array.isArray(v)
    ? (v as Record<string, unknown>)
    : undefined;
}

/**
 * The pod spec and pod metadata of a Pod or of a workload's pod template, so a Deployment, CronJob, ... can
 * be judged like the pods it will create. Undefined for other kinds and for objects without a pod spec
 * (e.g. a Deployment with no template). The kind is matched on `kind` alone, whatever the apiVersion.
 */
export function podSpecOf(object: unknown): ExtractedPodSpec | undefined {
  const o = rec(object);
  if (!o || typeof o.kind !== 'string') return undefined;
  if (o.kind === 'Pod') {
    const spec = rec(o.spec);
    return spec ? { podSpec: spec, podMeta: rec(o.metadata) ?? {} } : undefined;
  }
  const path = TEMPLATE_PATHS[o.kind];
  if (!path) return undefined;
  let cur: unknown = o;
  for (const seg of path) cur = rec(cur)?.[seg];
  const template = rec(cur);
  const spec = rec(template?.spec);
  if (!template || !spec) return undefined;
  return { podSpec: spec, podMeta: rec(template.metadata) ?? {} };
}
