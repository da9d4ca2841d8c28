/**
 * Container image references, parsed and normalised the way Docker and containerd do it
 * (github.com/distribution/reference):
 *
 *   reference  := name [ ":" tag ] [ "@" digest ]
 *   name       := [ domain "/" ] path-component { "/" path-component }
 *   domain     := host [ ":" port ]            host: DNS name, IPv4 or "[" IPv6 "]"
 *   path-comp  := [a-z0-9]+ ( ( "." | "_" | "__" | "-"+ ) [a-z0-9]+ )*
 *   tag        := [\w][\w.-]{0,127}
 *   digest     := algorithm ":" hex            sha256: 64 lower-case hex, sha512: 128
 *
 * The first component is a registry host only when it contains "." or ":", is "localhost", or has upper-case
 * letters (repository paths are always lower case). Otherwise the registry is docker.io, and a single-component
 * Docker Hub name gets the "library/" prefix: `nginx` is `docker.io/library/nginx`.
 */

export const DEFAULT_REGISTRY = 'docker.io';
/** Old spelling of Docker Hub, normalised to DEFAULT_REGISTRY. */
export const LEGACY_DEFAULT_REGISTRY = 'index.docker.io';
const OFFICIAL_REPO_PREFIX = 'library/';
/** distribution/reference's NameTotalLengthMax: registry + "/" + repository. */
export const NAME_TOTAL_LENGTH_MAX = 255;

export interface ImageReference {
  /** Registry host as written (port included): "docker.io", "ghcr.io", "localhost:5000", "[::1]:5000". */
  registry: string;
  /** Repository path without the registry: "library/nginx", "acme/app". */
  repository: string;
  /** `registry/repository`, the fully qualified name without tag or digest. */
  name: string;
  tag?: string;
  /** `algorithm:hex`, e.g. "sha256:0123…". */
  digest?: string;
}

/** Thrown by parseImageReference; `input` is the rejected text. */
export class ImageReferenceError extends Error {
  override readonly name = 'ImageReferenceError';
  constructor(
    readonly input: string,
    readonly reason: string,
  ) {
    super(`invalid image reference "${input}": ${reason}`);
  }
}

