import { isRecord } from '../../k8s/resource.js';
import type { Hit, PodCheck } from '../check.js';
import { cis, mitre, nsa, pss } from './frameworks.js';

/** Pod Security Standards controls (baseline and restricted), with upstream pod-security-admission semantics. */
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
    nsa(
      'pod-security',
      'Use containers built to run applications as non-root users; avoid privileged containers',
    ),
    mitre('T1611', 'Escape to Host'),
  ],
  check(pod) {
    const hits: Hit[] = [];
    for (const c of pod.containers) {
      const sc = c.container.securityContext;
      if (isRecord(sc) && sc.privileged === true) {
        hits.push({
          message: `container "${c.name}" runs privileged`,
          path: [...c.path, 'securityContext', 'privileged'],
        });
      }
    }
    return hits;
  },
};

export const podSecurityChecks: PodCheck[] = [privileged];
