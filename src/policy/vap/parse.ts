/**
 * Load-time parsing and validation of ValidatingAdmissionPolicy and ValidatingAdmissionPolicyBinding
 * objects, following k8s.io/kubernetes pkg/apis/admissionregistration/validation. Every CEL expression is
 * compiled here, so a bad or unsupported expression is a `UserError` naming the object, the field, the
 * expression and (when the object came from a file) `file:line` — never a surprise at admission time.
 */
import type { KubeObject } from '../../admission/types.js';
import { UserError, type ScanWarning } from '../../core/errors.js';
import type { FieldPath } from '../../core/yaml-source.js';
import { labelKeyProblem } from '../../k8s/label-selector.js';
import { parseBinding } from './parse-binding.js';
import { parseMatchResources } from './parse-match.js';
import {
  BASE_VARIABLES,
  BINDING_KIND,
  clip,
  header,
  isRecord,
  MAX_MATCH_CONDITIONS,
  origin,
  POLICY_KIND,
  type Reader,
  type VapInput,
  where,
  WITH_VARIABLES,
} from './reader.js';
import type {
  CompiledAuditAnnotation,
  CompiledMatchCondition,
  CompiledValidation,
  CompiledVariable,
  ParamsProvider,
  VapBinding,
  VapPolicy,
} from './types.js';
import { variableRefs } from './variable-refs.js';

export { parseBinding } from './parse-binding.js';
export {
  BINDING_KIND,
  formatPath,
  POLICY_KIND,
  VAP_API_VERSIONS,
  VAP_GROUP,
  type VapInput,
} from './reader.js';
export { variableRefs } from './variable-refs.js';

export interface ParsedVapObjects {
  policies: VapPolicy[];
  bindings: VapBinding[];
  /** Every other object (candidate params, workloads...), in input order. */
  others: KubeObject[];
  /** Params looked up among `others`. */
  params: ParamsProvider;
  /** Problems that do not stop loading (a binding naming a policy that is not among the inputs). */
  warnings: ScanWarning[];
}

/**
 * Separates VAP policies, bindings and other objects, validating and compiling the first two. Throws
 * `UserError` on the first invalid policy or binding, and on duplicate names.
 */
export function parseVapObjects(inputs: readonly VapInput[]): ParsedVapObjects {
  const policies: VapPolicy[] = [];
  const bindings: VapBinding[] = [];
  const others: KubeObject[] = [];
  const warnings: ScanWarning[] = [];
  const policyNames = new Map<string, VapInput>();
  const bindingNames = new Map<string, VapInput>();
  for (const input of inputs) {
    const o = input.object;
    const kind = isRecord(o) ? o.kind : undefined;
    if (kind === POLICY_KIND || kind === BINDING_KIND) {
      const parsed = kind === POLICY_KIND ? parsePolicy(input) : parseBinding(input);
      const seen = kind === POLICY_KIND ? policyNames : bindingNames;
      const first = seen.get(parsed.name);
      if (first) {
        throw new UserError(
          `${kind} "${parsed.name}" is defined twice (first at ${first.file ?? '<input>'}:${first.line ?? 1})`,
          where(input, ['metadata', 'name']),
        );
      }
      seen.set(parsed.name, input);
      if (kind === POLICY_KIND) policies.push(parsed as VapPolicy);
      else bindings.push(parsed as VapBinding);
    } else if (isRecord(o)) {
      others.push(o as KubeObject);
    }
  }
  for (const b of bindings) {
    if (!policyNames.has(b.policyName)) {
      const input = bindingNames.get(b.name);
      const at = input ? where(input, ['spec', 'policyName']) : undefined;
      warnings.push({
        ...(at ? { file: at.file, line: at.line } : {}),
        message: `${BINDING_KIND} "${b.name}" references ValidatingAdmissionPolicy "${b.policyName}", which is not among the inputs; the binding is ignored`,
      });
    }
  }
  return { policies, bindings, others, params: paramsFromObjects(others), warnings };
}

