export {
  Matcher,
  matcherFor,
  matchPackage,
  matchPackages,
  type PackageQuery,
  type VulnMatch,
  type PackageMatchResult,
  type MatchOptions,
  type ComparatorResolver,
} from './matcher.js';
export { evaluateRange, prepareRange, type PreparedRange, type RangeVerdict } from './evaluate.js';
export { semverComparator } from './semver.js';
