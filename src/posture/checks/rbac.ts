import { isRecord, type Resource } from '../../k8s/resource.js';
import type { FrameworkMapping } from '../../core/finding.js';
import type { Severity } from '../../core/severity.js';
import type { CheckContext, Hit, ResourceCheck } from '../check.js';
import { cis, mitre, nsa } from './frameworks.js';

/**
 * RBAC risk: who is bound to what (cluster-admin, anonymous and all-users groups) and what Role/ClusterRole
 * rules allow (wildcards, secrets, privilege escalation, exec, node proxy, workload creation, token minting,
 * admission webhooks, CSR approval, PersistentVolumes).
 *
 * Rule matching follows the upstream RBAC authorizer: verbs match exactly or through "*"; apiGroups match
 * exactly ("" is the core group) or through "*"; resources match exactly, through "*", or through
 * "*\/<subresource>" (but "pods/*" does NOT match pods/exec). A rule with resourceNames only reaches the
 * named objects, so it never grants create on a collection and is treated as scoped (not reported) unless a
 * name is itself a privileged one (cluster-admin, system:masters). Rules in a namespaced Role cannot grant
 * cluster-scoped resources (nodes, PersistentVolumes, CSRs, webhook configurations, users, groups).
 *
 * Findings sit on the rule item that grants the permission; the message names where the role is bound (and
 * which ClusterRoles it is aggregated into) when those objects are in the same scan. Objects that
 * Kubernetes itself maintains (label kubernetes.io/bootstrapping: rbac-defaults) are not reported.
 */

const RBAC_GROUP = 'rbac.authorization.k8s.io';
const ROLE_KINDS = ['Role', 'ClusterRole'] as const;
const BINDING_KINDS = ['RoleBinding', 'ClusterRoleBinding'] as const;

const RBAC_FRAMEWORK: FrameworkMapping = nsa(
  'authentication-authorization',
  'Authentication and authorization: create RBAC policies with least privilege',
);

// ---------------------------------------------------------------------------------------------------------
// Reading RBAC objects

function isRbacObject(res: Resource): boolean {
  const o = res.object;
  if (!o.apiVersion.startsWith(`${RBAC_GROUP}/`)) return false;
  // Kubernetes keeps its own default roles and bindings up to date; they are not the user's to change.
  return o.metadata.labels?.['kubernetes.io/bootstrapping'] !== 'rbac-defaults';
}

/** String items of a list; other items become "" (a JSON null decodes to "" in the API, the core group). */
function strings(v: unknown): string[] {
  return Array.isArray(v) ? v.map((x) => (typeof x === 'string' ? x : '')) : [];
}

interface Rule {
  index: number;
  apiGroups: string[];
  resources: string[];
  verbs: string[];
  resourceNames: string[];
}

/** Parsed rules per role: a dozen checks read each role. */
const parsedRules = new WeakMap<Resource, Rule[]>();

/** Resource rules of a Role/ClusterRole (aggregated ClusterRoles may have none: that is fine). */
function rulesOf(res: Resource): Rule[] {
  const cached = parsedRules.get(res);
  if (cached) return cached;
  const rules = res.object.rules;
  const out: Rule[] = [];
  parsedRules.set(res, out);
  if (!Array.isArray(rules)) return out;
  rules.forEach((r: unknown, index) => {
    if (!isRecord(r)) return;
    out.push({
      index,
      apiGroups: strings(r.apiGroups),
      resources: strings(r.resources),
      verbs: strings(r.verbs),
      resourceNames: strings(r.resourceNames).filter((n) => n !== ''),
    });
  });
  return out;
}

function roleLabel(res: Resource): string {
  const o = res.object;
  const name = o.metadata.name ?? '<unnamed>';
  return o.kind === 'Role' ? `Role ${o.metadata.namespace ?? 'default'}/${name}` : `ClusterRole ${name}`;
}

interface Subject {
  kind: string;
  name: string;
  namespace?: string;
}

function subjectsOf(res: Resource): Array<Subject | undefined> {
  const list = res.object.subjects;
  if (!Array.isArray(list)) return [];
  return list.map((s: unknown) => {
    if (!isRecord(s) || typeof s.kind !== 'string' || typeof s.name !== 'string') return undefined;
    const subject: Subject = { kind: s.kind, name: s.name };
    const ns =
      typeof s.namespace === 'string' && s.namespace
        ? s.namespace
        : s.kind === 'ServiceAccount' && res.object.kind === 'RoleBinding'
          ? (res.object.metadata.namespace ?? 'default')
          : undefined;
    if (ns) subject.namespace = ns;
    return subject;
  });
}

