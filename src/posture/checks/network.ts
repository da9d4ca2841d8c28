import { isRecord, type Resource } from '../../k8s/resource.js';
import { WORKLOAD_KINDS } from '../../k8s/pod-spec.js';
import type { FrameworkMapping } from '../../core/finding.js';
import type { CheckContext, Hit, ResourceCheck, SetCheck } from '../check.js';
import { cis, mitre, nsa } from './frameworks.js';

/**
 * Network exposure: Services reachable from outside the cluster (NodePort, open LoadBalancers, externalIPs),
 * Ingresses serving plain HTTP, and namespaces whose pods are not isolated by a default-deny NetworkPolicy.
 */

const NETWORK_SEPARATION: FrameworkMapping = nsa('network-separation', 'Network separation and hardening');

function isCoreService(res: Resource): boolean {
  return res.object.kind === 'Service' && res.object.apiVersion === 'v1';
}

function strings(v: unknown): string[] {
  return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string' && x.trim() !== '') : [];
}

function specOf(res: Resource): Record<string, unknown> {
  const spec = res.object.spec;
  return isRecord(spec) ? spec : {};
}

function serviceLabel(res: Resource): string {
  const m = res.object.metadata;
  return `Service ${m.namespace ?? 'default'}/${m.name ?? '<unnamed>'}`;
}

/** "port 443 (nodePort 30443), port 80" for the message. */
function portsLabel(spec: Record<string, unknown>, withNodePort: boolean): string {
  if (!Array.isArray(spec.ports)) return 'its ports';
  const parts: string[] = [];
  for (const p of spec.ports) {
    if (!isRecord(p) || p.port === undefined) continue;
    const node = withNodePort && p.nodePort !== undefined ? ` (nodePort ${String(p.nodePort)})` : '';
    parts.push(`${String(p.port)}${node}`);
  }
  if (parts.length === 0) return 'its ports';
  return `port${parts.length === 1 ? '' : 's'} ${parts.join(', ')}`;
}

// ---------------------------------------------------------------------------------------------------------
// Services

const EXPOSURE_FRAMEWORKS: FrameworkMapping[] = [
  NETWORK_SEPARATION,
  mitre('T1190', 'Exploit Public-Facing Application'),
  mitre('T1133', 'External Remote Services'),
];

export const nodePortService: ResourceCheck = {
  id: 'KW-NET-001',
  category: 'manifest',
  scope: 'resource',
  kinds: ['Service'],
  title: 'Service exposed on every node (NodePort)',
  severity: 'medium',
  description:
    'A NodePort Service opens its port on every node of the cluster, reachable by anyone who can reach a ' +
    'node address. It bypasses the Ingress or load balancer that would otherwise terminate TLS, filter ' +
    'sources and log access, and node firewalls rarely restrict the 30000-32767 range per service.',
  remediation:
    'Use type: ClusterIP and expose the application through an Ingress or Gateway; if external access is ' +
    'really needed, use a LoadBalancer with spec.loadBalancerSourceRanges.',
  frameworks: EXPOSURE_FRAMEWORKS,
  check(res) {
    if (!isCoreService(res)) return [];
    const spec = specOf(res);
    if (spec.type !== 'NodePort') return [];
    return [
      {
        message: `${serviceLabel(res)} opens ${portsLabel(spec, true)} on every node (type: NodePort)`,
        path: ['spec', 'type'],
      },
    ];
  },
};

const SOURCE_RANGES_ANNOTATION = 'service.beta.kubernetes.io/load-balancer-source-ranges';

/** Cloud-provider annotations that make a LoadBalancer internal (private addresses only). */
const INTERNAL_LB_ANNOTATIONS: Record<string, string> = {
  'service.beta.kubernetes.io/aws-load-balancer-internal': 'true',
  'service.beta.kubernetes.io/aws-load-balancer-scheme': 'internal',
  'networking.gke.io/load-balancer-type': 'internal',
  'cloud.google.com/load-balancer-type': 'internal',
  'service.beta.kubernetes.io/azure-load-balancer-internal': 'true',
  'service.beta.kubernetes.io/oci-load-balancer-internal': 'true',
  'service.beta.kubernetes.io/openstack-internal-load-balancer': 'true',
  'service.kubernetes.io/ibm-load-balancer-cloud-provider-ip-type': 'private',
  'service.beta.kubernetes.io/alibaba-cloud-loadbalancer-address-type': 'intranet',
};

const OPEN_RANGES = new Set(['0.0.0.0/0', '::/0']);