/**
 * A ParamsProvider over a fixed set of objects (CI inputs). An object without `metadata.namespace` is
 * offered for every namespace: in manifests a namespaced param often omits it (applied to the current
 * namespace), and a cluster-scoped one never has it — without the API's discovery data the two cannot be
 * told apart.
 */
export function paramsFromObjects(objects: readonly KubeObject[]): ParamsProvider {
  return (apiVersion, kind, namespace) =>
    objects.filter((o) => {
      if (o.apiVersion !== apiVersion || o.kind !== kind) return false;
      const ns = o.metadata?.namespace;
      return ns === undefined || ns === '' || ns === namespace;
    });
}

const POLICY_SPEC_FIELDS = [
  'paramKind',
  'matchConstraints',
  'validations',
  'failurePolicy',
  'auditAnnotations',
  'matchConditions',
  'variables',
] as const;

export function parsePolicy(input: VapInput): VapPolicy {
  const { reader: r, spec: rawSpec } = header(input, POLICY_KIND);
  const spec = r.obj(rawSpec, ['spec'], POLICY_SPEC_FIELDS);
  const apiVersion = (input.object as KubeObject).apiVersion as string;

  const failurePolicy = r.oneOf(
    spec.failurePolicy,
    ['spec', 'failurePolicy'],
    ['Fail', 'Ignore'] as const,
    'Fail',
  );

  let paramKind: VapPolicy['paramKind'];
  const pk = r.optObj(spec.paramKind, ['spec', 'paramKind'], ['apiVersion', 'kind']);
  if (pk) {
    paramKind = {
      apiVersion: r.reqStr(pk.apiVersion, ['spec', 'paramKind', 'apiVersion']),
      kind: r.reqStr(pk.kind, ['spec', 'paramKind', 'kind']),
    };
  }

  if (spec.matchConstraints === undefined || spec.matchConstraints === null)
    r.fail(['spec', 'matchConstraints'], 'Required value');
  const matchConstraints = parseMatchResources(r, spec.matchConstraints, ['spec', 'matchConstraints'], true);

  const matchConditions = parseMatchConditions(r, spec.matchConditions);
  const variables = parseVariables(r, spec.variables);
  const variableNames = variables.map((v) => v.name);

  const validations: CompiledValidation[] = r.list(spec.validations, ['spec', 'validations']).map((v, i) => {
    const path = ['spec', 'validations', i];
    const o = r.obj(v, path, ['expression', 'message', 'reason', 'messageExpression']);
    const program = r.cel(o.expression, [...path, 'expression'], WITH_VARIABLES);
    checkVariableRefs(r, program.expression, [...path, 'expression'], variableNames);
    const out: CompiledValidation = { index: i, expression: program.expression, program };
    const message = r.str(o.message, [...path, 'message'], false);
    if (message !== undefined) {
      if (/[\r\n]/.test(message)) r.fail([...path, 'message'], 'must not contain line breaks');
      out.message = message;
    }
    if (o.messageExpression !== undefined && o.messageExpression !== null) {
      out.messageProgram = r.cel(o.messageExpression, [...path, 'messageExpression'], WITH_VARIABLES);
      checkVariableRefs(r, out.messageProgram.expression, [...path, 'messageExpression'], variableNames);
    }
    if (o.reason !== undefined && o.reason !== null) {
      out.reason = r.oneOf(o.reason, [...path, 'reason'], [
        'Unauthorized',
        'Forbidden',
        'Invalid',
        'RequestEntityTooLarge',
      ] as const);
    }
    return out;
  });

  const keys = new Set<string>();
  const auditAnnotations: CompiledAuditAnnotation[] = r
    .list(spec.auditAnnotations, ['spec', 'auditAnnotations'])
    .map((a, i) => {
      const path = ['spec', 'auditAnnotations', i];
      const o = r.obj(a, path, ['key', 'valueExpression']);
      const key = r.reqStr(o.key, [...path, 'key']);
      // The published annotation is `<policy name>/<key>`, which must be a valid qualified name.
      const problem = labelKeyProblem(`${r.name}/${key}`);
      if (problem) r.fail([...path, 'key'], problem.replace('label key', 'audit annotation key'));
      if (keys.has(key)) r.fail([...path, 'key'], `Duplicate value: "${key}"`);
      keys.add(key);
      const program = r.cel(o.valueExpression, [...path, 'valueExpression'], WITH_VARIABLES);
      checkVariableRefs(r, program.expression, [...path, 'valueExpression'], variableNames);
      return { key, valueExpression: program.expression, program };
    });

  if (validations.length === 0 && auditAnnotations.length === 0) {
    r.fail(
      ['spec', 'validations'],
      'Required value: validations or auditAnnotations must contain at least one item',
    );
  }

  const policy: VapPolicy = {
    name: r.name,
    apiVersion,
    failurePolicy,
    matchConstraints,
    matchConditions,
    variables,
    validations,
    auditAnnotations,
    origin: origin(input),
  };
  if (paramKind) policy.paramKind = paramKind;
  return policy;
}

