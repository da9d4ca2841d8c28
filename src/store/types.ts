import type { Severity } from '../core/severity.js';
import type { PackageType } from '../image/catalog/package.js';

/**
 * Where the store lives, parsed from the `openStore` URL: a SQLite file (a plain path or `sqlite:PATH`)
 * or a PostgreSQL server (`postgres://` / `postgresql://`).
 */
export type StoreLocation = { kind: 'sqlite'; path: string } | { kind: 'postgres'; url: string };

/** A repository inside a registry, e.g. `{ registry: 'ghcr.io', repository: 'acme/api' }`. */
export interface RepositoryRef {
  /** Registry host (with port when not the default), as the OCI client names it. */
  registry: string;
  repository: string;
}

/** A tag as listed by the registry, resolved to the manifest digest it points at. */
export interface TagDigest {
  tag: string;
  digest: string;
}

/** What one tag listing changed compared with the stored state of the repository. */
export interface TagChanges {
  /** Tags not known before (or known but marked removed, now back). */
  added: TagDigest[];
  /** Tags that now point at a different digest. */
  moved: Array<{ tag: string; from: string; to: string }>;
  /** Tags stored as present but absent from this (complete) listing; now marked removed. */
  removed: TagDigest[];
  /** Tags seen again with the same digest. */
  unchanged: number;
}

/** A stored tag row. */
export interface StoredTag {
  registry: string;
  repository: string;
  tag: string;
  digest: string;
  firstSeen: string;
  lastSeen: string;
  removed: boolean;
}

/** A stored repository row; `deletedAt` is set once the registry no longer lists it. */
export interface StoredRepository {
  registry: string;
  repository: string;
  firstSeen: string;
  lastSeen: string;
  deletedAt?: string;
}

/**
 * The part of a catalogued `Package` needed to match it again later (see src/image/catalog/package.ts);
 * file locations, licences and architecture are not kept.
 */
export interface StoredPackage {
  type: PackageType;
  name: string;
  version: string;
  ecosystem: string;
  purl: string;
  source?: { name: string; version: string };
  layerDigest?: string;
}

/** Operating system of an image (os-release ID and VERSION_ID). */
export interface StoredOs {
  name: string;
  version: string;
}

/** What `saveImage` records about an analysed image. */
export interface ImageInput {
  /** The repository the image was first seen in (an image may be tagged in several). */
  repo: RepositoryRef;
  os?: StoredOs;
  configDigest?: string;
  /** e.g. `linux/amd64`. */
  platform?: string;
  /** Layer digests, base first. */
  layers?: readonly string[];
  /** Packages of the inventory; extra `Package` fields (locations, licences) are dropped. */
  packages: readonly StoredPackage[];
  /** When the image was analysed; default now. */
  scannedAt?: Date;
}

/** A stored image with its inventory, as `loadInventories` yields it. */
export interface StoredInventory {
  digest: string;
  registry: string;
  repository: string;
  os?: StoredOs;
  configDigest?: string;
  platform?: string;
  layers: string[];
  packages: StoredPackage[];
  scannedAt: string;
}

/**
 * One vulnerability finding of an image. Its identity is (advisoryId, ecosystem, packageName,
 * packageVersion): findings are diffed on that key.
 */
export interface StoredFinding {
  advisoryId: string;
  packageName: string;
  packageVersion: string;
  ecosystem: string;
  purl: string;
  severity: Severity;
  /** Lowest fixed version above the installed one, when one is published. */
  fixedVersion?: string;
  /** Listed in CISA KEV (through one of the advisory's CVE aliases). */
  kev: boolean;
  /** EPSS probability 0..1 of the advisory's CVE, when known. */
  epss?: number;
  fixable: boolean;
  /** Advisory summary. */
  title?: string;
}

/** The vulnerability database a set of findings was computed against, recorded with every event. */
export interface VulnDbStamp {
  /** Newest OSV import time of the database (ISO 8601), or '' when it holds no OSV data. */
  importedAt: string;
  /** Free-form version label (e.g. source names and record counts); optional. */
  version?: string;
}

/**
 * `appeared`: a finding the image did not have before; `disappeared`: a finding no longer matched;
 * `fixed`: a finding that stays but whose advisory now names a fixed version (a fix became available).
 */
export type FindingEventKind = 'appeared' | 'disappeared' | 'fixed';

export interface FindingEvent {
  /** Increasing id: use the last one seen as a cursor (`events({ afterId })`). */
  id: number;
  at: string;
  imageDigest: string;
  advisoryId: string;
  packageName: string;
  packageVersion: string;
  ecosystem: string;
  kind: FindingEventKind;
  severity: Severity;
  dbImportedAt: string;
  dbVersion?: string;
}

