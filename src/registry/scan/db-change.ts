import { getAdvisory, lookupKev } from '../../vuln/db/query.js';
import type { VulnDb } from '../../vuln/db/store.js';
import {
  rematchAll,
  vulnDbStamp,
  type FindingEvent,
  type Store,
  type StoredFinding,
} from '../../store/index.js';
import type { EventImage, FixedFindingEvent, NewFindingEvent } from '../events/event.js';
import { findingEvents, type EventPolicy } from './event-policy.js';

/** The store's record of which database its findings were computed against (written by rematchAll). */
export const DB_STATE_KEY = 'vulndb:importedAt';

export interface DbChangeResult {
  /** Whether stored inventories were re-matched. */
  rematched: boolean;
  images: number;
  appeared: number;
  disappeared: number;
  ms: number;
  events: Array<NewFindingEvent | FixedFindingEvent>;
}

/**
 * When the vulnerability database changed since the store's findings were computed, re-matches every stored
 * inventory (no image is pulled: the store holds the packages) and turns the recorded finding events into
 * `finding.new` / `finding.fixed` events. The database file may have been replaced by another process
 * (`kubeward db update`), so the read connection is reopened first.
 */
export async function rematchIfDbChanged(
  store: Store,
  vulnDb: VulnDb,
  policy: EventPolicy,
  at: Date,
  signal?: AbortSignal,
): Promise<DbChangeResult> {
  vulnDb.close();
  const stamp = vulnDbStamp(vulnDb);
  const known = await store.getState(DB_STATE_KEY);
  const none: DbChangeResult = {
    rematched: false,
    images: 0,
    appeared: 0,
    disappeared: 0,
    ms: 0,
    events: [],
  };
  if (known === stamp.importedAt) return none;
  if (known === undefined && (await store.imageCount()) === 0) {
    // A new store: everything scanned from now on is matched against this database.
    await store.setState(DB_STATE_KEY, stamp.importedAt);
    return none;
  }
  const result = await rematchAll(store, vulnDb, { at, ...(signal ? { signal } : {}) });
  const changes = await eventsSince(store, at);
  return {
    rematched: true,
    images: result.images,
    appeared: result.appeared,
    disappeared: result.disappeared,
    ms: result.ms,
    events: await toRegistryEvents(store, vulnDb, changes, policy, at),
  };
}

/** Finding events recorded at or after `at` (the re-match stamps all of its events with `at`). */
async function eventsSince(store: Store, at: Date): Promise<FindingEvent[]> {
  const out: FindingEvent[] = [];
  let afterId: number | undefined;
  for (;;) {
    const page = await store.events({
      since: at,
      limit: 1000,
      ...(afterId !== undefined ? { afterId } : {}),
    });
    out.push(...page);
    if (page.length < 1000) return out;
    afterId = page[page.length - 1]?.id;
  }
}

/** Groups the store's finding events per image and rebuilds full findings for the event policy. */
async function toRegistryEvents(
  store: Store,
  vulnDb: VulnDb,
  changes: readonly FindingEvent[],
  policy: EventPolicy,
  at: Date,
): Promise<Array<NewFindingEvent | FixedFindingEvent>> {
  const byImage = new Map<string, FindingEvent[]>();
  for (const c of changes) {
    if (c.kind === 'fixed') continue;
    const list = byImage.get(c.imageDigest) ?? [];
    list.push(c);
    byImage.set(c.imageDigest, list);
  }
  const out: Array<NewFindingEvent | FixedFindingEvent> = [];
  for (const [digest, list] of byImage) {
    const image = await eventImage(store, digest);
    if (!image) continue;
    const current = new Map((await store.findings(digest)).map((f) => [findingKey(f), f]));
    const appeared: StoredFinding[] = [];
    const disappeared: StoredFinding[] = [];
    for (const c of list) {
      if (c.kind === 'appeared') {
        const f = current.get(findingKey(c));
        if (f) appeared.push(f);
      } else {
        disappeared.push(goneFinding(vulnDb, c));
      }
    }
    out.push(...findingEvents(image, { appeared, disappeared }, 'rematch', policy, at));
  }
  return out;
}

function findingKey(f: {
  advisoryId: string;
  ecosystem: string;
  packageName: string;
  packageVersion: string;
}): string {
  return `${f.advisoryId}\0${f.ecosystem}\0${f.packageName}\0${f.packageVersion}`;
}

/** A finding that is no longer stored, rebuilt from its event (KEV looked up through the advisory's CVEs). */
function goneFinding(vulnDb: VulnDb, c: FindingEvent): StoredFinding {
  const adv = getAdvisory(vulnDb, c.advisoryId);
  const cves = [c.advisoryId, ...(adv?.aliases ?? [])].filter((id) => id.startsWith('CVE-'));
  return {
    advisoryId: c.advisoryId,
    packageName: c.packageName,
    packageVersion: c.packageVersion,
    ecosystem: c.ecosystem,
    purl: '',
    severity: c.severity,
    kev: cves.length > 0 && lookupKev(vulnDb, cves).size > 0,
    fixable: true,
    ...(adv?.summary ? { title: adv.summary } : {}),
  };
}

/** Where a stored image lives and which present tags point at it. */
export async function eventImage(store: Store, digest: string): Promise<EventImage | undefined> {
  const img = await store.getImage(digest);
  if (!img) return undefined;
  const repo = { registry: img.registry, repository: img.repository };
  const tags = (await store.tags(repo)).filter((t) => t.digest === digest).map((t) => t.tag);
  return { ...repo, digest, tags };
}