function parseMatchConditions(r: Reader, value: unknown): CompiledMatchCondition[] {
  const path = ['spec', 'matchConditions'];
  const list = r.list(value, path);
  if (list.length > MAX_MATCH_CONDITIONS)
    r.fail(path, `Too many: ${list.length}: must have at most ${MAX_MATCH_CONDITIONS} items`);
  const names = new Set<string>();
  return list.map((c, i) => {
    const o = r.obj(c, [...path, i], ['name', 'expression']);
    const name = r.reqStr(o.name, [...path, i, 'name']);
    const problem = labelKeyProblem(name);
    if (problem) r.fail([...path, i, 'name'], problem.replace('label key', 'name'));
    if (names.has(name)) r.fail([...path, i, 'name'], `Duplicate value: "${name}"`);
    names.add(name);
    // Match conditions run before the rest of the policy: no `variables` (API reference, Variable).
    return { name, program: r.cel(o.expression, [...path, i, 'expression'], BASE_VARIABLES) };
  });
}

const CEL_IDENTIFIER = /^[_a-zA-Z][_a-zA-Z0-9]*$/;
const CEL_RESERVED = new Set([
  'true',
  'false',
  'null',
  'in',
  'as',
  'break',
  'const',
  'continue',
  'else',
  'for',
  'function',
  'if',
  'import',
  'let',
  'loop',
  'package',
  'namespace',
  'return',
  'var',
  'void',
  'while',
]);

function parseVariables(r: Reader, value: unknown): CompiledVariable[] {
  const path = ['spec', 'variables'];
  const out: CompiledVariable[] = [];
  r.list(value, path).forEach((v, i) => {
    const o = r.obj(v, [...path, i], ['name', 'expression']);
    const name = r.reqStr(o.name, [...path, i, 'name']);
    if (!CEL_IDENTIFIER.test(name) || CEL_RESERVED.has(name))
      r.fail([...path, i, 'name'], `Invalid value: "${clip(name)}": name is not a valid CEL identifier`);
    if (out.some((x) => x.name === name)) r.fail([...path, i, 'name'], `Duplicate value: "${name}"`);
    const program = r.cel(o.expression, [...path, i, 'expression'], WITH_VARIABLES);
    // A variable may only use the ones defined before it: this also rules out cycles.
    checkVariableRefs(
      r,
      program.expression,
      [...path, i, 'expression'],
      out.map((x) => x.name),
    );
    out.push({ name, program });
  });
  return out;
}

/**
 * `variables.x` references must name a known variable. The CEL engine sees `variables` as dynamic, so an
 * unknown name would only fail at admission time; upstream's type checker rejects it at load time.
 * String literals are skipped so that `'variables.x'` in a message is not taken for a reference.
 */
function checkVariableRefs(r: Reader, expression: string, path: FieldPath, known: readonly string[]): void {
  for (const ref of variableRefs(expression)) {
    if (!known.includes(ref)) {
      r.fail(
        path,
        `compilation failed: undefined variable "variables.${clip(ref)}"${known.length ? ` (defined before this expression: ${known.join(', ')})` : ''}`,
      );
    }
  }
}
