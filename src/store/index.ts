// Public API of the kubeward store (issue 4, continuous registry scanning): where registry discovery keeps
// what it saw, and where stored inventories are re-matched when the vulnerability database changes.
//
//   const store = await openStore('postgres://kw@db/kubeward');        // or a path, or sqlite:PATH
//   const changes = await store.upsertTags({ registry, repository }, tags, new Date());
//   for (const digest of await store.missingImages(changes.added.map((t) => t.digest))) {
//     const inv = await takeInventory(...);
//     await store.saveImage(digest, { repo, packages: inv.packages, ... });
//     await store.replaceFindings(digest, matchInventory(inv.packages, vulnDb), vulnDbStamp(vulnDb));
//   }
//   await rematchAll(store, vulnDb);                                   // after `kubeward db update`
export { openStore, parseStoreUrl, defaultStorePath, STORE_FILE_NAME } from './open.js';
export {
  rematchAll,
  matchInventory,
  vulnDbStamp,
  InventoryMatcher,
  type RematchOptions,
  type RematchResult,
} from './rematch.js';
export type {
  Store,
  StoreLocation,
  RepositoryRef,
  TagDigest,
  TagChanges,
  StoredTag,
  StoredRepository,
  StoredPackage,
  StoredOs,
  ImageInput,
  StoredInventory,
  StoredFinding,
  VulnDbStamp,
  FindingEventKind,
  FindingEvent,
  FindingsDiff,
  ReportFilter,
  ImageReport,
  EventFilter,
  LoadOptions,
} from './types.js';
