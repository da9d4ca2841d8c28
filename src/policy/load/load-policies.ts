/**
 * Builds a PolicySet from policy files: a directory (walked like manifests) or files of YAML/JSON holding
 * ValidatingAdmissionPolicy(+Binding), ImagePolicy, PolicyException, and any other objects (VAP params).
 * Loading goes through k8s/load.ts and decode.ts, so a syntax error or a bad field is a UserError naming
 * `file:line` exactly as `scan manifests` reports it. The PSS family is always present (its level comes
 * from namespace labels and the `--pss` default), so a set built from no files still judges pods.
 */
import { UserError, type ScanWarning } from '../../core/errors.js';
import { loadManifests } from '../../k8s/load.js';
import type { KubeObject, Resource } from '../../k8s/resource.js';
import type { PssLevelVersion } from '../pss/index.js';
import {
  EXCEPTION_KIND,
  exceptionActive,
  parseException,
  type PolicyException,
} from '../engine/exceptions.js';
import { createPolicySet, MODE_ACTIONS, type ModeOverride, type PolicySet } from '../engine/policy-set.js';
import { createPssFamily } from '../engine/pss-family.js';
import type { PolicyFamily, PolicyMode } from '../engine/types.js';
import {
  createImagePolicyFamily,
  parseImagePolicy,
  IMAGE_POLICY_KIND,
  type ImagePolicy,
  type ImagePolicyDeps,
} from '../image/index.js';

export const VAP_KIND = 'ValidatingAdmissionPolicy';
export const VAP_BINDING_KIND = 'ValidatingAdmissionPolicyBinding';

/** Compiles VAP objects into a family; supplied by src/policy/vap (kept pluggable so tests can stub it). */
export type VapCompiler = (input: {
  policies: readonly Resource[];
  bindings: readonly Resource[];
  params: readonly KubeObject[];
}) => { family: PolicyFamily; enforcing: boolean; names: string[]; warnings?: ScanWarning[] };

export interface PolicySourceOptions {
  cwd: string;
  /** Default PSS level for namespaces whose labels are unknown or unset (`--pss`). */
  pss?: PssLevelVersion;
  /** Deny workloads whose pod template violates the enforce level (CI), instead of warning (upstream). */
  enforceWorkloads?: boolean;
  /** Per-policy mode overrides (config `policies.modes`), first match wins. */
  modes?: readonly ModeOverride[];
  /** Network and scan-result dependencies of image policies. */
  imageDeps?: ImagePolicyDeps;
  vap?: VapCompiler;
  /** Evaluation time, for reporting exceptions that already expired. Default now. */
  now?: Date;
  /** Objects from elsewhere (the cluster's VAP informers) loaded together with the files. */
  extraResources?: () => readonly Resource[];
}

export interface LoadedPolicies {
  set: PolicySet;
  warnings: ScanWarning[];
  /** Namespace objects found among the inputs (their labels decide PSS levels in CI). */
  namespaces: Map<string, Record<string, string>>;
  /** Objects that are neither policies nor exceptions (VAP params, Namespaces...). */
  others: Resource[];
  files: number;
}

function isApiGroup(o: KubeObject, group: string): boolean {
  return o.apiVersion.startsWith(`${group}/`);
}