function subjectLabel(s: Subject): string {
  return s.kind === 'ServiceAccount'
    ? `ServiceAccount ${s.namespace ?? '?'}/${s.name}`
    : `${s.kind} ${s.name}`;
}

function listLabel(items: readonly string[], max = 3): string {
  if (items.length <= max) return items.join(', ');
  return `${items.slice(0, max).join(', ')} and ${items.length - max} more`;
}

function bindingLabel(res: Resource): string {
  const o = res.object;
  const name = o.metadata.name ?? '<unnamed>';
  return o.kind === 'RoleBinding'
    ? `RoleBinding ${o.metadata.namespace ?? 'default'}/${name}`
    : `${o.kind} ${name}`;
}

// ---------------------------------------------------------------------------------------------------------
// Where roles are bound and aggregated: indexed once per scan

interface LabelSelector {
  matchLabels: Record<string, unknown>;
  matchExpressions: Array<{ key: string; operator: string; values: string[] }>;
}

interface RbacIndex {
  /** `Role\0ns\0name` / `ClusterRole\0\0name` -> "Subject (Binding)" descriptions. */
  bound: Map<string, string[]>;
  /** ClusterRoles with an aggregationRule. */
  aggregators: Array<{ name: string; selectors: LabelSelector[] }>;
  /** Suffix per role, computed when the first finding needs it. */
  suffix: WeakMap<Resource, string>;
}

const rbacIndexes = new WeakMap<CheckContext, RbacIndex>();

function roleKey(kind: string, namespace: string, name: string): string {
  return `${kind}\u0000${kind === 'Role' ? namespace : ''}\u0000${name}`;
}

function selectorOf(v: unknown): LabelSelector | undefined {
  if (!isRecord(v)) return undefined;
  const matchExpressions: LabelSelector['matchExpressions'] = [];
  if (Array.isArray(v.matchExpressions)) {
    for (const e of v.matchExpressions) {
      if (!isRecord(e) || typeof e.key !== 'string' || typeof e.operator !== 'string') continue;
      matchExpressions.push({ key: e.key, operator: e.operator, values: strings(e.values) });
    }
  }
  return { matchLabels: isRecord(v.matchLabels) ? v.matchLabels : {}, matchExpressions };
}

function selectorMatches(sel: LabelSelector, labels: Record<string, unknown>): boolean {
  for (const [k, v] of Object.entries(sel.matchLabels)) {
    if (!Object.hasOwn(labels, k) || String(labels[k]) !== String(v)) return false;
  }
  for (const e of sel.matchExpressions) {
    const has = Object.hasOwn(labels, e.key);
    const value = String(labels[e.key]);
    const ok =
      e.operator === 'In'
        ? has && e.values.includes(value)
        : e.operator === 'NotIn'
          ? !has || !e.values.includes(value)
          : e.operator === 'Exists'
            ? has
            : e.operator === 'DoesNotExist'
              ? !has
              : false;
    if (!ok) return false;
  }
  return true;
}

function rbacIndexOf(ctx: CheckContext): RbacIndex {
  let index = rbacIndexes.get(ctx);
  if (index) return index;
  index = { bound: new Map(), aggregators: [], suffix: new WeakMap() };
  for (const res of ctx.resources) {
    const o = res.object;
    if (!o.apiVersion.startsWith(`${RBAC_GROUP}/`)) continue;
    if (o.kind === 'ClusterRole' && isRecord(o.aggregationRule)) {
      const sels = o.aggregationRule.clusterRoleSelectors;
      const selectors = Array.isArray(sels)
        ? sels.map(selectorOf).filter((s): s is LabelSelector => s !== undefined)
        : [];
      index.aggregators.push({ name: o.metadata.name ?? '<unnamed>', selectors });
      continue;
    }
    if (o.kind !== 'RoleBinding' && o.kind !== 'ClusterRoleBinding') continue;
    const ref = o.roleRef;
    if (!isRecord(ref) || typeof ref.kind !== 'string' || typeof ref.name !== 'string') continue;
    // A ClusterRoleBinding can only reference a ClusterRole; a RoleBinding's Role is in its own namespace.
    const key = roleKey(ref.kind, o.metadata.namespace ?? 'default', ref.name);
    const via = bindingLabel(res);
    const list = index.bound.get(key) ?? [];
    for (const s of subjectsOf(res)) if (s) list.push(`${subjectLabel(s)} (${via})`);
    index.bound.set(key, list);
  }
  rbacIndexes.set(ctx, index);
  return index;
}

