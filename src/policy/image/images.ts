/**
 * The container images an admission request asks to run, with where each sits in the object: a dotted
 * field path for CI output and a JSON pointer for mutation patches.
 */
import type { AdmissionRequest } from '../../admission/types.js';
import { findPodSpecs, type ContainerType } from '../../k8s/pod-spec.js';
import type { KubeObject, Resource } from '../../k8s/resource.js';
import { dotted } from './parse.js';

/** A pod has a handful of containers; a request listing far more is refused rather than worked through. */
export const MAX_CONTAINERS_PER_REQUEST = 512;

export interface ImageSite {
  /** The image string as written (may be invalid or empty). */
  image: unknown;
  /** `spec.template.spec.containers[0].image` */
  field: string;
  /** `/spec/template/spec/containers/0/image` */
  pointer: string;
  containerName: string;
  containerType: ContainerType;
}

/**
 * Image sites of the request's object. Pods and every workload template kind (and custom resources that
 * embed a pod spec) are covered. For the `pods/ephemeralcontainers` subresource only ephemeral containers
 * count: the other containers were admitted when the pod was created. Other subresources (status,
 * binding...) carry no new images and yield nothing.
 */
export function imageSitesOf(request: AdmissionRequest): ImageSite[] {
  const object = request.object;
  if (!object || typeof object !== 'object' || typeof object.kind !== 'string') return [];
  const sub = request.subResource ?? '';
  if (sub !== '' && sub !== 'ephemeralcontainers') return [];
  const resource: Resource = {
    object: {
      ...object,
      apiVersion: object.apiVersion ?? '',
      kind: object.kind,
      metadata: (object.metadata ?? {}) as KubeObject['metadata'],
    },
    file: '',
    line: 0,
    lineOf: () => 0,
  };
  const existing = sub === 'ephemeralcontainers' ? ephemeralNames(request.oldObject) : new Set<string>();
  const out: ImageSite[] = [];
  for (const pod of findPodSpecs(resource)) {
    for (const c of pod.containers) {
      if (sub === 'ephemeralcontainers' && (c.type !== 'ephemeralContainers' || existing.has(c.name)))
        continue;
      const path = [...c.path, 'image'];
      out.push({
        image: c.container.image,
        field: dotted(path),
        pointer: '/' + path.map((s) => String(s).replace(/~/g, '~0').replace(/\//g, '~1')).join('/'),
        containerName: c.name,
        containerType: c.type,
      });
      if (out.length > MAX_CONTAINERS_PER_REQUEST)
        throw new RangeError(`the object lists more than ${MAX_CONTAINERS_PER_REQUEST} containers`);
    }
  }
  return out;
}

/** Names of the ephemeral containers a pod already has (they cannot be changed or removed, only added). */
function ephemeralNames(old: KubeObject | AdmissionRequest['oldObject']): Set<string> {
  const spec = (old as { spec?: { ephemeralContainers?: unknown } } | undefined)?.spec;
  const list = spec?.ephemeralContainers;
  const names = new Set<string>();
  if (Array.isArray(list))
    for (const c of list.slice(0, MAX_CONTAINERS_PER_REQUEST))
      if (c && typeof c === 'object' && typeof (c as { name?: unknown }).name === 'string')
        names.add((c as { name: string }).name);
  return names;
}
