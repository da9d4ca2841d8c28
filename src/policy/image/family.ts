/**
 * The image policy family: turns an admission request into one PolicyEvaluation per matching ImagePolicy.
 * Reference rules (registries, tags, digests) are pure; digest resolution, scan results and signatures
 * touch the network and run only before the request's deadline, only for images whose registry the
 * policy allows (a denied image never makes kubeward contact the registry it names).
 */
import picomatch from 'picomatch';
import type { AdmissionRequest, JsonPatchOp } from '../../admission/types.js';
import { containerLabel } from '../../k8s/pod-spec.js';
import { RegistryClient } from '../../image/registry/client.js';
import { dockerConfigProvider } from '../../image/registry/credentials.js';
import {
  formatReference,
  ImageReferenceError,
  parseImageReference,
  type ImageReference,
} from '../../image/reference.js';
import { CosignVerifier, type SignatureVerifier } from '../../image/signature/cosign.js';
import { withDeadline } from '../../image/signature/deadline.js';
import type {
  PolicyAction,
  PolicyContext,
  PolicyEvaluation,
  PolicyFamily,
  Violation,
} from '../engine/types.js';
import { createDigestResolver, type ResolveDigest } from './digest-resolver.js';
import { imageSitesOf, type ImageSite } from './images.js';
import type { ImagePolicy } from './parse.js';
import { compileMutableTagCheck, compileRegistryAllowList } from './rules.js';
import type { ScanResultSource } from './scan-results.js';
import { vulnerabilityGate } from './vuln-gate.js';

/** Network work per request when the caller gives no deadline (CI): generous, but never unbounded. */
export const DEFAULT_NETWORK_TIMEOUT_MS = 10_000;
export const DEFAULT_SCAN_BUDGET_MS = 5_000;
/** Distinct images one request may make the family look up; a pod has a handful. */
const MAX_DISTINCT_IMAGES = 64;

export interface ImagePolicyDeps {
  /** Tag → digest (default: HEAD through `client`, cached 5 minutes). */
  resolveDigest?: ResolveDigest;
  /** Vulnerability results by digest; without it every image counts as unscanned. */
  scanResults?: ScanResultSource;
  /** Signature checks (default: cosign through `client`). */
  verifier?: SignatureVerifier;
  /** Client for the defaults (default: Docker config credentials, TLS only). */
  client?: RegistryClient;
  /** Budget for network work when the context has no deadline (ms). */
  defaultTimeoutMs?: number;
}

const ACTIONS: Record<string, readonly PolicyAction[]> = {
  enforce: ['Deny'],
  warn: ['Warn'],
  audit: ['Audit'],
};

/** What was learnt about one distinct image string, before it is attached to each container using it. */
interface ImageOutcome {
  violations: Array<Omit<Violation, 'field'>>;
  warnings: string[];
  errors: string[];
  /** Digest to pin a tagged image to (mutateToDigest). */
  pin?: string;
}

interface CompiledPolicy {
  policy: ImagePolicy;
  name: string;
  inNamespace: (ns: string) => boolean;
  registryAllowed?: (ref: ImageReference) => boolean;
  mutableTag?: (ref: ImageReference) => string | undefined;
}

export function createImagePolicyFamily(
  policies: readonly ImagePolicy[],
  deps: ImagePolicyDeps = {},
): PolicyFamily {
  const compiled = policies.map(compile);
  let client = deps.client;
  const clientOf = (): RegistryClient =>
    (client ??= new RegistryClient({ credentials: dockerConfigProvider() }));
  let resolver = deps.resolveDigest;
  let verifier = deps.verifier;
  const net = {
    resolveDigest: (ref: ImageReference) => (resolver ??= createDigestResolver(clientOf()))(ref),
    verifier: (): SignatureVerifier => (verifier ??= new CosignVerifier(clientOf())),
    scanResults: deps.scanResults,
  };

  return {
    family: 'image',
    async evaluate(request: AdmissionRequest, ctx: PolicyContext): Promise<PolicyEvaluation[]> {
      if (request.operation === 'DELETE' || request.operation === 'CONNECT') return [];
      const ns = request.namespace || request.object?.metadata?.namespace || 'default';
      const matching = compiled.filter((c) => c.inNamespace(ns));
      if (matching.length === 0) return [];
      let sites: ImageSite[];
      try {
        sites = imageSitesOf(request);
      } catch (e) {
        return matching.map((c) => ({
          ...base(c),
          error: (e as Error).message,
        }));
      }
      if (sites.length === 0) return [];
      const deadline = ctx.deadline ?? Date.now() + (deps.defaultTimeoutMs ?? DEFAULT_NETWORK_TIMEOUT_MS);
      return Promise.all(matching.map((c) => evaluatePolicy(c, sites, deadline, net)));
    },
  };
}

