/**
 * What a background audit lists: Pods and the workload kinds whose pod templates the policies judge.
 * Objects created by one of these controllers are judged through their owner (see `ownedByAudited`),
 * so one bad Deployment is one set of results, not one per ReplicaSet and Pod as well.
 */
import { resourcePath } from '../../k8s/client/paths.js';

export interface AuditedKind {
  kind: string;
  apiVersion: string;
  /** Cluster-wide collection path (all namespaces). */
  path: string;
}

const kind = (k: string, group: string, version: string, resource: string): AuditedKind => ({
  kind: k,
  apiVersion: group ? `${group}/${version}` : version,
  path: resourcePath({ group, version, resource }),
});

export const AUDITED_KINDS: readonly AuditedKind[] = [
  kind('Pod', '', 'v1', 'pods'),
  kind('Deployment', 'apps', 'v1', 'deployments'),
  kind('StatefulSet', 'apps', 'v1', 'statefulsets'),
  kind('DaemonSet', 'apps', 'v1', 'daemonsets'),
  kind('ReplicaSet', 'apps', 'v1', 'replicasets'),
  kind('Job', 'batch', 'v1', 'jobs'),
  kind('CronJob', 'batch', 'v1', 'cronjobs'),
];

const AUDITED_KIND_NAMES = new Set(AUDITED_KINDS.map((k) => k.kind));

/** The object's controller, when it is a kind the audit judges itself (ReplicaSet → Deployment, ...). */
export function ownedByAudited(metadata: Readonly<Record<string, unknown>> | undefined): boolean {
  const refs = metadata?.ownerReferences;
  if (!Array.isArray(refs)) return false;
  return refs.some(
    (r: unknown) =>
      typeof r === 'object' &&
      r !== null &&
      (r as { controller?: unknown }).controller === true &&
      AUDITED_KIND_NAMES.has(String((r as { kind?: unknown }).kind)),
  );
}