export const openLoadBalancer: ResourceCheck = {
  id: 'KW-NET-002',
  category: 'manifest',
  scope: 'resource',
  kinds: ['Service'],
  title: 'LoadBalancer Service open to all source addresses',
  severity: 'medium',
  description:
    'A LoadBalancer Service without loadBalancerSourceRanges gets an external address that accepts ' +
    'connections from the whole internet (or the whole network the load balancer is on). Admin ' +
    'interfaces, databases and internal APIs exposed this way are found by scanners within hours.',
  remediation:
    'Set spec.loadBalancerSourceRanges to the client CIDRs that need access (e.g. ["203.0.113.0/24"]), use ' +
    "your cloud provider's internal load balancer annotation for private services, or expose HTTP " +
    'applications through an Ingress.',
  frameworks: EXPOSURE_FRAMEWORKS,
  check(res) {
    if (!isCoreService(res)) return [];
    const spec = specOf(res);
    if (spec.type !== 'LoadBalancer') return [];
    const annotations = res.object.metadata.annotations ?? {};
    for (const [key, value] of Object.entries(INTERNAL_LB_ANNOTATIONS)) {
      if (String(annotations[key] ?? '').toLowerCase() === value) return [];
    }
    const ranges: unknown[] = Array.isArray(spec.loadBalancerSourceRanges)
      ? spec.loadBalancerSourceRanges
      : [];
    if (strings(ranges).length > 0) {
      const open = ranges.findIndex((r) => typeof r === 'string' && OPEN_RANGES.has(r.trim()));
      if (open < 0) return [];
      return [
        {
          message: `${serviceLabel(res)} lists ${String(ranges[open])} in loadBalancerSourceRanges, which admits every source address`,
          path: ['spec', 'loadBalancerSourceRanges', open],
        },
      ];
    }
    const annotated = String(annotations[SOURCE_RANGES_ANNOTATION] ?? '')
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean);
    if (annotated.length > 0 && !annotated.some((r) => OPEN_RANGES.has(r))) return [];
    return [
      {
        message: `${serviceLabel(res)} exposes ${portsLabel(spec, false)} on an external load balancer without loadBalancerSourceRanges`,
        path: ['spec', 'type'],
      },
    ];
  },
};

export const externalIPs: ResourceCheck = {
  id: 'KW-NET-003',
  category: 'manifest',
  scope: 'resource',
  kinds: ['Service'],
  title: 'Service sets externalIPs (CVE-2020-8554)',
  severity: 'high',
  description:
    "kube-proxy routes traffic for a Service's externalIPs to its pods on every node, for any address " +
    'the Service claims. Anyone who can create or edit a Service can therefore intercept cluster traffic to ' +
    'arbitrary IPs (CVE-2020-8554, unfixed by design). Legitimate uses are rare, and clusters should block ' +
    'the field with the DenyServiceExternalIPs admission plugin or a policy.',
  remediation:
    'Remove spec.externalIPs and expose the Service through a LoadBalancer, an Ingress or a Gateway. ' +
    'Enable the DenyServiceExternalIPs admission plugin (or an equivalent policy) on the cluster.',
  frameworks: [
    NETWORK_SEPARATION,
    mitre('T1557', 'Adversary-in-the-Middle'),
    mitre('T1190', 'Exploit Public-Facing Application'),
  ],
  check(res) {
    if (!isCoreService(res)) return [];
    const ips = strings(specOf(res).externalIPs);
    if (ips.length === 0) return [];
    return [
      {
        message: `${serviceLabel(res)} claims externalIPs ${ips.join(', ')}; traffic to these addresses is redirected to its pods`,
        path: ['spec', 'externalIPs'],
      },
    ];
  },
};

// ---------------------------------------------------------------------------------------------------------
// Ingress

/** True when a TLS host entry serves `host` ("*.example.com" covers exactly one more label). */
function tlsCovers(tlsHost: string, host: string): boolean {
  const t = tlsHost.toLowerCase();
  const h = host.toLowerCase();
  if (t === h) return true;
  if (!t.startsWith('*.') || h.startsWith('*.')) return false;
  const dot = h.indexOf('.');
  return dot > 0 && h.slice(dot) === t.slice(1);
}