function compile(policy: ImagePolicy): CompiledPolicy {
  const spec = policy.spec;
  const include = spec.match?.namespaces?.length
    ? picomatch(spec.match.namespaces, { dot: true })
    : () => true;
  const exclude = spec.match?.excludeNamespaces?.length
    ? picomatch(spec.match.excludeNamespaces, { dot: true })
    : () => false;
  const c: CompiledPolicy = {
    policy,
    name: `image:${policy.name}`,
    inNamespace: (ns) => include(ns) && !exclude(ns),
  };
  if (spec.allowedRegistries) c.registryAllowed = compileRegistryAllowList(spec.allowedRegistries);
  if (spec.forbidMutableTags)
    c.mutableTag = compileMutableTagCheck(
      typeof spec.forbidMutableTags === 'object' ? (spec.forbidMutableTags.allowTags ?? []) : [],
    );
  return c;
}

function base(c: CompiledPolicy): PolicyEvaluation {
  return {
    policy: c.name,
    family: 'image',
    violations: [],
    actions: ACTIONS[c.policy.spec.mode ?? 'enforce'] ?? ['Deny'],
    failurePolicy: c.policy.spec.failurePolicy ?? 'Fail',
  };
}

interface Net {
  resolveDigest: ResolveDigest;
  verifier: () => SignatureVerifier;
  scanResults: ScanResultSource | undefined;
}

async function evaluatePolicy(
  c: CompiledPolicy,
  sites: ImageSite[],
  deadline: number,
  net: Net,
): Promise<PolicyEvaluation> {
  const out = base(c);
  const outcomes = new Map<string, Promise<ImageOutcome>>();
  const errors: string[] = [];
  const warnings = new Set<string>();
  const patch: JsonPatchOp[] = [];
  // Start every distinct image's checks at once, then attach the outcomes to each container using it.
  const usable: Array<{ site: ImageSite; image?: string; label: string }> = [];
  for (const site of sites) {
    const label = containerLabel({ type: site.containerType, name: site.containerName });
    if (typeof site.image !== 'string' || site.image === '') {
      usable.push({ site, label });
      continue;
    }
    if (!outcomes.has(site.image)) {
      if (outcomes.size >= MAX_DISTINCT_IMAGES) {
        errors.push(`more than ${MAX_DISTINCT_IMAGES} distinct images in one request`);
        break;
      }
      outcomes.set(
        site.image,
        judgeImage(c, site.image, deadline, net).catch((e: unknown) => ({
          violations: [],
          warnings: [],
          errors: [msg(e)],
        })),
      );
    }
    usable.push({ site, image: site.image, label });
  }
  for (const { site, image, label } of usable) {
    if (image === undefined) {
      out.violations.push({ control: 'imageReference', message: `${label} has no image`, field: site.field });
      continue;
    }
    const o = await (outcomes.get(image) as Promise<ImageOutcome>);
    for (const v of o.violations)
      out.violations.push({ ...v, message: `${label} image "${image}" ${v.message}`, field: site.field });
    for (const w of o.warnings) warnings.add(`${label} image "${image}" ${w}`);
    for (const e of o.errors) errors.push(`${label} image "${image}": ${e}`);
    if (o.pin) patch.push({ op: 'replace', path: site.pointer, value: `${image}@${o.pin}` });
  }
  if (warnings.size) out.warnings = [...warnings];
  if (patch.length) out.patch = patch;
  if (errors.length) out.error = [...new Set(errors)].slice(0, 10).join('; ');
  return out;
}