/** ClusterRoles the built-in aggregation labels feed into (Kubernetes' admin, edit and view roles). */
const BUILTIN_AGGREGATION: Record<string, string> = {
  'rbac.authorization.k8s.io/aggregate-to-admin': 'admin',
  'rbac.authorization.k8s.io/aggregate-to-edit': 'edit',
  'rbac.authorization.k8s.io/aggregate-to-view': 'view',
};

/** "; bound to X (RoleBinding ns/b); aggregated into ClusterRole edit", or "" when nothing is known. */
function contextSuffix(res: Resource, ctx: CheckContext): string {
  const index = rbacIndexOf(ctx);
  const cached = index.suffix.get(res);
  if (cached !== undefined) return cached;
  const o = res.object;
  const name = o.metadata.name ?? '';
  const bound = [...(index.bound.get(roleKey(o.kind, o.metadata.namespace ?? 'default', name)) ?? [])];
  const into: string[] = [];
  if (o.kind === 'ClusterRole') {
    const labels = o.metadata.labels ?? {};
    for (const [label, target] of Object.entries(BUILTIN_AGGREGATION)) {
      if (String(labels[label]) === 'true') into.push(target);
    }
    for (const agg of index.aggregators) {
      if (agg.name === name || !agg.selectors.some((s) => selectorMatches(s, labels))) continue;
      if (!into.includes(agg.name)) into.push(agg.name);
      for (const b of index.bound.get(roleKey('ClusterRole', '', agg.name)) ?? []) {
        bound.push(`${b} via ClusterRole ${agg.name}`);
      }
    }
  }
  let suffix = '';
  if (bound.length > 0) suffix += `; bound to ${listLabel(bound)}`;
  if (into.length > 0) suffix += `; aggregated into ClusterRole ${into.join(', ')}`;
  index.suffix.set(res, suffix);
  return suffix;
}

// ---------------------------------------------------------------------------------------------------------
// Rule matching

/** One permission a capability check looks for: any of `verbs` on `resource` in one of `groups`. */
interface Grant {
  groups: readonly string[];
  /** `resource` or `resource/subresource`. */
  resource: string;
  verbs: readonly string[];
  /** Cluster-scoped: a namespaced Role cannot grant it. */
  clusterScoped?: boolean;
  /** resourceNames that keep the rule dangerous despite scoping it (e.g. binding cluster-admin). */
  privilegedNames?: readonly string[];
}

function resourceItemMatches(item: string, resource: string): boolean {
  if (item === '*' || item === resource) return true;
  const slash = resource.indexOf('/');
  return slash > 0 && item === `*${resource.slice(slash)}`;
}

interface Match {
  grant: Grant;
  verbs: string[];
  verbIndex: number;
  resourceIndex: number;
  viaWildcard: string[];
}

function matchGrant(rule: Rule, grant: Grant, clusterRole: boolean): Match | undefined {
  if (grant.clusterScoped && !clusterRole) return undefined;
  if (rule.resourceNames.length > 0) {
    const privileged = grant.privilegedNames ?? [];
    if (!rule.resourceNames.some((n) => privileged.includes(n))) return undefined;
  }
  const groupIndex = rule.apiGroups.findIndex((g) => g === '*' || grant.groups.includes(g));
  if (groupIndex < 0) return undefined;
  const resourceIndex = rule.resources.findIndex((r) => resourceItemMatches(r, grant.resource));
  if (resourceIndex < 0) return undefined;
  const wildVerb = rule.verbs.indexOf('*');
  const verbs = wildVerb >= 0 ? [...grant.verbs] : grant.verbs.filter((v) => rule.verbs.includes(v));
  if (verbs.length === 0) return undefined;
  const verbIndex = wildVerb >= 0 ? wildVerb : rule.verbs.findIndex((v) => verbs.includes(v));
  const viaWildcard: string[] = [];
  if (wildVerb >= 0) viaWildcard.push('verbs');
  if (rule.resources[resourceIndex] !== grant.resource) viaWildcard.push('resources');
  if (rule.apiGroups[groupIndex] === '*') viaWildcard.push('apiGroups');
  return { grant, verbs, verbIndex, resourceIndex, viaWildcard };
}

