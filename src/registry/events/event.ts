import type { Severity } from '../../core/severity.js';

/**
 * What continuous registry scanning tells the outside world. Every event is a plain JSON object with a
 * `type` and an ISO `at`; field names are a public contract (webhook consumers parse them): add, never rename.
 */
export type RegistryEvent =
  NewFindingEvent | FixedFindingEvent | TagMovedEvent | RepositoryDeletedEvent | ScanErrorEvent;

export type RegistryEventType = RegistryEvent['type'];

/** The image an event is about: where it lives and its manifest digest. */
export interface EventImage {
  registry: string;
  repository: string;
  digest: string;
  /** Tags pointing at the digest when the event was made (may be empty: pushed by digest, or untagged). */
  tags: string[];
}

/** The part of a vulnerability finding an event carries (enough to act on, small enough for a chat line). */
export interface EventFinding {
  id: string;
  severity: Severity;
  package: string;
  version: string;
  fixedVersion?: string;
  kev: boolean;
  title: string;
}

export interface NewFindingEvent {
  type: 'finding.new';
  at: string;
  image: EventImage;
  finding: EventFinding;
  /** Why this finding is worth an event: its severity is critical, and/or it is known exploited (CISA KEV). */
  reasons: Array<'critical' | 'kev' | 'severity'>;
  /** What surfaced it: a first scan of the image, or a re-match after a vulnerability database update. */
  cause: 'scan' | 'rematch';
}

export interface FixedFindingEvent {
  type: 'finding.fixed';
  at: string;
  image: EventImage;
  finding: EventFinding;
  cause: 'scan' | 'rematch';
}

export interface TagMovedEvent {
  type: 'tag.moved';
  at: string;
  registry: string;
  repository: string;
  tag: string;
  from: string;
  to: string;
}

export interface RepositoryDeletedEvent {
  type: 'repository.deleted';
  at: string;
  registry: string;
  repository: string;
}

export interface ScanErrorEvent {
  type: 'scan.error';
  at: string;
  registry: string;
  repository?: string;
  digest?: string;
  message: string;
  /** Consecutive failures of this registry/repository, and when it is tried again (ISO), when known. */
  attempt?: number;
  retryAt?: string;
}

/** One-line human description, shared by the Slack sink and logs. */
export function describeEvent(e: RegistryEvent): string {
  switch (e.type) {
    case 'finding.new':
      return `new ${e.finding.kev ? 'known-exploited ' : ''}${e.finding.severity} finding ${e.finding.id} in ${imageName(e.image)}: ${e.finding.package} ${e.finding.version}${e.finding.fixedVersion ? ` (fixed in ${e.finding.fixedVersion})` : ' (no fix yet)'}`;
    case 'finding.fixed':
      return `fixed: ${e.finding.id} (${e.finding.severity}) no longer affects ${imageName(e.image)}`;
    case 'tag.moved':
      return `tag moved: ${e.registry}/${e.repository}:${e.tag} ${short(e.from)} -> ${short(e.to)}`;
    case 'repository.deleted':
      return `repository deleted: ${e.registry}/${e.repository}`;
    case 'scan.error':
      return `scan error: ${e.registry}${e.repository ? `/${e.repository}` : ''}${e.digest ? `@${short(e.digest)}` : ''}: ${e.message}${e.retryAt ? ` (retry after ${e.retryAt})` : ''}`;
  }
}

export function imageName(i: EventImage): string {
  const tag = i.tags[0];
  return `${i.registry}/${i.repository}${tag ? `:${tag}` : ''}@${short(i.digest)}`;
}

function short(digest: string): string {
  return digest.slice(0, 19);
}