/** The outcome of `replaceFindings` for one image. */
export interface FindingsDiff {
  appeared: StoredFinding[];
  disappeared: StoredFinding[];
  /** Findings present before and after that became fixable. */
  fixed: StoredFinding[];
}

export interface ReportFilter {
  registry?: string;
  repository?: string;
  /** Only findings at or above this severity. */
  minSeverity?: Severity;
  /** Only findings listed in KEV. */
  kev?: boolean;
  /** Only findings with a fixed version. */
  fixable?: boolean;
  /** At most this many images (default 100). */
  limit?: number;
}

/** One image in a report: where it lives, which tags point at it, and its findings (most severe first). */
export interface ImageReport {
  digest: string;
  registry: string;
  repository: string;
  /** Present (not removed) tags pointing at this digest, in any repository of the store. */
  tags: Array<{ registry: string; repository: string; tag: string }>;
  os?: StoredOs;
  scannedAt: string;
  /** Last time findings were written for the image (a scan or a re-match). */
  matchedAt?: string;
  findings: StoredFinding[];
}

export interface EventFilter {
  /** Events strictly after this id (cursor). */
  afterId?: number;
  /** Events at or after this time. */
  since?: Date;
  imageDigest?: string;
  /** At most this many events (default 1000), oldest first. */
  limit?: number;
}

export interface LoadOptions {
  /** Images per batch (default 200). */
  batchSize?: number;
  /** Only these digests. */
  digests?: readonly string[];
}

/**
 * The kubeward store: registries, repositories, tags, image inventories, their findings, finding events and
 * scan state. One schema over SQLite or PostgreSQL; every method is safe to call concurrently, and from
 * several processes sharing the same database.
 */
export interface Store {
  readonly location: StoreLocation;

  /**
   * Records a tag listing of a repository seen at `seenAt`: creates the registry and repository (and
   * clears a previous deletion), stores new tags, re-points moved ones, and — when `complete` (default
   * true: the listing is the repository's whole tag list) — marks tags missing from it removed.
   */
  upsertTags(
    repo: RepositoryRef,
    tags: readonly TagDigest[],
    seenAt?: Date,
    opts?: { complete?: boolean },
  ): Promise<TagChanges>;

  /** Marks a repository deleted at `at` and all its tags removed. Unknown repositories are ignored. */
  markRepositoryDeleted(repo: RepositoryRef, at?: Date): Promise<void>;

  /** Repositories of a registry (or of all registries), deleted ones included. */
  repositories(registry?: string): Promise<StoredRepository[]>;

  /** Tags of a repository; removed ones only when `includeRemoved`. */
  tags(repo: RepositoryRef, opts?: { includeRemoved?: boolean }): Promise<StoredTag[]>;

  /** Whether an image inventory is stored under this manifest digest. */
  hasImage(digest: string): Promise<boolean>;

  /** Of the given digests, those without a stored inventory (in input order, deduplicated). */
  missingImages(digests: readonly string[]): Promise<string[]>;

  /** Stores (or replaces) the inventory of an image, keyed by manifest digest. Findings are kept. */
  saveImage(digest: string, image: ImageInput): Promise<void>;

  /** One stored inventory, or undefined. */
  getImage(digest: string): Promise<StoredInventory | undefined>;

  /** Number of stored images. */
  imageCount(): Promise<number>;

  /** Every stored inventory (or the given digests), in digest order, `batchSize` at a time. */
  loadInventories(opts?: LoadOptions): AsyncIterable<StoredInventory[]>;

  /**
   * Replaces the findings of an image with `findings`, diffing on (advisory, ecosystem, package, version),
   * and records one event per appeared, disappeared and fixed finding — all in one transaction. The image
   * must be stored (`saveImage`) first.
   */
  replaceFindings(
    digest: string,
    findings: readonly StoredFinding[],
    db: VulnDbStamp,
    at?: Date,
  ): Promise<FindingsDiff>;

  /** `replaceFindings` for many images in one transaction (the re-match path). Results in input order. */
  replaceFindingsMany(
    items: ReadonlyArray<{ digest: string; findings: readonly StoredFinding[] }>,
    db: VulnDbStamp,
    at?: Date,
  ): Promise<FindingsDiff[]>;

  /** Current findings of an image, most severe first. */
  findings(digest: string): Promise<StoredFinding[]>;

  /** Images with at least one finding passing the filter, newest scan first. */
  report(filter?: ReportFilter): Promise<ImageReport[]>;

  /** Finding events, oldest first. */
  events(filter?: EventFilter): Promise<FindingEvent[]>;

  /** Scan state for resuming (e.g. `registry:ghcr.io:lastPass`, `vulndb:importedAt`). */
  getState(key: string): Promise<string | undefined>;
  setState(key: string, value: string): Promise<void>;

  /** Closes the connection (pool). */
  close(): Promise<void>;
}