/** "get, list on secrets; create on pods/exec, pods/attach (through "*" in verbs)". */
function describeMatches(matches: readonly Match[]): string {
  const byResource = new Map<string, Set<string>>();
  const via = new Set<string>();
  for (const m of matches) {
    const set = byResource.get(m.grant.resource) ?? new Set();
    for (const v of m.verbs) set.add(v);
    byResource.set(m.grant.resource, set);
    for (const w of m.viaWildcard) via.add(w);
  }
  // Resources granted the same verbs share one clause: "impersonate on users, groups".
  const byVerbs = new Map<string, string[]>();
  for (const [r, verbs] of byResource) {
    const key = [...verbs].join(', ');
    byVerbs.set(key, [...(byVerbs.get(key) ?? []), r]);
  }
  const parts = [...byVerbs].map(([verbs, resources]) => `${verbs} on ${resources.join(', ')}`);
  const through = via.size > 0 ? ` (through "*" in ${[...via].join(' and ')})` : '';
  return `${parts.join('; ')}${through}`;
}

interface CapabilityOptions {
  id: string;
  title: string;
  severity: Severity;
  description: string;
  remediation: string;
  frameworks: FrameworkMapping[];
  grants: readonly Grant[];
  /** Which list item the finding points at. */
  anchor: 'verbs' | 'resources';
  /** Extra explanation appended to the message, e.g. what the permission lets one do. */
  impact: string;
}

/** A check reporting every Role/ClusterRole rule that grants any of `grants`; one finding per rule. */
function capabilityCheck(opts: CapabilityOptions): ResourceCheck {
  return {
    id: opts.id,
    category: 'manifest',
    scope: 'resource',
    kinds: ROLE_KINDS,
    title: opts.title,
    severity: opts.severity,
    description: opts.description,
    remediation: opts.remediation,
    frameworks: opts.frameworks,
    check(res, ctx) {
      if (!isRbacObject(res)) return [];
      const clusterRole = res.object.kind === 'ClusterRole';
      let hits: Hit[] | undefined;
      for (const rule of rulesOf(res)) {
        const matches: Match[] = [];
        for (const g of opts.grants) {
          const m = matchGrant(rule, g, clusterRole);
          if (m) matches.push(m);
        }
        if (matches.length === 0) continue;
        const at = Math.min(...matches.map((m) => (opts.anchor === 'verbs' ? m.verbIndex : m.resourceIndex)));
        const scoped =
          rule.resourceNames.length > 0 ? ` (resourceNames: ${rule.resourceNames.join(', ')})` : '';
        (hits ??= []).push({
          message:
            `${roleLabel(res)} rule ${rule.index + 1} grants ${describeMatches(matches)}${scoped}: ` +
            `${opts.impact}${contextSuffix(res, ctx)}`,
          path: ['rules', rule.index, opts.anchor, at],
        });
      }
      return hits ?? [];
    },
  };
}

const CORE = [''] as const;
const grant = (
  groups: readonly string[],
  resources: readonly string[],
  verbs: readonly string[],
  extra: Pick<Grant, 'clusterScoped' | 'privilegedNames'> = {},
): Grant[] => resources.map((resource) => ({ groups, resource, verbs, ...extra }));

// ---------------------------------------------------------------------------------------------------------
// Bindings

const CLUSTER_ADMIN = 'cluster-admin';
const MASTERS = 'system:masters';