/** Every rule of one policy for one image string; network failures become errors, never exceptions. */
async function judgeImage(
  c: CompiledPolicy,
  image: string,
  deadline: number,
  net: Net,
): Promise<ImageOutcome> {
  const o: ImageOutcome = { violations: [], warnings: [], errors: [] };
  const spec = c.policy.spec;
  let ref: ImageReference;
  try {
    ref = parseImageReference(image);
  } catch (e) {
    const reason = e instanceof ImageReferenceError ? e.reason : (e as Error).message;
    o.violations.push({
      control: 'imageReference',
      message: `is not a valid image reference: ${reason}`,
      image,
    });
    return o;
  }
  const canonical = formatReference(ref);
  const violation = (control: string, message: string): void => {
    o.violations.push({ control, message, image: canonical });
  };
  if (c.registryAllowed && !c.registryAllowed(ref)) {
    violation(
      'allowedRegistries',
      `is not from an allowed registry (${ref.name} matches none of allowedRegistries)`,
    );
    return o; // never contact a registry the policy does not trust
  }

  const needsDigest =
    spec.mutateToDigest || spec.vulnerabilities !== undefined || spec.signatures !== undefined;
  let digest = ref.digest;
  if (digest === undefined && needsDigest) {
    try {
      digest = await withDeadline(net.resolveDigest(ref), deadline, `resolving ${canonical}`);
      if (spec.mutateToDigest) o.pin = digest;
    } catch (e) {
      o.errors.push(`cannot resolve the tag to a digest: ${msg(e)}`);
    }
  }
  // A pinned image satisfies the reference rules: the patch makes the object carry the digest.
  const pinned = ref.digest !== undefined || o.pin !== undefined;
  if (!pinned) {
    const mutable = c.mutableTag?.(ref);
    if (mutable) violation('forbidMutableTags', mutable);
    if (spec.requireDigest) violation('requireDigest', 'is not pinned by digest (@sha256:…)');
  }
  if (digest === undefined) return o;

  const checks: Array<Promise<void>> = [];
  if (spec.vulnerabilities)
    checks.push(checkVulnerabilities(spec.vulnerabilities, ref, digest, deadline, net, o, violation));
  if (spec.signatures) checks.push(checkSignature(c, ref, digest, deadline, net, o, violation));
  await Promise.all(checks);
  return o;
}

async function checkVulnerabilities(
  rules: NonNullable<ImagePolicy['spec']['vulnerabilities']>,
  ref: ImageReference,
  digest: string,
  deadline: number,
  net: Net,
  o: ImageOutcome,
  violation: (control: string, message: string) => void,
): Promise<void> {
  const unscanned = rules.unscanned ?? 'scan';
  const scanDeadline = Math.min(deadline, Date.now() + (rules.scanBudgetMs ?? DEFAULT_SCAN_BUDGET_MS));
  let summary;
  try {
    summary = net.scanResults
      ? await withDeadline(
          net.scanResults.get(digest, {
            image: formatReference({ ...ref, digest }),
            scan: unscanned === 'scan',
            deadline: scanDeadline,
          }),
          unscanned === 'scan' ? scanDeadline : deadline,
          `vulnerability scan of ${ref.name}@${digest.slice(0, 19)}`,
        )
      : undefined;
  } catch (e) {
    o.errors.push(`vulnerability scan failed: ${msg(e)}`);
    return;
  }
  if (!summary) {
    if (unscanned === 'deny')
      violation('vulnerabilities.unscanned', `has not been scanned for vulnerabilities (${digest})`);
    else if (unscanned === 'warn')
      o.warnings.push(`has not been scanned for vulnerabilities yet (${digest})`);
    else o.errors.push('has not been scanned and no inline scanner is configured');
    return;
  }
  for (const f of vulnerabilityGate(summary, rules)) violation(f.control, f.message);
}

async function checkSignature(
  c: CompiledPolicy,
  ref: ImageReference,
  digest: string,
  deadline: number,
  net: Net,
  o: ImageOutcome,
  violation: (control: string, message: string) => void,
): Promise<void> {
  const required = c.policy.spec.signatures?.required ?? true;
  try {
    const verdict = await withDeadline(
      net
        .verifier()
        .verify({ registry: ref.registry, repository: ref.repository, digest }, c.policy.publicKeys, {
          deadline,
        }),
      deadline,
      `signature check of ${ref.name}@${digest.slice(0, 19)}`,
    );
    if (verdict.verified) return;
    if (required) violation('signatures', `has no valid signature: ${verdict.reason}`);
    else o.warnings.push(`has no valid signature: ${verdict.reason}`);
  } catch (e) {
    o.errors.push(`signature check failed: ${msg(e)}`);
  }
}

function msg(e: unknown): string {
  return (e instanceof Error ? e.message : String(e)).split('\n')[0] ?? '';
}
