import type { Generated } from 'kysely';

// Row types of the store's tables as kysely sees them (one schema for SQLite and PostgreSQL). Times are
// ISO 8601 UTC strings, which sort correctly as text in both; booleans are 0/1 integers, because SQLite
// has no boolean type and one column type keeps the queries identical.

export interface RegistriesTable {
  name: string;
  first_seen: string;
}

export interface RepositoriesTable {
  registry: string;
  name: string;
  first_seen: string;
  last_seen: string;
  deleted_at: string | null;
}

export interface TagsTable {
  registry: string;
  repository: string;
  tag: string;
  digest: string;
  first_seen: string;
  last_seen: string;
  removed: number;
}

export interface ImagesTable {
  digest: string;
  registry: string;
  repository: string;
  os_name: string | null;
  os_version: string | null;
  config_digest: string | null;
  platform: string | null;
  /** JSON array of layer digests. */
  layers: string;
  package_count: number;
  /** gzip of the compact package JSON (see inventory-codec.ts). */
  packages: Buffer;
  scanned_at: string;
  matched_at: string | null;
  /**
   * sha1 of the image's current findings (see findingsHash in kysely-store.ts), null before the first
   * replaceFindings: a re-match that finds the same set compares this instead of reading the rows.
   */
  findings_hash: string | null;
}

export interface FindingsTable {
  image_digest: string;
  advisory_id: string;
  ecosystem: string;
  package_name: string;
  package_version: string;
  purl: string;
  severity: string;
  /** severityRank() of `severity`, so `minSeverity` is one comparison. */
  severity_rank: number;
  fixed_version: string | null;
  fixable: number;
  kev: number;
  epss: number | null;
  title: string | null;
}

export interface FindingEventsTable {
  /** Generated (SQLite INTEGER PRIMARY KEY / PostgreSQL serial); never written. */
  id: Generated<number>;
  at: string;
  image_digest: string;
  advisory_id: string;
  ecosystem: string;
  package_name: string;
  package_version: string;
  kind: string;
  severity: string;
  db_imported_at: string;
  db_version: string | null;
}

export interface ScanStateTable {
  key: string;
  value: string;
  updated_at: string;
}

export interface StoreSchema {
  registries: RegistriesTable;
  repositories: RepositoriesTable;
  tags: TagsTable;
  images: ImagesTable;
  findings: FindingsTable;
  finding_events: FindingEventsTable;
  scan_state: ScanStateTable;
}