export const clusterAdminBinding: ResourceCheck = {
  id: 'KW-RBAC-001',
  category: 'manifest',
  scope: 'resource',
  kinds: BINDING_KINDS,
  title: 'Binding to the cluster-admin role',
  severity: 'critical',
  description:
    'cluster-admin allows every verb on every resource. Bound with a ClusterRoleBinding it is full control of ' +
    'the cluster; bound with a RoleBinding it is full control of the namespace, including its Secrets and ' +
    'RBAC. Anyone who obtains the credentials of a subject (for instance a token stolen from a pod running ' +
    'as the service account) owns the cluster or namespace.',
  remediation:
    'Bind a Role or ClusterRole that lists only the verbs and resources the subject needs (or the built-in ' +
    'admin/edit/view roles through a namespaced RoleBinding) and delete the cluster-admin binding.',
  frameworks: [
    cis('5.1.1', 'Ensure that the cluster-admin role is only used where required'),
    RBAC_FRAMEWORK,
    mitre('T1098.006', 'Account Manipulation: Additional Container Cluster Roles'),
    mitre('T1078', 'Valid Accounts'),
  ],
  check(res) {
    if (!isRbacObject(res)) return [];
    const ref = res.object.roleRef;
    if (!isRecord(ref) || ref.kind !== 'ClusterRole' || ref.name !== CLUSTER_ADMIN) return [];
    // Members of system:masters already bypass RBAC: binding them adds nothing.
    const subjects = subjectsOf(res).filter(
      (s): s is Subject => s !== undefined && !(s.kind === 'Group' && s.name === MASTERS),
    );
    // A binding without subjects grants nothing yet.
    if (subjects.length === 0) return [];
    const who = listLabel(subjects.map(subjectLabel));
    const scope =
      res.object.kind === 'RoleBinding'
        ? `full control of namespace "${res.object.metadata.namespace ?? 'default'}"`
        : 'full control of the cluster';
    return [
      {
        message: `${bindingLabel(res)} grants cluster-admin (${scope}) to ${who}`,
        path: ['roleRef', 'name'],
      },
    ];
  },
};

/** Groups (and users) that stand for "everyone" or bypass RBAC. */
const BROAD_SUBJECTS: Record<string, string> = {
  'Group system:anonymous': 'every unauthenticated request',
  'User system:anonymous': 'every unauthenticated request',
  'Group system:unauthenticated': 'every unauthenticated request',
  'Group system:authenticated': 'every authenticated user and service account in the cluster',
  'Group system:serviceaccounts': 'every service account of every namespace',
  'Group system:masters': 'a group that bypasses RBAC and whose certificates cannot be revoked',
};

export const broadSubjectBinding: ResourceCheck = {
  id: 'KW-RBAC-002',
  category: 'manifest',
  scope: 'resource',
  kinds: BINDING_KINDS,
  title: 'Binding grants to anonymous, all-users or system:masters groups',
  severity: 'high',
  description:
    'system:anonymous and system:unauthenticated are every request without credentials; system:authenticated ' +
    'and system:serviceaccounts are every user and every pod token in the cluster. Permissions bound to them ' +
    'are available to anyone who can reach the API server or run a pod. system:masters bypasses ' +
    'authorization entirely and its client certificates cannot be revoked, so relying on it is unsafe.',
  remediation:
    'Remove the subject from the binding and bind the role to the specific users, groups or service ' +
    'accounts that need it. Do not issue credentials in system:masters; use a cluster-admin binding to a ' +
    'named, revocable identity for break-glass access instead.',
  frameworks: [
    cis('5.1.7', 'Avoid use of system:masters group'),
    RBAC_FRAMEWORK,
    mitre('T1078', 'Valid Accounts'),
    mitre('T1078.001', 'Valid Accounts: Default Accounts'),
  ],
  check(res) {
    if (!isRbacObject(res)) return [];
    const ref = res.object.roleRef;
    const role =
      isRecord(ref) && typeof ref.name === 'string' ? `${String(ref.kind)} ${ref.name}` : 'its role';
    let hits: Hit[] | undefined;
    subjectsOf(res).forEach((s, i) => {
      const who = s && BROAD_SUBJECTS[`${s.kind} ${s.name}`];
      if (!s || !who) return;
      (hits ??= []).push({
        message: `${bindingLabel(res)} grants ${role} to ${s.kind} ${s.name}: ${who}`,
        path: ['subjects', i, 'name'],
      });
    });
    return hits ?? [];
  },
};

// ---------------------------------------------------------------------------------------------------------
// Wildcards

const WILDCARD_FRAMEWORKS: FrameworkMapping[] = [
  cis('5.1.3', 'Minimize wildcard use in Roles and ClusterRoles'),
  RBAC_FRAMEWORK,
];

