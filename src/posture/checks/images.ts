import picomatch from 'picomatch';
import { containerLabel } from '../../k8s/pod-spec.js';
import type { FrameworkMapping } from '../../core/finding.js';
import type { Severity } from '../../core/severity.js';
import { namePrefixes, tryParseImageReference, type ImageReference } from '../../image/reference.js';
import type { CheckContext, Hit, PodCheck } from '../check.js';
import { cis, mitre, nsa } from './frameworks.js';

/** Image hygiene: mutable tags, digest pinning and the registry allow-list (config `registries.allowed`). */

/** Parsed references by image string (null: invalid). The same few images recur across thousands of pods. */
const parsedImages = new Map<string, ImageReference | null>();
const PARSE_CACHE_MAX = 10_000;

function parseCached(image: string): ImageReference | null {
  let ref = parsedImages.get(image);
  if (ref === undefined) {
    ref = tryParseImageReference(image) ?? null;
    if (parsedImages.size >= PARSE_CACHE_MAX) parsedImages.clear();
    parsedImages.set(image, ref);
  }
  return ref;
}

/**
 * A pod check that looks at every container image (containers, init and ephemeral). `test` returns the
 * message tail for an offending image, or undefined; invalid references reach `test` as null.
 */
function imageCheck(opts: {
  id: string;
  title: string;
  severity: Severity;
  description: string;
  remediation: string;
  frameworks: FrameworkMapping[];
  test: (ref: ImageReference | null, image: string, ctx: CheckContext) => string | undefined;
}): PodCheck {
  const { test } = opts;
  return {
    id: opts.id,
    category: 'manifest',
    scope: 'pod',
    title: opts.title,
    severity: opts.severity,
    description: opts.description,
    remediation: opts.remediation,
    frameworks: opts.frameworks,
    check(pod, ctx) {
      let hits: Hit[] | undefined;
      for (const c of pod.containers) {
        const image = c.container.image;
        if (typeof image !== 'string' || image === '') continue;
        const problem = test(parseCached(image), image, ctx);
        if (problem === undefined) continue;
        (hits ??= []).push({
          message: `${containerLabel(c)} image "${image}" ${problem}`,
          path: [...c.path, 'image'],
        });
      }
      return hits ?? [];
    },
  };
}

const MUTABLE_TAG_FRAMEWORKS: FrameworkMapping[] = [
  nsa('supply-chain', 'Use trusted, immutable and scanned container images'),
  mitre('T1525', 'Implant Internal Image'),
];

export const latestTag = imageCheck({
  id: 'KW-IMG-001',
  title: 'Image uses the latest tag',
  severity: 'medium',
  description:
    '"latest" is a moving tag: every node pull can get a different image, so a rollout is not reproducible, ' +
    'a rollback does not roll back, and whoever can push to the repository changes what runs in the cluster.',
  remediation:
    'Set the container image to a specific version tag (nginx:1.27.2), ideally pinned by digest ' +
    '(nginx:1.27.2@sha256:…).',
  frameworks: MUTABLE_TAG_FRAMEWORKS,
  // With a digest the tag is informational only: the runtime pulls the digest.
  test: (ref) => (ref && ref.tag === 'latest' && !ref.digest ? 'uses the mutable "latest" tag' : undefined),
});

export const missingTag = imageCheck({
  id: 'KW-IMG-002',
  title: 'Image has no tag or digest',
  severity: 'medium',
  description:
    'An image without a tag or digest means ":latest": which image runs depends on when each node pulled ' +
    'it, and anyone able to push to the repository changes what runs in the cluster.',
  remediation: 'Add a specific version tag to the image (nginx:1.27.2), ideally with a digest.',
  frameworks: MUTABLE_TAG_FRAMEWORKS,
  test: (ref) =>
    ref && ref.tag === undefined && ref.digest === undefined
      ? 'has no tag or digest, so it pulls ":latest"'
      : undefined,
});

export const notPinnedByDigest = imageCheck({
  id: 'KW-IMG-003',
  title: 'Image not pinned by digest',
  severity: 'low',
  description:
    'Tags can be moved to a different image at any time. Only a digest (@sha256:…) guarantees that every ' +
    'node runs the exact image that was reviewed and scanned.',
  remediation:
    'Reference the image by digest, keeping the tag for readability: ' +
    'image: ghcr.io/acme/app:1.4.2@sha256:<digest>. Tools such as Renovate keep digests up to date.',
  frameworks: MUTABLE_TAG_FRAMEWORKS,
  test: (ref) => (ref && ref.digest === undefined ? 'is not pinned by digest' : undefined),
});

/** Compiled allow-lists, keyed by the config array; answers memoised per repository name. */
interface AllowList {
  matches: (candidate: string) => boolean;
  byName: Map<string, boolean>;
}
const allowLists = new WeakMap<readonly string[], AllowList>();

function allowListOf(patterns: readonly string[]): AllowList {
  let list = allowLists.get(patterns);
  if (!list) {
    const cleaned = patterns.map((p) => p.trim().replace(/\/+$/, '')).filter((p) => p !== '');
    list = { matches: cleaned.length ? picomatch(cleaned, { dot: true }) : () => false, byName: new Map() };
    allowLists.set(patterns, list);
  }
  return list;
}

/** True when a pattern matches the registry, a component prefix of the name, or the whole name. */
export function registryAllowed(ref: ImageReference, patterns: readonly string[]): boolean {
  const list = allowListOf(patterns);
  let ok = list.byName.get(ref.name);
  if (ok === undefined) {
    ok = namePrefixes(ref).some((p) => list.matches(p));
    list.byName.set(ref.name, ok);
  }
  return ok;
}

export const registryNotAllowed = imageCheck({
  id: 'KW-IMG-004',
  title: 'Image from a registry outside the allow-list',
  severity: 'high',
  description:
    'Only images from the registries and repositories listed in registries.allowed should run: images from ' +
    'anywhere else have not gone through your build, scanning and signing pipeline and may be typosquatted ' +
    'or backdoored. Runs only when registries.allowed is configured.',
  remediation:
    'Pull the image from an allowed registry (mirror it into your own registry), or add its registry or ' +
    'repository to registries.allowed in .kubeward.yaml. Enforce the same list at admission time.',
  frameworks: [
    cis('5.5.1', 'Configure Image Provenance using ImagePolicyWebhook admission controller'),
    nsa('supply-chain', 'Use trusted, immutable and scanned container images'),
    mitre('T1525', 'Implant Internal Image'),
  ],
  test: (ref, _image, ctx) => {
    const patterns = ctx.config.registries?.allowed;
    if (!patterns || patterns.length === 0) return undefined;
    // An unparsable reference cannot be shown to come from an allowed registry: fail closed.
    if (!ref)
      return 'is not a valid image reference, so its registry cannot be checked against registries.allowed';
    return registryAllowed(ref, patterns) ? undefined : `(${ref.name}) is not from an allowed registry`;
  },
});

export const imageChecks: PodCheck[] = [latestTag, missingTag, notPinnedByDigest, registryNotAllowed];
