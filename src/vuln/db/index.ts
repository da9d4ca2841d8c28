export {
  openVulnDb,
  defaultCacheDir,
  VulnDb,
  SCHEMA_VERSION,
  DB_FILE_NAME,
  type VulnDbOptions,
} from './store.js';
export {
  importOsv,
  importOsvInto,
  type ImportOptions,
  type ImportResult,
  type ImportWarnings,
} from './import-osv.js';
export { importKev, importEpss, type FeedImportOptions, type FeedImportResult } from './feeds.js';
export {
  dbStatus,
  getAdvisory,
  advisoriesByAlias,
  lookupKev,
  lookupEpss,
  type DbStatus,
  type SourceStatus,
  type KevEntry,
  type EpssEntry,
} from './query.js';
export {
  downloadOsv,
  updateOsv,
  osvZipUrl,
  OSV_BASE_URL,
  type DownloadedZip,
  type DownloadOptions,
} from './download.js';
export {
  parseOsvRecord,
  type OsvRecord,
  type OsvAffected,
  type OsvRange,
  type OsvEvent,
  type OsvSeverity,
} from './osv.js';
export { ecosystemBase, normalizePackageName } from './ecosystem.js';
export { DEFAULT_ZIP_LIMITS, type ZipLimits } from './zip.js';
