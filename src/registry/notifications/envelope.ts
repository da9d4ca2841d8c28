import { isDigest } from '../../image/registry/digest.js';
import { MANIFEST_ACCEPT } from '../../image/registry/media-types.js';

/** Media type of a CNCF distribution notification envelope (docs: distribution/docs/notifications.md). */
export const ENVELOPE_MEDIA_TYPE = 'application/vnd.docker.distribution.events.v1+json';
/** Events per envelope we look at; distribution batches a handful (its `threshold`), never thousands. */
export const MAX_EVENTS = 1000;

/** A manifest pushed to the registry: what the receiver asks the scanner to look at. */
export interface PushedManifest {
  repository: string;
  digest: string;
  tag?: string;
  /** `request.host` of the event: the registry host the pusher talked to, when given. */
  host?: string;
}

/** Repository names as the distribution spec allows them (lower-case path components, bounded length). */
const REPOSITORY_RE = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?:\/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*$/;
const TAG_RE = /^[\w][\w.-]{0,127}$/;
/** host[:port]; enough to compare with a configured registry, never used to build a URL by itself. */
const HOST_RE = /^[A-Za-z0-9.-]{1,253}(?::\d{1,5})?$|^\[[0-9A-Fa-f:.]{2,45}\](?::\d{1,5})?$/;

/**
 * Parses a notification envelope and keeps the manifest pushes: action `push` with a manifest media type,
 * a valid repository and digest. Blob pushes, pulls, deletes and malformed entries are ignored, never
 * trusted: everything here comes from the network.
 */
export function parseEnvelope(body: unknown): PushedManifest[] {
  if (typeof body !== 'object' || body === null || Array.isArray(body))
    throw new Error('envelope is not a JSON object');
  const events = (body as { events?: unknown }).events;
  if (!Array.isArray(events)) throw new Error('envelope has no events array');
  const out: PushedManifest[] = [];
  const seen = new Set<string>();
  for (const e of events.slice(0, MAX_EVENTS)) {
    if (!isRecord(e) || e.action !== 'push' || !isRecord(e.target)) continue;
    const t = e.target;
    if (typeof t.mediaType !== 'string' || !(MANIFEST_ACCEPT as readonly string[]).includes(t.mediaType))
      continue;
    if (typeof t.repository !== 'string' || t.repository.length > 255 || !REPOSITORY_RE.test(t.repository))
      continue;
    if (typeof t.digest !== 'string' || !isDigest(t.digest)) continue;
    const push: PushedManifest = { repository: t.repository, digest: t.digest };
    if (typeof t.tag === 'string' && TAG_RE.test(t.tag)) push.tag = t.tag;
    const host = isRecord(e.request) ? e.request.host : undefined;
    if (typeof host === 'string' && HOST_RE.test(host)) push.host = host.toLowerCase();
    const key = `${push.host ?? ''} ${push.repository} ${push.digest} ${push.tag ?? ''}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(push);
  }
  return out;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