function wildcardCheck(opts: {
  id: string;
  field: 'verbs' | 'resources' | 'apiGroups';
  title: string;
  severity: Severity;
  description: string;
  remediation: string;
  impact: string;
}): ResourceCheck {
  return {
    id: opts.id,
    category: 'manifest',
    scope: 'resource',
    kinds: ROLE_KINDS,
    title: opts.title,
    severity: opts.severity,
    description: opts.description,
    remediation: opts.remediation,
    frameworks: WILDCARD_FRAMEWORKS,
    check(res, ctx) {
      if (!isRbacObject(res)) return [];
      let hits: Hit[] | undefined;
      for (const rule of rulesOf(res)) {
        const at = rule[opts.field].indexOf('*');
        if (at < 0) continue;
        // verbs: ["*"] on nonResourceURLs only covers HTTP methods on paths; the resource verbs are what matter.
        if (opts.field === 'verbs' && rule.resources.length === 0) continue;
        const scoped =
          rule.resourceNames.length > 0 ? ` (resourceNames: ${rule.resourceNames.join(', ')})` : '';
        (hits ??= []).push({
          message: `${roleLabel(res)} rule ${rule.index + 1} uses "*" in ${opts.field}${scoped}: ${opts.impact}${contextSuffix(res, ctx)}`,
          path: ['rules', rule.index, opts.field, at],
        });
      }
      return hits ?? [];
    },
  };
}

export const wildcardVerbs = wildcardCheck({
  id: 'KW-RBAC-003',
  field: 'verbs',
  title: 'Role grants all verbs ("*")',
  severity: 'high',
  description:
    'verbs: ["*"] grants every verb that exists now or is added later, including delete, deletecollection, ' +
    'escalate, bind and impersonate, on the listed resources. It almost always grants far more than the ' +
    'subject needs.',
  remediation:
    'List the verbs the subject needs explicitly, e.g. verbs: ["get", "list", "watch"] for read-only access.',
  impact: 'every current and future verb is allowed on the listed resources',
});

export const wildcardResources = wildcardCheck({
  id: 'KW-RBAC-004',
  field: 'resources',
  title: 'Role grants access to all resources ("*")',
  severity: 'high',
  description:
    'resources: ["*"] covers every resource and subresource of the listed API groups, including Secrets, ' +
    'pods/exec and resources of CRDs installed later.',
  remediation:
    'List the resources the subject needs explicitly (e.g. resources: ["deployments", "services"]) and ' +
    'grant subresources such as pods/log only where required.',
  impact: 'every resource and subresource of the listed API groups, including ones added later, is covered',
});

export const wildcardApiGroups = wildcardCheck({
  id: 'KW-RBAC-005',
  field: 'apiGroups',
  title: 'Role matches all API groups ("*")',
  severity: 'medium',
  description:
    'apiGroups: ["*"] applies the rule to resources of the same name in every API group, including CRDs ' +
    'installed later, so the rule grants more than it appears to.',
  remediation:
    'List the API groups explicitly: "" for the core group (pods, secrets, services), "apps" for ' +
    'deployments, "batch" for jobs, and so on.',
  impact: 'the rule applies to every API group, including ones installed later',
});

// ---------------------------------------------------------------------------------------------------------
// Sensitive permissions

export const readSecrets = capabilityCheck({
  id: 'KW-RBAC-006',
  title: 'Role can read Secrets',
  severity: 'high',
  description:
    'get, list or watch on secrets returns their decoded contents: service account tokens, TLS keys, ' +
    'registry and database credentials. list and watch return every Secret of the namespace (or of the ' +
    'cluster, for a ClusterRole bound cluster-wide).',
  remediation:
    'Remove secrets from the rule, or limit it with resourceNames to the specific Secrets the workload reads. ' +
    'Prefer mounting Secrets into pods over reading them through the API.',
  frameworks: [
    cis('5.1.2', 'Minimize access to secrets'),
    RBAC_FRAMEWORK,
    mitre('T1552.007', 'Unsecured Credentials: Container API'),
    mitre('T1528', 'Steal Application Access Token'),
  ],
  grants: grant(CORE, ['secrets'], ['get', 'list', 'watch']),
  anchor: 'resources',
  impact: 'Secret contents (tokens, keys, passwords) can be read',
});

