import { isRecord, type FieldPath } from '../../k8s/resource.js';
import { containerLabel } from '../../k8s/pod-spec.js';
import type { ContainerRef, PodSpecRef } from '../../k8s/pod-spec.js';
import type { Hit, PodCheck } from '../check.js';
import { cis, mitre, nsa, pss } from './frameworks.js';
import {
  baselineChecks,
  capabilities,
  containerSC,
  inUserNamespace,
  isWindowsPod,
  nearest,
  podCheck,
  podSC,
} from './pod-security-baseline.js';
import { restrictedChecks } from './pod-security-restricted.js';

/**
 * Pod Security Standards controls (baseline and restricted), with upstream pod-security-admission semantics
 * at policy version `latest` (pod-security-baseline.ts, pod-security-restricted.ts), plus related hardening
 * checks outside the standard (read-only root filesystem, NET_RAW, low UIDs/GIDs).
 */
export const privileged: PodCheck = {
  id: 'KW-POD-001',
  category: 'manifest',
  scope: 'pod',
  title: 'Privileged container',
  severity: 'critical',
  description:
    'A privileged container has all capabilities and access to every host device; escaping to the node is trivial.',
  remediation: 'Remove securityContext.privileged or set it to false.',
  frameworks: [
    cis('5.2.2', 'Minimize the admission of privileged containers'),
    pss('baseline/privileged', 'Privileged Containers'),
    nsa('pod-security', 'Pod security: privileged containers'),
    mitre('T1611', 'Escape to Host'),
  ],
  check(pod) {
    const hits: Hit[] = [];
    for (const c of pod.containers) {
      const sc = c.container.securityContext;
      if (isRecord(sc) && sc.privileged === true) {
        hits.push({
          message: `${containerLabel(c)} runs privileged`,
          path: [...c.path, 'securityContext', 'privileged'],
        });
      }
    }
    return hits;
  },
};

// ---------------------------------------------------------------------------------------------------------
// Hardening beyond the Pod Security Standards

export const readOnlyRootFilesystem = podCheck({
  id: 'KW-POD-022',
  title: 'Root filesystem is writable',
  severity: 'low',
  description:
    'A writable root filesystem lets an attacker who gets code execution drop tools, modify binaries and ' +
    'configuration, or persist across process restarts inside the container. An immutable root filesystem ' +
    'with explicit writable volumes for the paths the application needs makes that much harder.',
  remediation:
    'Set securityContext.readOnlyRootFilesystem: true on every container and mount emptyDir volumes at the ' +
    'paths that must be writable (/tmp, caches).',
  frameworks: [
    cis('5.7.3', 'Apply SecurityContext to your Pods and Containers'),
    nsa('pod-security', 'Pod security: immutable filesystems'),
  ],
  check(pod) {
    // The API forbids readOnlyRootFilesystem on Windows pods.
    if (isWindowsPod(pod)) return [];
    const hits: Hit[] = [];
    for (const c of pod.containers) {
      const v = containerSC(c)?.readOnlyRootFilesystem;
      if (v === true) continue;
      hits.push({
        message:
          v === false
            ? `${containerLabel(c)} sets readOnlyRootFilesystem: false`
            : `${containerLabel(c)} does not set readOnlyRootFilesystem: true`,
        path: nearest(pod, [...c.path, 'securityContext', 'readOnlyRootFilesystem']),
      });
    }
    return hits;
  },
});

/** NET_RAW, CAP_NET_RAW and net_raw all name the same capability to the runtimes. */
function capName(cap: string): string {
  const up = cap.toUpperCase();
  return up.startsWith('CAP_') ? up.slice(4) : up;
}