const DOMAIN_COMPONENT = '(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])';
const DOMAIN_RE = new RegExp(
  `^(?:${DOMAIN_COMPONENT}(?:\\.${DOMAIN_COMPONENT})*|\\[[a-fA-F0-9:]+\\])(?::[0-9]+)?$`,
);
const PATH_COMPONENT_RE = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/;
const TAG_RE = /^\w[\w.-]{0,127}$/;
const DIGEST_ALGORITHM_RE = /^[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*$/;
const HEX_RE = /^[0-9a-fA-F]{32,}$/;
/** Registered algorithms have a fixed, lower-case encoding (OCI image spec). */
const KNOWN_DIGESTS: Record<string, RegExp> = {
  sha256: /^[a-f0-9]{64}$/,
  sha512: /^[a-f0-9]{128}$/,
};
/** A bare 64-hex string is an image ID, not a name; Docker refuses it as a repository. */
const IMAGE_ID_RE = /^[a-f0-9]{64}$/;

/** Parses and normalises an image reference; throws ImageReferenceError when it is not valid. */
export function parseImageReference(input: string): ImageReference {
  const r = parse(input);
  if (typeof r === 'string') throw new ImageReferenceError(input, r);
  return r;
}

/** Like parseImageReference, but returns undefined for an invalid reference. */
export function tryParseImageReference(input: string): ImageReference | undefined {
  const r = parse(input);
  return typeof r === 'string' ? undefined : r;
}

/** Canonical form: `registry/repository[:tag][@digest]`, e.g. `docker.io/library/nginx:1.25`. */
export function formatReference(ref: ImageReference): string {
  return `${ref.name}${ref.tag !== undefined ? `:${ref.tag}` : ''}${ref.digest !== undefined ? `@${ref.digest}` : ''}`;
}

/** Short form Docker prints: `nginx:1.25`, `acme/app`, `ghcr.io/acme/app@sha256:…`. */
export function familiarReference(ref: ImageReference): string {
  let name = ref.name;
  if (ref.registry === DEFAULT_REGISTRY) {
    const official = ref.repository.slice(OFFICIAL_REPO_PREFIX.length);
    // `library/a/b` cannot be shortened: `a/b` would name a different repository.
    name =
      ref.repository.startsWith(OFFICIAL_REPO_PREFIX) && !official.includes('/') ? official : ref.repository;
  }
  return `${name}${ref.tag !== undefined ? `:${ref.tag}` : ''}${ref.digest !== undefined ? `@${ref.digest}` : ''}`;
}

/**
 * The prefixes of the name at component boundaries, shortest first: for `ghcr.io/acme/team/app` these are
 * `ghcr.io`, `ghcr.io/acme`, `ghcr.io/acme/team`, `ghcr.io/acme/team/app`. Used for allow-list matching.
 */
export function namePrefixes(ref: ImageReference): string[] {
  const out = [ref.registry];
  let i = ref.registry.length;
  for (;;) {
    i = ref.name.indexOf('/', i + 1);
    if (i === -1) break;
    out.push(ref.name.slice(0, i));
  }
  out.push(ref.name);
  return out;
}

/** Returns the parsed reference, or the reason it is invalid. */
function parse(input: string): ImageReference | string {
  if (input.length === 0) return 'reference is empty';
  if (/\s/.test(input)) return 'reference contains whitespace';

  let rest = input;
  let digest: string | undefined;
  const at = rest.indexOf('@');
  if (at !== -1) {
    digest = rest.slice(at + 1);
    rest = rest.slice(0, at);
    const err = digestError(digest);
    if (err) return err;
  }

  let tag: string | undefined;
  const colon = rest.lastIndexOf(':');
  if (colon > rest.lastIndexOf('/')) {
    tag = rest.slice(colon + 1);
    rest = rest.slice(0, colon);
    if (!TAG_RE.test(tag)) return `invalid tag "${tag}"`;
  }
  if (rest.length === 0) return 'repository name is empty';

  let registry: string;
  let repository: string;
  const slash = rest.indexOf('/');
  const first = slash === -1 ? '' : rest.slice(0, slash);
  if (
    slash === -1 ||
    (!first.includes('.') && !first.includes(':') && first !== 'localhost' && first.toLowerCase() === first)
  ) {
    registry = DEFAULT_REGISTRY;
    repository = rest;
    if (IMAGE_ID_RE.test(repository)) return 'a 64-character hexadecimal string is an image ID, not a name';
  } else {
    registry = first;
    repository = rest.slice(slash + 1);
    if (!DOMAIN_RE.test(registry)) return `invalid registry host "${registry}"`;
  }
  if (registry === LEGACY_DEFAULT_REGISTRY) registry = DEFAULT_REGISTRY;

  if (repository.length === 0) return 'repository name is empty';
  for (const component of repository.split('/')) {
    if (!PATH_COMPONENT_RE.test(component)) {
      return component !== component.toLowerCase()
        ? 'repository name must be lower case'
        : `invalid repository path component "${component}"`;
    }
  }
  if (registry === DEFAULT_REGISTRY && !repository.includes('/'))
    repository = OFFICIAL_REPO_PREFIX + repository;

  const name = `${registry}/${repository}`;
  if (name.length > NAME_TOTAL_LENGTH_MAX) return `name is longer than ${NAME_TOTAL_LENGTH_MAX} characters`;
  const ref: ImageReference = { registry, repository, name };
  if (tag !== undefined) ref.tag = tag;
  if (digest !== undefined) ref.digest = digest;
  return ref;
}

function digestError(digest: string): string | undefined {
  const sep = digest.indexOf(':');
  if (sep <= 0) return `invalid digest "${digest}" (expected algorithm:hex)`;
  const algorithm = digest.slice(0, sep);
  const hex = digest.slice(sep + 1);
  if (!DIGEST_ALGORITHM_RE.test(algorithm)) return `invalid digest algorithm "${algorithm}"`;
  const known = KNOWN_DIGESTS[algorithm];
  if (known ? !known.test(hex) : !HEX_RE.test(hex)) return `invalid ${algorithm} digest`;
  return undefined;
}