export const ingressWithoutTls: ResourceCheck = {
  id: 'KW-NET-004',
  category: 'manifest',
  scope: 'resource',
  kinds: ['Ingress'],
  title: 'Ingress serves hosts without TLS',
  severity: 'medium',
  description:
    'Hosts an Ingress serves without a spec.tls entry are reachable over plain HTTP: credentials, session ' +
    'cookies and data cross the network unencrypted and can be read or altered on the way.',
  remediation:
    'Add a spec.tls entry listing every host of spec.rules with a secretName holding its certificate (or let ' +
    'cert-manager issue it), and redirect HTTP to HTTPS in the ingress controller.',
  frameworks: [
    NETWORK_SEPARATION,
    mitre('T1040', 'Network Sniffing'),
    mitre('T1557', 'Adversary-in-the-Middle'),
  ],
  check(res) {
    const o = res.object;
    if (!/^(networking\.k8s\.io|extensions)\//.test(o.apiVersion)) return [];
    const spec = specOf(res);
    const name = `Ingress ${o.metadata.namespace ?? 'default'}/${o.metadata.name ?? '<unnamed>'}`;
    const tls = Array.isArray(spec.tls) ? spec.tls.filter(isRecord) : [];
    if (tls.length === 0) {
      return [
        { message: `${name} has no spec.tls: every host is served over plain HTTP`, path: ['spec', 'tls'] },
      ];
    }
    // An entry without hosts applies to every host (the controller's default certificate).
    const tlsHosts = tls.map((t) => strings(t.hosts));
    if (tlsHosts.some((h) => h.length === 0)) return [];
    const covered = tlsHosts.flat();
    let hits: Hit[] | undefined;
    const rules = Array.isArray(spec.rules) ? spec.rules : [];
    rules.forEach((r: unknown, i) => {
      if (!isRecord(r) || typeof r.host !== 'string' || r.host === '') return;
      const host = r.host;
      if (covered.some((t) => tlsCovers(t, host))) return;
      (hits ??= []).push({
        message: `${name} serves host ${host} without TLS: no spec.tls entry lists it`,
        path: ['spec', 'rules', i, 'host'],
      });
    });
    return hits ?? [];
  },
};

// ---------------------------------------------------------------------------------------------------------
// Default-deny NetworkPolicies per namespace

/** Kinds that run pods (a PodTemplate only describes one). */
const POD_RUNNING_KINDS = new Set(WORKLOAD_KINDS.filter((k) => k !== 'PodTemplate'));

interface NamespaceState {
  name: string;
  namespace?: Resource;
  workloads: Resource[];
  policies: number;
  denyIngress: boolean;
  denyEgress: boolean;
}

function namespaceOf(res: Resource): string {
  const ns = res.object.metadata.namespace;
  return typeof ns === 'string' && ns !== '' ? ns : 'default';
}

function selectsAllPods(selector: unknown): boolean {
  if (selector === undefined || selector === null) return true;
  if (!isRecord(selector)) return false;
  const labels = selector.matchLabels;
  const exprs = selector.matchExpressions;
  return (
    (labels === undefined || labels === null || (isRecord(labels) && Object.keys(labels).length === 0)) &&
    (exprs === undefined || exprs === null || (Array.isArray(exprs) && exprs.length === 0))
  );
}

function noRules(v: unknown): boolean {
  return v === undefined || v === null || (Array.isArray(v) && v.length === 0);
}

/**
 * Directions a NetworkPolicy denies by default: it selects every pod, applies to the direction and allows
 * nothing in it. Without policyTypes a policy is an Ingress policy, and also an Egress one when it has
 * egress rules (the API server's defaulting).
 */
export function defaultDenies(policy: Record<string, unknown>): { ingress: boolean; egress: boolean } {
  const spec = policy.spec;
  if (!isRecord(spec) || !selectsAllPods(spec.podSelector)) return { ingress: false, egress: false };
  const declared = strings(spec.policyTypes);
  const types =
    declared.length > 0
      ? declared
      : ['Ingress', ...(Array.isArray(spec.egress) && spec.egress.length > 0 ? ['Egress'] : [])];
  return {
    ingress: types.includes('Ingress') && noRules(spec.ingress),
    egress: types.includes('Egress') && noRules(spec.egress),
  };
}

const namespaceIndexes = new WeakMap<CheckContext, Map<string, NamespaceState>>();

/** Every namespace of the scan with its workloads and default-deny coverage, built in one pass. */
function namespacesOf(ctx: CheckContext): Map<string, NamespaceState> {
  let index = namespaceIndexes.get(ctx);
  if (index) return index;
  const map = new Map<string, NamespaceState>();
  const stateOf = (name: string): NamespaceState => {
    let s = map.get(name);
    if (!s) {
      s = { name, workloads: [], policies: 0, denyIngress: false, denyEgress: false };
      map.set(name, s);
    }
    return s;
  };
  for (const res of ctx.resources) {
    const o = res.object;
    if (o.kind === 'Namespace' && o.apiVersion === 'v1') {
      if (typeof o.metadata.name === 'string' && o.metadata.name !== '') {
        const s = stateOf(o.metadata.name);
        s.namespace ??= res;
      }
    } else if (o.kind === 'NetworkPolicy' && /^(networking\.k8s\.io|extensions)\//.test(o.apiVersion)) {
      const s = stateOf(namespaceOf(res));
      s.policies++;
      const deny = defaultDenies(o);
      if (deny.ingress) s.denyIngress = true;
      if (deny.egress) s.denyEgress = true;
    } else if (POD_RUNNING_KINDS.has(o.kind)) {
      stateOf(namespaceOf(res)).workloads.push(res);
    }
  }
  index = map;
  namespaceIndexes.set(ctx, index);
  return index;
}

function workloadsLabel(list: readonly Resource[]): string {
  const names = list.map((r) => `${r.object.kind} ${r.object.metadata.name ?? '<unnamed>'}`);
  return names.length <= 3
    ? names.join(', ')
    : `${names.slice(0, 3).join(', ')} and ${names.length - 3} more`;
}

function defaultDenyCheck(opts: {
  id: string;
  direction: 'ingress' | 'egress';
  title: string;
  severity: 'medium' | 'low';
  description: string;
  remediation: string;
  frameworks: FrameworkMapping[];
}): SetCheck {
  const Direction = opts.direction === 'ingress' ? 'Ingress' : 'Egress';
  return {
    id: opts.id,
    category: 'manifest',
    scope: 'set',
    kinds: ['NetworkPolicy', 'Namespace'],
    title: opts.title,
    severity: opts.severity,
    description: opts.description,
    remediation: opts.remediation,
    frameworks: opts.frameworks,
    check(ctx) {
      const hits: Array<Hit & { resource: Resource }> = [];
      for (const s of namespacesOf(ctx).values()) {
        const first = s.workloads[0];
        if (!first) continue;
        if (opts.direction === 'ingress' ? s.denyIngress : s.denyEgress) continue;
        const kind = `podSelector: {} with policyTypes ${Direction} and no ${opts.direction} rules`;
        const others =
          s.policies === 0
            ? '; it has no NetworkPolicy at all'
            : s.policies === 1
              ? `; its only NetworkPolicy is not a default-deny (${kind})`
              : `; none of its ${s.policies} NetworkPolicies is a default-deny (${kind})`;
        const message =
          `namespace "${s.name}" runs ${workloadsLabel(s.workloads)} without a default-deny ` +
          `${opts.direction} NetworkPolicy${others}`;
        hits.push(
          s.namespace
            ? { resource: s.namespace, message, path: ['metadata', 'name'] }
            : { resource: first, message, path: ['metadata', 'namespace'] },
        );
      }
      return hits;
    },
  };
}

export const noDefaultDenyIngress = defaultDenyCheck({
  id: 'KW-NET-005',
  direction: 'ingress',
  title: 'Namespace without a default-deny ingress NetworkPolicy',
  severity: 'medium',
  description:
    'Pods not selected by any ingress NetworkPolicy accept connections from every pod in the cluster. ' +
    'Without a default-deny policy, one compromised workload can scan for and connect to databases, admin ' +
    'ports and internal APIs in this namespace, and every new workload starts out reachable.',
  remediation:
    'Add a NetworkPolicy that selects all pods and allows no ingress, e.g. `spec: {podSelector: {}, ' +
    'policyTypes: [Ingress]}`, then add policies that allow the traffic each workload needs.',
  frameworks: [
    cis('5.3.2', 'Ensure that all Namespaces have NetworkPolicies defined'),
    NETWORK_SEPARATION,
    mitre('T1046', 'Network Service Discovery'),
    mitre('T1021', 'Remote Services'),
  ],
});

export const noDefaultDenyEgress = defaultDenyCheck({
  id: 'KW-NET-006',
  direction: 'egress',
  title: 'Namespace without a default-deny egress NetworkPolicy',
  severity: 'low',
  description:
    'Pods not selected by any egress NetworkPolicy can open connections to every pod in the cluster, to ' +
    'the cloud metadata service and to the internet. A compromised workload can then move laterally, ' +
    'fetch tools and exfiltrate data freely.',
  remediation:
    'Add a NetworkPolicy that selects all pods and allows no egress, e.g. `spec: {podSelector: {}, ' +
    'policyTypes: [Egress]}`, then allow DNS and the destinations each workload needs in separate policies.',
  frameworks: [
    cis('5.3.2', 'Ensure that all Namespaces have NetworkPolicies defined'),
    NETWORK_SEPARATION,
    mitre('T1046', 'Network Service Discovery'),
    mitre('T1021', 'Remote Services'),
  ],
});

export const networkChecks: Array<ResourceCheck | SetCheck> = [
  nodePortService,
  openLoadBalancer,
  externalIPs,
  ingressWithoutTls,
  noDefaultDenyIngress,
  noDefaultDenyEgress,
];
