// Flags and config shared by `kubeward policy test` and `kubeward admission serve|install`: where the
// policies are, the default PSS level, and per-policy modes. Both front doors build the same PolicySet.
import { dirname, resolve } from 'node:path';
import type { LoadedConfig } from '../../core/config.js';
import { modeOverride, parsePssLevel, type ModeOverride } from '../../policy/engine/index.js';
import type { PssLevelVersion } from '../../policy/pss/index.js';
import type { PolicySourceOptions } from '../../policy/load/index.js';
import { vapCompiler } from './policy-vap.js';

export interface PolicyFlags {
  policies?: string[];
  pss?: string;
}

export interface ResolvedPolicyOptions {
  /** Absolute or cwd-relative policy inputs; empty when none were given. */
  inputs: string[];
  source: PolicySourceOptions;
}

export function resolvePolicyOptions(
  flags: PolicyFlags,
  loaded: LoadedConfig,
  cwd: string,
): ResolvedPolicyOptions {
  const cfg = loaded.config.policies ?? {};
  let pss: PssLevelVersion | undefined;
  if (flags.pss !== undefined) pss = parsePssLevel(flags.pss, '--pss');
  else if (cfg.pss !== undefined) pss = parsePssLevel(cfg.pss, `${loaded.file ?? 'config'}: policies.pss`);
  const modes: ModeOverride[] = Object.entries(cfg.modes ?? {}).map(([glob, mode]) =>
    modeOverride(glob, mode),
  );
  const base = loaded.file ? dirname(loaded.file) : cwd;
  const inputs = flags.policies?.length ? flags.policies : (cfg.paths ?? []).map((p) => resolve(base, p));
  const source: PolicySourceOptions = { cwd, modes, vap: vapCompiler() };
  if (pss) source.pss = pss;
  return { inputs, source };
}
