import { isRecord } from '../../k8s/resource.js';
import { containerLabel } from '../../k8s/pod-spec.js';
import type { Hit, PodCheck } from '../check.js';
import { cis, mitre, nsa, pss } from './frameworks.js';
import {
  BASELINE_CAPABILITIES,
  capabilities,
  containerSC,
  inUserNamespace,
  inheritNote,
  inheriting,
  isWindowsPod,
  nearest,
  podCheck,
  podSC,
  procMountHits,
  quoted,
  record,
} from './pod-security-baseline.js';

/**
 * Pod Security Standards, restricted level (policy/check_*.go at `latest`). Restricted includes baseline;
 * a value that baseline already forbids is reported by the baseline check only, so each problem yields one
 * finding: e.g. seccomp Unconfined is KW-POD-011, a missing seccomp profile is KW-POD-019.
 */

// ---------------------------------------------------------------------------------------------------------
// Volume types (policy/check_restrictedVolumes.go)

/** Volume sources restricted allows (configMap ... secret; image since v1.33). */
const ALLOWED_VOLUME_SOURCES: ReadonlySet<string> = new Set([
  'configMap',
  'csi',
  'downwardAPI',
  'emptyDir',
  'ephemeral',
  'image',
  'persistentVolumeClaim',
  'projected',
  'secret',
]);

export const restrictedVolumes = podCheck({
  id: 'KW-POD-015',
  title: 'Volume type not allowed by the restricted level',
  severity: 'medium',
  description:
    'Restricted pods may only use ephemeral and Kubernetes-managed volume types (configMap, secret, emptyDir, ' +
    'projected, downwardAPI, persistentVolumeClaim, ephemeral, csi, image). In-tree network and cloud volume ' +
    'sources (nfs, iscsi, rbd, cephfs, awsElasticBlockStore, gitRepo, flexVolume, ...) bypass PersistentVolume ' +
    'access control and let the pod choose what storage the node mounts. hostPath is reported by KW-POD-006.',
  remediation:
    'Define the storage as a PersistentVolume (admin-controlled) and claim it with a persistentVolumeClaim ' +
    'volume, or use a CSI driver; replace gitRepo with an init container that clones into an emptyDir.',
  frameworks: [
    pss('restricted/volumeTypes', 'Volume Types'),
    nsa('pod-security', 'Pod security: Pod Security enforcement'),
  ],
  check(pod) {
    const volumes = pod.spec.volumes;
    if (!Array.isArray(volumes)) return [];
    const hits: Hit[] = [];
    volumes.forEach((v: unknown, i) => {
      if (!isRecord(v)) return;
      // A volume without a source is defaulted to emptyDir by the API server.
      const source = Object.keys(v).find((k) => k !== 'name' && v[k] !== undefined && v[k] !== null);
      if (!source || ALLOWED_VOLUME_SOURCES.has(source) || source === 'hostPath') return;
      const name = typeof v.name === 'string' ? v.name : `#${i}`;
      hits.push({
        message: `volume "${name}" is of type ${source}`,
        path: [...pod.path, 'volumes', i, source],
      });
    });
    return hits;
  },
});

// ---------------------------------------------------------------------------------------------------------
// Privilege escalation (policy/check_allowPrivilegeEscalation.go; Windows pods exempt from v1.25)

export const allowPrivilegeEscalation = podCheck({
  id: 'KW-POD-016',
  title: 'Privilege escalation not disabled',
  severity: 'medium',
  description:
    'Unless allowPrivilegeEscalation is false, a process can gain more privileges than its parent through ' +
    'setuid/setgid binaries or file capabilities (no_new_privs is not set), so a compromised non-root process ' +
    'can become root inside the container.',
  remediation: 'Set securityContext.allowPrivilegeEscalation: false on every container and init container.',
  frameworks: [
    cis('5.2.6', 'Minimize the admission of containers with allowPrivilegeEscalation'),
    pss('restricted/privilegeEscalation', 'Privilege Escalation'),
    nsa('pod-security', 'Pod security: privileged containers'),
    mitre('T1068', 'Exploitation for Privilege Escalation'),
  ],
  check(pod) {
    if (isWindowsPod(pod)) return [];
    const hits: Hit[] = [];
    for (const c of pod.containers) {
      const v = containerSC(c)?.allowPrivilegeEscalation;
      if (v === false) continue;
      hits.push({
        message:
          v === true
            ? `${containerLabel(c)} sets allowPrivilegeEscalation: true`
            : `${containerLabel(c)} does not set allowPrivilegeEscalation: false`,
        path: nearest(pod, [...c.path, 'securityContext', 'allowPrivilegeEscalation']),
      });
    }
    return hits;
  },
});

