/**
 * The cluster as a policy source: informers keep namespace labels (PSS levels) and ValidatingAdmission
 * Policy/Binding objects in memory, so evaluation never calls the API server on the hot path. Changes to
 * VAP objects trigger `onPolicies`; namespace lookups read the informer's store directly.
 */
import { KubeClient } from '../../k8s/client/client.js';
import { createInformer, type Informer } from '../../k8s/client/informer.js';
import { PATHS } from '../../k8s/client/paths.js';
import type { ClusterConnection } from '../../k8s/client/connection.js';
import type { KubeObject as ClientObject } from '../../k8s/client/types.js';
import type { KubeObject, Resource } from '../../k8s/resource.js';

export interface ClusterPolicySource {
  /** Labels of a namespace the informer has seen; undefined before sync or for unknown namespaces. */
  namespaceLabels(namespace: string): Record<string, string> | undefined;
  /** Current VAP and binding objects as resources (file `cluster`), for buildPolicySet. */
  vapResources(): Resource[];
  /** Resolves true once every informer listed once (or false after `timeoutMs`). */
  waitForSync(timeoutMs: number): Promise<boolean>;
  synced(): boolean;
  stop(): Promise<void>;
}

export interface ClusterSourceOptions {
  connection: ClusterConnection;
  /** Watch VAP objects too (only when the VAP family is available). */
  watchVap: boolean;
  onPolicies: () => void;
  onError: (err: Error) => void;
}

function asResource(o: ClientObject): Resource {
  const object = o as unknown as KubeObject;
  const name = `${object.kind}/${object.metadata?.name ?? ''}`;
  // Cluster objects have no source lines; `cluster:<kind>/<name>` is what errors name instead.
  return { object, file: `cluster:${name}`, line: 0, lineOf: () => 0 };
}

export function clusterPolicySource(opts: ClusterSourceOptions): ClusterPolicySource {
  const client = new KubeClient(opts.connection);
  const namespaces = createInformer({ client, path: PATHS.namespaces, onError: opts.onError });
  const vap: Informer<ClientObject>[] = [];
  if (opts.watchVap) {
    for (const path of [PATHS.validatingAdmissionPolicies, PATHS.validatingAdmissionPolicyBindings])
      vap.push(createInformer({ client, path, onError: opts.onError, onChange: () => opts.onPolicies() }));
  }
  const all: Informer<ClientObject>[] = [namespaces, ...vap];
  return {
    namespaceLabels(ns) {
      const labels = namespaces.get(undefined, ns)?.metadata?.labels;
      return labels && typeof labels === 'object' ? (labels as Record<string, string>) : undefined;
    },
    vapResources() {
      // List items from the API server omit kind/apiVersion; restore them for the loader.
      const kinds = ['ValidatingAdmissionPolicy', 'ValidatingAdmissionPolicyBinding'];
      return vap.flatMap((inf, i) =>
        inf
          .list()
          .map((o) =>
            asResource({ ...o, apiVersion: 'admissionregistration.k8s.io/v1', kind: kinds[i] ?? '' }),
          ),
      );
    },
    async waitForSync(timeoutMs) {
      const r = await Promise.all(all.map((i) => i.waitForSync(timeoutMs)));
      return r.every(Boolean);
    },
    synced: () => all.every((i) => i.hasSynced()),
    async stop() {
      await Promise.all(all.map((i) => i.stop()));
      await client.close();
    },
  };
}
