/**
 * A PolicySet is everything the core needs to judge a request: compiled families, exceptions and per-policy
 * mode overrides. It is immutable once built; reloads build a new set and swap it in whole, so a request is
 * always judged by one consistent set.
 */
import picomatch from 'picomatch';
import type { PolicyException } from './exceptions.js';
import type { PolicyAction, PolicyFamily, PolicyMode } from './types.js';

export interface ModeOverride {
  /** Glob over policy names as written (`image:*`, `vap:require-labels/*`). */
  pattern: string;
  mode: PolicyMode;
  matches: (policy: string) => boolean;
}

export interface PolicySet {
  readonly families: readonly PolicyFamily[];
  readonly exceptions: readonly PolicyException[];
  /** First matching override wins. */
  readonly modes: readonly ModeOverride[];
  /** Whether any policy can deny (drives failurePolicy Fail vs Ignore in generated webhooks). */
  readonly enforcing: boolean;
  /** Human-readable names of what was loaded, for logs (`pss`, `vap:require-labels/b`, ...). */
  readonly describe: readonly string[];
}

export const MODE_ACTIONS: Readonly<Record<PolicyMode, PolicyAction>> = {
  enforce: 'Deny',
  warn: 'Warn',
  audit: 'Audit',
};

export function isPolicyMode(v: unknown): v is PolicyMode {
  return v === 'enforce' || v === 'warn' || v === 'audit';
}

export function modeOverride(pattern: string, mode: PolicyMode): ModeOverride {
  return { pattern, mode, matches: picomatch(pattern, { dot: true }) };
}

export function createPolicySet(parts: {
  families?: readonly PolicyFamily[];
  exceptions?: readonly PolicyException[];
  modes?: readonly ModeOverride[];
  enforcing?: boolean;
  describe?: readonly string[];
}): PolicySet {
  return Object.freeze({
    families: Object.freeze([...(parts.families ?? [])]),
    exceptions: Object.freeze([...(parts.exceptions ?? [])]),
    modes: Object.freeze([...(parts.modes ?? [])]),
    enforcing: parts.enforcing ?? true,
    describe: Object.freeze([...(parts.describe ?? [])]),
  });
}