// ---------------------------------------------------------------------------------------------------------
// Running as non-root (policy/check_runAsNonRoot.go, v1.35: skipped for user-namespace pods)

export const runAsNonRoot = podCheck({
  id: 'KW-POD-017',
  title: 'Container may run as root (runAsNonRoot not true)',
  severity: 'medium',
  description:
    'Without runAsNonRoot: true the kubelet starts the container as whatever user the image names, root by ' +
    'default. Root in a container is root on the node\u2019s kernel: any escape or writable host mount then ' +
    'yields full node access. Pods in a user namespace (hostUsers: false) are exempt.',
  remediation:
    'Set spec.securityContext.runAsNonRoot: true (or on every container) and, if the image has no numeric ' +
    'non-root USER, set runAsUser as well. Do not set runAsNonRoot: false anywhere.',
  frameworks: [
    cis('5.2.7', 'Minimize the admission of root containers'),
    pss('restricted/runAsNonRoot', 'Running as Non-root'),
    nsa('pod-security', 'Pod security: non-root containers'),
    mitre('T1611', 'Escape to Host'),
  ],
  check(pod) {
    if (inUserNamespace(pod)) return [];
    const hits: Hit[] = [];
    const podValue = podSC(pod)?.runAsNonRoot;
    if (podValue === false) {
      hits.push({
        message: `pod sets runAsNonRoot: false${inheritNote(inheriting(pod, 'runAsNonRoot'))}`,
        path: [...pod.path, 'securityContext', 'runAsNonRoot'],
      });
    }
    for (const c of pod.containers) {
      const v = containerSC(c)?.runAsNonRoot;
      if (v === true) continue;
      if (v === false) {
        hits.push({
          message: `${containerLabel(c)} sets runAsNonRoot: false`,
          path: [...c.path, 'securityContext', 'runAsNonRoot'],
        });
      } else if (podValue !== true && podValue !== false) {
        // Neither the container nor the pod says anything: the image decides.
        hits.push({
          message: `${containerLabel(c)} does not set runAsNonRoot: true (nor does the pod)`,
          path: nearest(pod, [...c.path, 'securityContext', 'runAsNonRoot']),
        });
      }
    }
    return hits;
  },
});

// ---------------------------------------------------------------------------------------------------------
// Running as root user (policy/check_runAsUser.go, v1.35: skipped for user-namespace pods)

export const runAsRootUser = podCheck({
  id: 'KW-POD-018',
  title: 'Container runs as root (runAsUser: 0)',
  severity: 'medium',
  description:
    'runAsUser: 0 explicitly runs the container as root, overriding a non-root USER in the image; root in ' +
    'the container is root on the node\u2019s kernel. Pods in a user namespace (hostUsers: false) are exempt.',
  remediation: 'Set runAsUser to a non-zero UID (10000 or above) in the pod and container securityContext.',
  frameworks: [
    cis('5.2.7', 'Minimize the admission of root containers'),
    pss('restricted/runAsUser', 'Running as Non-root user'),
    nsa('pod-security', 'Pod security: non-root containers'),
    mitre('T1611', 'Escape to Host'),
  ],
  check(pod) {
    if (inUserNamespace(pod)) return [];
    const hits: Hit[] = [];
    if (podSC(pod)?.runAsUser === 0) {
      hits.push({
        message: `pod sets runAsUser: 0${inheritNote(inheriting(pod, 'runAsUser'))}`,
        path: [...pod.path, 'securityContext', 'runAsUser'],
      });
    }
    for (const c of pod.containers) {
      if (containerSC(c)?.runAsUser !== 0) continue;
      hits.push({
        message: `${containerLabel(c)} sets runAsUser: 0`,
        path: [...c.path, 'securityContext', 'runAsUser'],
      });
    }
    return hits;
  },
});

// ---------------------------------------------------------------------------------------------------------
// Seccomp (policy/check_seccompProfile_restricted.go; Windows pods exempt from v1.25)