export const netRawNotDropped = podCheck({
  id: 'KW-POD-023',
  title: 'NET_RAW capability not dropped',
  severity: 'low',
  description:
    'NET_RAW is in the default capability set of containerd and Docker. It allows raw and packet sockets: ' +
    'ARP and DNS spoofing of neighbouring pods on the node, crafted packets, and several kernel exploits ' +
    '(e.g. CVE-2020-14386). Few applications need it. Containers that add NET_RAW are reported by KW-POD-005.',
  remediation:
    'Add NET_RAW (or better ALL) to securityContext.capabilities.drop on every container; ping and similar ' +
    'tools work without it when net.ipv4.ping_group_range allows the group.',
  frameworks: [
    cis('5.2.8', 'Minimize the admission of containers with the NET_RAW capability'),
    nsa('pod-security', 'Pod security: privileged containers'),
    mitre('T1557.002', 'Adversary-in-the-Middle: ARP Cache Poisoning'),
  ],
  check(pod) {
    if (isWindowsPod(pod)) return [];
    const hits: Hit[] = [];
    for (const c of pod.containers) {
      const { add, drop } = capabilities(c);
      if (drop.some((d) => ['ALL', 'NET_RAW'].includes(capName(d)))) continue;
      if (add.some((a) => ['ALL', 'NET_RAW'].includes(capName(a)))) continue; // KW-POD-005
      hits.push({
        message: `${containerLabel(c)} does not drop NET_RAW`,
        path: nearest(pod, [...c.path, 'securityContext', 'capabilities', 'drop']),
      });
    }
    return hits;
  },
});

/** Below this a UID/GID is likely to collide with a user or group of the node (Kubesec, Trivy KSV020/21). */
const HIGH_ID = 10000;

/**
 * One hit per container that sets a low `field` itself, and one at pod level for the containers that
 * inherit a low pod-level value. `skip` leaves out values another check reports.
 */
function lowIdHits(pod: PodSpecRef, field: 'runAsUser' | 'runAsGroup', skip: (id: number) => boolean): Hit[] {
  const low = (v: unknown): v is number => typeof v === 'number' && v < HIGH_ID && !skip(v);
  const hits: Hit[] = [];
  const podValue = podSC(pod)?.[field];
  const inherit: ContainerRef[] = [];
  for (const c of pod.containers) {
    const own = containerSC(c)?.[field];
    if (own === undefined || own === null) {
      if (low(podValue)) inherit.push(c);
    } else if (low(own)) {
      hits.push({
        message: `${containerLabel(c)} sets ${field}: ${own}`,
        path: [...c.path, 'securityContext', field],
      });
    }
  }
  if (inherit.length > 0) {
    const path: FieldPath = [...pod.path, 'securityContext', field];
    const names = inherit.map((c) => `"${c.name}"`).join(', ');
    hits.unshift({ message: `pod sets ${field}: ${String(podValue)} (used by ${names})`, path });
  }
  return hits;
}

export const lowUid = podCheck({
  id: 'KW-POD-024',
  title: 'Container runs with a low UID',
  severity: 'low',
  description:
    'UIDs below 10000 are likely to exist on the node (system accounts, real users). If the container escapes ' +
    'or shares a host mount, its processes act as that node user. Pods in a user namespace (hostUsers: false) ' +
    'are not affected; UID 0 is reported by KW-POD-018.',
  remediation: 'Set securityContext.runAsUser to a UID of 10000 or more (pod or container level).',
  frameworks: [
    cis('5.7.3', 'Apply SecurityContext to your Pods and Containers'),
    nsa('pod-security', 'Pod security: non-root containers'),
  ],
  check(pod) {
    if (isWindowsPod(pod) || inUserNamespace(pod)) return [];
    return lowIdHits(pod, 'runAsUser', (id) => id === 0);
  },
});

export const lowGid = podCheck({
  id: 'KW-POD-025',
  title: 'Container runs with a low GID',
  severity: 'low',
  description:
    'GIDs below 10000 are likely to exist on the node; GID 0 is the root group, which owns many host files. ' +
    'If the container escapes or shares a host mount, its processes get that group\u2019s access. Pods in a ' +
    'user namespace (hostUsers: false) are not affected.',
  remediation: 'Set securityContext.runAsGroup to a GID of 10000 or more (pod or container level).',
  frameworks: [
    cis('5.7.3', 'Apply SecurityContext to your Pods and Containers'),
    nsa('pod-security', 'Pod security: non-root containers'),
  ],
  check(pod) {
    if (isWindowsPod(pod) || inUserNamespace(pod)) return [];
    return lowIdHits(pod, 'runAsGroup', () => false);
  },
});

export const hardeningChecks: PodCheck[] = [readOnlyRootFilesystem, netRawNotDropped, lowUid, lowGid];

/** Every pod-security check in id order: KW-POD-001 .. KW-POD-025. */
export const podSecurityChecks: PodCheck[] = [
  privileged,
  ...baselineChecks,
  ...restrictedChecks,
  ...hardeningChecks,
];