export const privilegeEscalation = capabilityCheck({
  id: 'KW-RBAC-007',
  title: 'Role allows escalate, bind or impersonate',
  severity: 'high',
  description:
    'escalate lets a subject write roles with permissions it does not hold; bind lets it bind any role, ' +
    'including cluster-admin; impersonate lets it act as any user, group or service account. Each bypasses ' +
    "RBAC's protection against privilege escalation.",
  remediation:
    'Remove the escalate, bind and impersonate verbs. Where a controller must bind roles, grant bind with ' +
    'resourceNames listing only the roles it may hand out; grant impersonate only on named users or ' +
    'service accounts.',
  frameworks: [
    cis('5.1.8', 'Limit use of the Bind, Impersonate and Escalate permissions in the Kubernetes cluster'),
    RBAC_FRAMEWORK,
    mitre('T1098.006', 'Account Manipulation: Additional Container Cluster Roles'),
    mitre('T1078', 'Valid Accounts'),
  ],
  grants: [
    ...grant([RBAC_GROUP], ['roles', 'clusterroles'], ['escalate', 'bind'], {
      privilegedNames: [CLUSTER_ADMIN],
    }),
    ...grant(CORE, ['users', 'groups'], ['impersonate'], { clusterScoped: true, privilegedNames: [MASTERS] }),
    ...grant(CORE, ['serviceaccounts'], ['impersonate']),
  ],
  anchor: 'verbs',
  impact: 'the subject can grant itself, or act with, permissions it does not hold',
});

export const execIntoPods = capabilityCheck({
  id: 'KW-RBAC-008',
  title: 'Role can exec or attach into pods',
  severity: 'high',
  description:
    'create (and, over WebSockets, get) on pods/exec or pods/attach runs commands inside any container of ' +
    'the namespace, with its service account token, mounted Secrets and network access. Updating ' +
    'pods/ephemeralcontainers injects a new container into a running pod for the same effect.',
  remediation:
    'Remove pods/exec, pods/attach and pods/ephemeralcontainers from the rule; keep interactive access for ' +
    'break-glass roles bound only to named administrators.',
  frameworks: [RBAC_FRAMEWORK, mitre('T1609', 'Container Administration Command')],
  grants: [
    ...grant(CORE, ['pods/exec', 'pods/attach'], ['create', 'get']),
    ...grant(CORE, ['pods/ephemeralcontainers'], ['update', 'patch']),
  ],
  anchor: 'resources',
  impact: 'commands can be run inside running containers',
});

export const nodeProxy = capabilityCheck({
  id: 'KW-RBAC-009',
  title: 'ClusterRole can use the nodes/proxy subresource',
  severity: 'high',
  description:
    'nodes/proxy forwards requests to the kubelet API of any node, which can run commands in every pod on ' +
    'it and read its logs, bypassing API server audit logging and admission control.',
  remediation:
    'Remove nodes/proxy from the rule. Monitoring agents that scrape kubelet metrics need only nodes/metrics ' +
    'and nodes/stats (get).',
  frameworks: [
    cis('5.1.10', 'Minimize access to the proxy sub-resource of nodes'),
    RBAC_FRAMEWORK,
    mitre('T1609', 'Container Administration Command'),
  ],
  grants: grant(CORE, ['nodes/proxy'], ['get', 'create', 'update', 'patch', 'delete'], {
    clusterScoped: true,
  }),
  anchor: 'resources',
  impact: 'the kubelet API of every node can be called directly',
});

const WORKLOAD_GRANTS: Grant[] = [
  ...grant(CORE, ['pods', 'replicationcontrollers'], ['create']),
  ...grant(['apps', 'extensions'], ['deployments', 'replicasets', 'daemonsets'], ['create']),
  ...grant(['apps'], ['statefulsets'], ['create']),
  ...grant(['batch'], ['jobs', 'cronjobs'], ['create']),
];

export const createWorkloads = capabilityCheck({
  id: 'KW-RBAC-010',
  title: 'Role can create pods or workloads',
  severity: 'medium',
  description:
    'Whoever can create a pod (directly or through a Deployment, DaemonSet, StatefulSet, ReplicaSet, Job, ' +
    'CronJob or ReplicationController) can run any image as any service account of the namespace and mount ' +
    'any of its Secrets; where Pod Security admission is not enforced, also privileged pods that take over ' +
    'the node.',
  remediation:
    'Grant create on pods and workload resources only to deployment pipelines and controllers that need it, ' +
    'and enforce Pod Security admission (restricted) in namespaces where it is granted.',
  frameworks: [
    cis('5.1.4', 'Minimize access to create pods'),
    RBAC_FRAMEWORK,
    mitre('T1610', 'Deploy Container'),
  ],
  grants: WORKLOAD_GRANTS,
  anchor: 'resources',
  impact: 'arbitrary pods can be started with any service account and Secret of the namespace',
});