/** Splits loaded resources into what each family needs. Shared by the file loader and the CLI's manifest inputs. */
export function buildPolicySet(
  resources: readonly Resource[],
  opts: PolicySourceOptions,
): Omit<LoadedPolicies, 'files'> {
  const warnings: ScanWarning[] = [];
  const exceptions: PolicyException[] = [];
  const images: ImagePolicy[] = [];
  const vapPolicies: Resource[] = [];
  const vapBindings: Resource[] = [];
  const others: Resource[] = [];
  const namespaces = new Map<string, Record<string, string>>();
  const seen = new Map<string, Resource>();
  for (const r of resources) {
    const o = r.object;
    const key = `${o.kind}/${o.metadata.name ?? ''}`;
    const dup = seen.get(key);
    if (
      dup &&
      (o.kind === EXCEPTION_KIND ||
        o.kind === IMAGE_POLICY_KIND ||
        o.kind === VAP_KIND ||
        o.kind === VAP_BINDING_KIND)
    )
      throw new UserError(
        `duplicate ${o.kind} "${o.metadata.name ?? ''}" (first defined at ${dup.file}:${dup.line})`,
        { file: r.file, line: r.line },
      );
    seen.set(key, r);
    if (o.kind === EXCEPTION_KIND && o.apiVersion.startsWith('kubeward.io/')) {
      exceptions.push(parseException(o, r.file, (p) => r.lineOf(p)));
    } else if (o.kind === IMAGE_POLICY_KIND && o.apiVersion.startsWith('kubeward.io/')) {
      images.push(parseImagePolicy(o, { file: r.file, line: r.line, lineOf: (p) => r.lineOf(p) }));
    } else if (o.kind === VAP_KIND && isApiGroup(o, 'admissionregistration.k8s.io')) {
      vapPolicies.push(r);
    } else if (o.kind === VAP_BINDING_KIND && isApiGroup(o, 'admissionregistration.k8s.io')) {
      vapBindings.push(r);
    } else {
      if (o.kind === 'Namespace' && o.apiVersion === 'v1' && o.metadata.name) {
        const labels = o.metadata.labels;
        namespaces.set(o.metadata.name, labels && typeof labels === 'object' ? { ...labels } : {});
      }
      others.push(r);
    }
  }
  const now = opts.now ?? new Date();
  for (const ex of exceptions) {
    if (!exceptionActive(ex, now))
      warnings.push({
        ...(ex.source ?? {}),
        message: `PolicyException "${ex.name}" expired on ${ex.expires} and no longer applies (${ex.reason})`,
      });
  }
  const modes = opts.modes ?? [];
  const modeOf = (policy: string, own: PolicyMode | undefined): PolicyMode | undefined =>
    modes.find((m) => m.matches(policy))?.mode ?? own;

  const pss = opts.pss ?? { level: 'privileged', version: 'latest' };
  const families: PolicyFamily[] = [
    createPssFamily({ defaultLevel: pss, enforceWorkloads: opts.enforceWorkloads === true }),
  ];
  const describe: string[] = [`pss (default ${pss.level}:${pss.version})`];
  let enforcing =
    pss.level !== 'privileged' && (modeOf(`pss:${pss.level}`, 'enforce') ?? 'enforce') === 'enforce';
  if (images.length) {
    families.push(createImagePolicyFamily(images, opts.imageDeps));
    for (const p of images) {
      describe.push(`image:${p.name}`);
      if (MODE_ACTIONS[modeOf(`image:${p.name}`, p.spec.mode) ?? 'enforce'] === 'Deny') enforcing = true;
    }
  }
  if (vapPolicies.length || vapBindings.length) {
    if (!opts.vap) {
      const first = vapPolicies[0] ?? vapBindings[0];
      throw new UserError(
        'ValidatingAdmissionPolicy support is not available in this build',
        first ? { file: first.file, line: first.line } : undefined,
      );
    }
    const vap = opts.vap({
      policies: vapPolicies,
      bindings: vapBindings,
      params: others.map((r) => r.object),
    });
    families.push(vap.family);
    describe.push(...vap.names);
    warnings.push(...(vap.warnings ?? []));
    // A mode override can turn a Deny binding into warn/audit (or the reverse) for install's failurePolicy.
    if (vap.names.some((n) => modeOf(n, vap.enforcing ? 'enforce' : 'warn') === 'enforce')) enforcing = true;
  }
  return {
    set: createPolicySet({ families, exceptions, modes, enforcing, describe }),
    warnings,
    namespaces,
    others,
  };
}

/** Loads policy files/directories (`--policies`) into a PolicySet. Bad input is a UserError naming `file:line`. */
export function loadPolicySet(inputs: readonly string[], opts: PolicySourceOptions): LoadedPolicies {
  const loaded = inputs.length
    ? loadManifests(inputs, { cwd: opts.cwd })
    : { resources: [], warnings: [], files: 0 };
  const built = buildPolicySet([...loaded.resources, ...(opts.extraResources?.() ?? [])], opts);
  return { ...built, warnings: [...loaded.warnings, ...built.warnings], files: loaded.files };
}