export const seccompRestricted = podCheck({
  id: 'KW-POD-019',
  title: 'Seccomp profile not set',
  severity: 'medium',
  description:
    'Without an explicit seccomp profile the kubelet runs containers Unconfined (unless its seccompDefault ' +
    'option is on), with the full kernel syscall surface open to an attacker. The restricted level requires RuntimeDefault or Localhost on ' +
    'the pod or on every container (Unconfined is reported by KW-POD-011).',
  remediation: 'Set spec.securityContext.seccompProfile.type: RuntimeDefault in the pod template.',
  frameworks: [
    cis('5.7.2', 'Ensure that the seccomp profile is set to docker/default in your Pod definitions'),
    pss('restricted/seccomp', 'Seccomp'),
    nsa('pod-security', 'Pod security: hardening container environments'),
    mitre('T1611', 'Escape to Host'),
  ],
  check(pod) {
    if (isWindowsPod(pod) || record(podSC(pod)?.seccompProfile)) return [];
    const hits: Hit[] = [];
    for (const c of pod.containers) {
      if (record(containerSC(c)?.seccompProfile)) continue;
      hits.push({
        message: `${containerLabel(c)} has no seccompProfile (nor does the pod)`,
        path: nearest(pod, [...c.path, 'securityContext', 'seccompProfile']),
      });
    }
    return hits;
  },
});

// ---------------------------------------------------------------------------------------------------------
// Capabilities (policy/check_capabilities_restricted.go; Windows pods exempt from v1.25)

export const capabilitiesRestricted = podCheck({
  id: 'KW-POD-020',
  title: 'Capabilities not dropped (drop ALL, add only NET_BIND_SERVICE)',
  severity: 'medium',
  description:
    'Containers start with the runtime default capabilities (CHOWN, DAC_OVERRIDE, FOWNER, SETUID, NET_RAW, ' +
    '...), which an attacker can use to tamper with files and escalate. The restricted level requires ' +
    'capabilities.drop to include ALL and allows adding back only NET_BIND_SERVICE (capabilities outside the ' +
    'baseline set are reported by KW-POD-005).',
  remediation:
    'Set securityContext.capabilities.drop: ["ALL"] on every container and init container; add back only ' +
    'NET_BIND_SERVICE if the process binds a port below 1024.',
  frameworks: [
    cis('5.2.10', 'Minimize the admission of containers with capabilities assigned'),
    cis('5.2.9', 'Minimize the admission of containers with added capabilities'),
    pss('restricted/capabilities', 'Capabilities'),
    nsa('pod-security', 'Pod security: privileged containers'),
    mitre('T1068', 'Exploitation for Privilege Escalation'),
  ],
  check(pod) {
    if (isWindowsPod(pod)) return [];
    const hits: Hit[] = [];
    for (const c of pod.containers) {
      const { add, drop } = capabilities(c);
      const droppedAll = drop.includes('ALL');
      // Capabilities outside the baseline set are KW-POD-005's finding.
      const extra = add.filter((cap) => cap !== 'NET_BIND_SERVICE' && BASELINE_CAPABILITIES.has(cap));
      if (droppedAll && extra.length === 0) continue;
      const problems: string[] = [];
      if (!droppedAll) problems.push('does not drop ALL');
      if (extra.length) problems.push(`adds ${quoted(extra)}`);
      const capsPath = [...c.path, 'securityContext', 'capabilities'];
      hits.push({
        message: `${containerLabel(c)} ${problems.join(' and ')}`,
        path: !droppedAll
          ? nearest(pod, [...capsPath, 'drop'])
          : [...capsPath, 'add', add.findIndex((cap) => extra.includes(cap))],
      });
    }
    return hits;
  },
});

// ---------------------------------------------------------------------------------------------------------
// /proc mount type (policy/check_procMount_restricted.go, v1.35)

export const procMountRestricted = podCheck({
  id: 'KW-POD-021',
  title: 'Container unmasks /proc in a user-namespace pod',
  severity: 'medium',
  description:
    'The baseline level lets pods in a user namespace (hostUsers: false) use procMount: Unmasked; the ' +
    'restricted level does not, since an unmasked /proc still exposes kernel interfaces to the container. ' +
    'Pods outside a user namespace are reported by KW-POD-010.',
  remediation: 'Remove securityContext.procMount or set it to Default.',
  frameworks: [
    cis('5.7.3', 'Apply SecurityContext to your Pods and Containers'),
    pss('restricted/procMount', '/proc Mount Type'),
    nsa('pod-security', 'Pod security: hardening container environments'),
  ],
  check(pod) {
    return inUserNamespace(pod) ? procMountHits(pod) : [];
  },
});

export const restrictedChecks: PodCheck[] = [
  restrictedVolumes,
  allowPrivilegeEscalation,
  runAsNonRoot,
  runAsRootUser,
  seccompRestricted,
  capabilitiesRestricted,
  procMountRestricted,
];
