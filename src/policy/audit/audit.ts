/**
 * Background audit of what already runs: lists Pods and workloads through the Kubernetes API (paginated
 * lists) and judges each object with the same core and PolicySet as the webhook, as the CREATE request the
 * API server would send for it today. Read-only; never on the webhook's request path.
 */
import type { KubeObject as RequestObject } from '../../admission/types.js';
import type { KubeClient } from '../../k8s/client/client.js';
import { PATHS } from '../../k8s/client/paths.js';
import type { KubeObject } from '../../k8s/resource.js';
import { evaluateRequest, manifestRequest, type Decision, type PolicySet } from '../engine/index.js';
import { AUDITED_KINDS, ownedByAudited, type AuditedKind } from './kinds.js';

export interface AuditOptions {
  client: Pick<KubeClient, 'list'>;
  set: PolicySet;
  now?: Date;
  /**
   * Namespace labels (PSS levels). Default: the cluster's Namespaces, listed at the start of the pass;
   * unlabelled or unknown namespaces take the PolicySet's default level.
   */
  namespaceLabels?: (namespace: string) => Record<string, string> | undefined;
  kinds?: readonly AuditedKind[];
  /** Judge objects a listed controller owns too (ReplicaSets of Deployments, their Pods). Default false. */
  includeOwned?: boolean;
  /** Network work (image policies) per object, ms. Default 10 000. */
  budgetMs?: number;
  /** List page size (default the client's 500). */
  pageSize?: number;
  /** Objects judged at once. Default 4. */
  concurrency?: number;
  signal?: AbortSignal;
}

export interface AuditedObject {
  object: KubeObject;
  decision: Decision;
}

/** A collection that could not be listed (RBAC, API not served); the rest of the pass goes on. */
export interface AuditListError {
  what: string;
  message: string;
}

export interface AuditResult {
  at: Date;
  objects: AuditedObject[];
  /** Objects skipped because their controller was judged instead. */
  owned: number;
  errors: AuditListError[];
  /** Kinds listed successfully. */
  listed: number;
  durationMs: number;
}

export async function auditCluster(opts: AuditOptions): Promise<AuditResult> {
  const started = Date.now();
  const at = opts.now ?? new Date();
  const errors: AuditListError[] = [];
  opts.signal?.throwIfAborted();
  let namespaceLabels = opts.namespaceLabels;
  if (!namespaceLabels) {
    const labels = new Map<string, Record<string, string>>();
    try {
      const list = await opts.client.list(PATHS.namespaces, listOpts(opts));
      for (const ns of list.items)
        if (ns.metadata?.name) labels.set(ns.metadata.name, { ...(ns.metadata.labels ?? {}) });
    } catch (e) {
      opts.signal?.throwIfAborted();
      errors.push({ what: 'Namespace', message: message(e) });
    }
    namespaceLabels = (ns) => labels.get(ns);
  }

  const queue: KubeObject[] = [];
  let owned = 0;
  let listed = 0;
  for (const k of opts.kinds ?? AUDITED_KINDS) {
    let items;
    try {
      items = (await opts.client.list(k.path, listOpts(opts))).items;
      listed++;
    } catch (e) {
      opts.signal?.throwIfAborted();
      errors.push({ what: k.kind, message: message(e) });
      continue;
    }
    for (const item of items) {
      // List items carry no kind/apiVersion; the List names them.
      const object = { ...item, apiVersion: k.apiVersion, kind: k.kind, metadata: { ...item.metadata } };
      if (!opts.includeOwned && ownedByAudited(object.metadata)) {
        owned++;
        continue;
      }
      queue.push(object as KubeObject);
    }
  }

  const objects: AuditedObject[] = new Array<AuditedObject>(queue.length);
  let next = 0;
  const ctxBase = { now: at, namespaceLabels, dryRun: true };
  const worker = async (): Promise<void> => {
    while (next < queue.length) {
      opts.signal?.throwIfAborted();
      const i = next++;
      const object = queue[i] as KubeObject;
      const request = manifestRequest(object as RequestObject, `kubeward-audit-${i + 1}`);
      request.userInfo = { username: 'kubeward:audit' };
      const decision = await evaluateRequest(request, opts.set, {
        ...ctxBase,
        deadline: Date.now() + (opts.budgetMs ?? 10_000),
      });
      objects[i] = { object, decision };
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, opts.concurrency ?? 4) }, worker));
  return { at, objects, owned, errors, listed, durationMs: Date.now() - started };
}

function listOpts(opts: AuditOptions): { signal?: AbortSignal; limit?: number } {
  return {
    ...(opts.signal ? { signal: opts.signal } : {}),
    ...(opts.pageSize ? { limit: opts.pageSize } : {}),
  };
}

function message(e: unknown): string {
  return (e instanceof Error ? e.message : String(e)).split('\n')[0] ?? '';
}
