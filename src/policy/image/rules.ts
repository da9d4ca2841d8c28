/**
 * The checks of an image policy that need nothing but the reference itself: allowed registries, mutable
 * tags, digest pinning. Pure functions, so `kubeward policy test` and the webhook agree by construction.
 */
import picomatch from 'picomatch';
import {
  DEFAULT_REGISTRY,
  LEGACY_DEFAULT_REGISTRY,
  namePrefixes,
  type ImageReference,
} from '../../image/reference.js';

const GLOB_CHARS = /[*?[\]{}!()+@]/;

/**
 * Normalises an allow-list pattern the way references are normalised, so `nginx`, `docker.io/nginx` and
 * `index.docker.io/library/nginx` all mean `docker.io/library/nginx`, and `bitnami/*` means
 * `docker.io/bitnami/*`. A first component that is a glob, or looks like a host (has `.` or `:` or is
 * `localhost`), is a registry.
 */
export function normaliseRegistryPattern(pattern: string): string {
  const p = pattern.trim().replace(/\/+$/, '');
  const slash = p.indexOf('/');
  const first = slash === -1 ? p : p.slice(0, slash);
  const rest = slash === -1 ? '' : p.slice(slash + 1);
  const isHost =
    first.includes('.') || first.includes(':') || first === 'localhost' || GLOB_CHARS.test(first);
  if (slash === -1 && isHost) return first === LEGACY_DEFAULT_REGISTRY ? DEFAULT_REGISTRY : first;
  let registry = isHost ? first : DEFAULT_REGISTRY;
  let repository = isHost ? rest : p;
  if (registry === LEGACY_DEFAULT_REGISTRY) registry = DEFAULT_REGISTRY;
  if (
    registry === DEFAULT_REGISTRY &&
    repository !== '' &&
    !repository.includes('/') &&
    !GLOB_CHARS.test(repository)
  )
    repository = `library/${repository}`;
  return repository === '' ? registry : `${registry}/${repository}`;
}

/** A compiled allow-list: true when a pattern matches the registry, a component prefix, or the full name. */
export function compileRegistryAllowList(patterns: readonly string[]): (ref: ImageReference) => boolean {
  const cleaned = patterns.map(normaliseRegistryPattern).filter((p) => p !== '');
  if (cleaned.length === 0) return () => false;
  const isMatch = picomatch(cleaned, { dot: true });
  return (ref) => namePrefixes(ref).some((prefix) => isMatch(prefix));
}

/**
 * Mutable means "what runs can change without the manifest changing": any reference without a digest. A
 * missing tag is `latest`. Tags matching `allowTags` globs are accepted anyway (e.g. release tags your
 * registry makes immutable).
 */
export function compileMutableTagCheck(
  allowTags: readonly string[] = [],
): (ref: ImageReference) => string | undefined {
  const allowed = allowTags.length ? picomatch([...allowTags], { dot: true }) : () => false;
  return (ref) => {
    if (ref.digest !== undefined) return undefined;
    const tag = ref.tag ?? 'latest';
    if (allowed(tag)) return undefined;
    return ref.tag === undefined
      ? 'has no tag or digest, so it pulls the mutable tag "latest"'
      : `uses the mutable tag "${tag}" without a digest`;
  };
}