export const createTokens = capabilityCheck({
  id: 'KW-RBAC-011',
  title: 'Role can create service account tokens',
  severity: 'high',
  description:
    'create on serviceaccounts/token mints API tokens for any service account in scope, so the subject ' +
    'can act with the permissions of every one of them, for as long as the token lives.',
  remediation:
    'Remove serviceaccounts/token from the rule, or limit it with resourceNames to the service accounts the ' +
    'subject must issue tokens for.',
  frameworks: [
    cis('5.1.13', 'Minimize access to the service account token creation'),
    RBAC_FRAMEWORK,
    mitre('T1528', 'Steal Application Access Token'),
  ],
  grants: grant(CORE, ['serviceaccounts/token'], ['create']),
  anchor: 'resources',
  impact: 'tokens can be issued for service accounts, with their permissions',
});

export const webhookConfigs = capabilityCheck({
  id: 'KW-RBAC-012',
  title: 'ClusterRole can change admission webhook configurations',
  severity: 'high',
  description:
    'Whoever can create or change a MutatingWebhookConfiguration receives, and can rewrite, every object ' +
    'sent to the API server (including Secrets); changing or deleting a ValidatingWebhookConfiguration ' +
    'switches off policy enforcement.',
  remediation:
    'Limit create, update, patch and delete on mutatingwebhookconfigurations and ' +
    'validatingwebhookconfigurations to cluster administrators; controllers that patch their own webhook ' +
    '(e.g. to inject a CA bundle) should list it in resourceNames.',
  frameworks: [
    cis('5.1.12', 'Minimize access to webhook configuration objects'),
    RBAC_FRAMEWORK,
    mitre('T1562.001', 'Impair Defenses: Disable or Modify Tools'),
    mitre('T1557', 'Adversary-in-the-Middle'),
  ],
  grants: grant(
    ['admissionregistration.k8s.io'],
    ['mutatingwebhookconfigurations', 'validatingwebhookconfigurations'],
    ['create', 'update', 'patch', 'delete', 'deletecollection'],
    { clusterScoped: true },
  ),
  anchor: 'resources',
  impact: 'API requests can be intercepted or admission policy switched off',
});

export const approveCsr = capabilityCheck({
  id: 'KW-RBAC-013',
  title: 'ClusterRole can approve certificate signing requests',
  severity: 'high',
  description:
    'update on certificatesigningrequests/approval approves CSRs; with a signer that issues client ' +
    'certificates (kubernetes.io/kube-apiserver-client) that is a certificate for any user or group, ' +
    'including system:masters, which cannot be revoked.',
  remediation:
    'Remove certificatesigningrequests/approval from the rule; leave CSR approval to the controller manager ' +
    'or to a dedicated approver limited with the approve verb on specific signers (resourceNames).',
  frameworks: [
    cis('5.1.11', 'Minimize access to the approval sub-resource of certificatesigningrequests objects'),
    RBAC_FRAMEWORK,
    mitre('T1649', 'Steal or Forge Authentication Certificates'),
  ],
  grants: grant(['certificates.k8s.io'], ['certificatesigningrequests/approval'], ['update', 'patch'], {
    clusterScoped: true,
  }),
  anchor: 'resources',
  impact: 'client certificates for arbitrary identities can be approved',
});

export const createPersistentVolumes = capabilityCheck({
  id: 'KW-RBAC-014',
  title: 'ClusterRole can create PersistentVolumes',
  severity: 'medium',
  description:
    'A PersistentVolume can be a hostPath on the node; whoever can create one and claim it can mount any ' +
    'host directory into a pod, bypassing Pod Security admission, which only sees the claim.',
  remediation:
    'Remove create on persistentvolumes; let a StorageClass provisioner create volumes from ' +
    'PersistentVolumeClaims instead.',
  frameworks: [
    cis('5.1.9', 'Minimize access to create persistent volumes'),
    RBAC_FRAMEWORK,
    mitre('T1611', 'Escape to Host'),
  ],
  grants: grant(CORE, ['persistentvolumes'], ['create'], { clusterScoped: true }),
  anchor: 'resources',
  impact: 'hostPath volumes can be created and mounted',
});

export const rbacChecks: ResourceCheck[] = [
  clusterAdminBinding,
  broadSubjectBinding,
  wildcardVerbs,
  wildcardResources,
  wildcardApiGroups,
  readSecrets,
  privilegeEscalation,
  execIntoPods,
  nodeProxy,
  createWorkloads,
  createTokens,
  webhookConfigs,
  approveCsr,
  createPersistentVolumes,
];
