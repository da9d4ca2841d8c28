/**
 * Shared pieces of VAP object parsing: the API constants, where an object came from, and `Reader`, which
 * reads untrusted fields and turns every problem into a `UserError` naming the object, field and line.
 */
import { UserError } from '../../core/errors.js';
import type { FieldPath } from '../../core/yaml-source.js';
import {
  compileLabelSelector,
  everythingSelector,
  LabelSelectorError,
  type Selector,
} from '../../k8s/label-selector.js';
import { CelCompileError, compileCel, type CelProgram } from '../cel/index.js';
import type { VapOrigin } from './types.js';

export const VAP_GROUP = 'admissionregistration.k8s.io';
/** Served versions we evaluate; v1alpha1 had different paramRef semantics and is refused. */
export const VAP_API_VERSIONS = [`${VAP_GROUP}/v1`, `${VAP_GROUP}/v1beta1`] as const;
export const POLICY_KIND = 'ValidatingAdmissionPolicy';
export const BINDING_KIND = 'ValidatingAdmissionPolicyBinding';

/** Upstream limits (validation.go): 64 match conditions; messages are one line. */
export const MAX_MATCH_CONDITIONS = 64;
/** Not upstream limits, but far above real policies; they bound the work a hostile file can cause. */
export const MAX_LIST = 1000;

/** Top-level identifiers of VAP expressions (`authorizer` is refused by the CEL engine itself). */
export const BASE_VARIABLES = ['object', 'oldObject', 'request', 'params', 'namespaceObject'] as const;
export const WITH_VARIABLES = [...BASE_VARIABLES, 'variables'] as const;

/** One object to parse plus where it came from; a decoded `Resource` (k8s/resource.ts) fits as is. */
export interface VapInput {
  object: unknown;
  file?: string;
  /** 1-based line where the object starts. */
  line?: number;
  /** 1-based line of a field path inside the object (or of its nearest existing parent). */
  lineOf?: (path: FieldPath) => number;
}

/** Reads one object, turning every problem into a UserError naming the object, field and line. */
export class Reader {
  constructor(
    readonly input: VapInput,
    readonly kind: string,
    public name: string,
  ) {}

  fail(path: FieldPath, message: string): never {
    const field = formatPath(path);
    throw new UserError(
      `${this.kind} "${this.name}": ${field ? `${field}: ` : ''}${message}`,
      where(this.input, path),
    );
  }

  obj(value: unknown, path: FieldPath, allowed: readonly string[]): Record<string, unknown> {
    if (!isRecord(value)) this.fail(path, 'must be an object');
    for (const k of Object.keys(value)) {
      if (!allowed.includes(k)) this.fail([...path, k], `unknown field "${clip(k)}"`);
    }
    return value;
  }

  optObj(value: unknown, path: FieldPath, allowed: readonly string[]): Record<string, unknown> | undefined {
    return value === undefined || value === null ? undefined : this.obj(value, path, allowed);
  }

  str(value: unknown, path: FieldPath, required: boolean): string | undefined {
    if (value === undefined || value === null || value === '') {
      if (required) this.fail(path, 'Required value');
      return undefined;
    }
    if (typeof value !== 'string') this.fail(path, 'must be a string');
    return value;
  }

  reqStr(value: unknown, path: FieldPath): string {
    return this.str(value, path, true) as string;
  }

  list(value: unknown, path: FieldPath): unknown[] {
    if (value === undefined || value === null) return [];
    if (!Array.isArray(value)) this.fail(path, 'must be a list');
    if (value.length > MAX_LIST) this.fail(path, `must have at most ${MAX_LIST} items`);
    return value;
  }

  strList(value: unknown, path: FieldPath): string[] {
    return this.list(value, path).map((v, i) => {
      if (typeof v !== 'string') this.fail([...path, i], 'must be a string');
      return v;
    });
  }

  oneOf<T extends string>(value: unknown, path: FieldPath, allowed: readonly T[], dflt?: T): T {
    if ((value === undefined || value === null) && dflt !== undefined) return dflt;
    if (typeof value !== 'string' || !allowed.includes(value as T)) {
      const shown =
        value === undefined || value === null
          ? 'Required value'
          : `Unsupported value: ${JSON.stringify(typeof value === 'string' ? clip(value) : value)}`;
      this.fail(path, `${shown}: supported values: ${allowed.map((a) => `"${a}"`).join(', ')}`);
    }
    return value as T;
  }

  selector(value: unknown, path: FieldPath): Selector {
    // Admission policies default an absent selector to `{}` (policy_matcher.go), which matches everything.
    if (value === undefined || value === null) return everythingSelector;
    try {
      return compileLabelSelector(value);
    } catch (e) {
      if (e instanceof LabelSelectorError) {
        const sub = e.field ? e.field.split('.').flatMap(splitIndex) : [];
        this.fail([...path, ...sub], e.field ? e.message.slice(e.field.length + 2) : e.message);
      }
      throw e;
    }
  }

  cel(expression: unknown, path: FieldPath, variables: readonly string[]): CelProgram {
    const text = this.reqStr(expression, path);
    try {
      return compileCel(text, { variables });
    } catch (e) {
      if (e instanceof CelCompileError) this.fail(path, `compilation failed: ${e.message}`);
      throw e;
    }
  }
}

function splitIndex(seg: string): (string | number)[] {
  // `matchExpressions[1]` → ['matchExpressions', 1]
  const out: (string | number)[] = [];
  const m = /^([^[]*)((?:\[\d+\])*)$/.exec(seg);
  if (!m) return [seg];
  if (m[1]) out.push(m[1]);
  for (const idx of (m[2] ?? '').matchAll(/\[(\d+)\]/g)) out.push(Number(idx[1]));
  return out;
}

export function header(input: VapInput, kind: string): { reader: Reader; spec: Record<string, unknown> } {
  const o = input.object as Record<string, unknown>;
  const reader: Reader = new Reader(input, kind, '<unnamed>');
  const apiVersion = o.apiVersion;
  if (typeof apiVersion !== 'string' || !(VAP_API_VERSIONS as readonly string[]).includes(apiVersion)) {
    reader.fail(
      ['apiVersion'],
      `unsupported apiVersion ${JSON.stringify(typeof apiVersion === 'string' ? clip(apiVersion) : (apiVersion ?? null))}; use ${VAP_API_VERSIONS.join(' or ')}`,
    );
  }
  const meta = isRecord(o.metadata) ? o.metadata : undefined;
  const name = meta?.name;
  if (typeof name !== 'string' || name === '') reader.fail(['metadata', 'name'], 'Required value');
  reader.name = clip(name);
  const nameProblem = dnsSubdomainProblem(name);
  if (nameProblem) reader.fail(['metadata', 'name'], nameProblem);
  if (!isRecord(o.spec)) reader.fail(['spec'], 'Required value');
  return { reader, spec: o.spec };
}

export function origin(input: VapInput): VapOrigin {
  const o: VapOrigin = {};
  if (input.file !== undefined) o.file = input.file;
  if (input.line !== undefined) o.line = input.line;
  return o;
}

export function where(input: VapInput, path: FieldPath): { file: string; line?: number } | undefined {
  if (input.file === undefined) return undefined;
  let line = input.line;
  if (input.lineOf) {
    try {
      line = input.lineOf(path);
    } catch {
      // a position is a nicety; a broken lineOf must not hide the real error
    }
  }
  return line === undefined ? { file: input.file } : { file: input.file, line };
}

/** `['spec','validations',0,'expression']` → `spec.validations[0].expression`. */
export function formatPath(path: FieldPath): string {
  let out = '';
  for (const seg of path) {
    if (typeof seg === 'number') out += `[${seg}]`;
    else out += out ? `.${seg}` : seg;
  }
  return out;
}

function dnsSubdomainProblem(name: string): string | undefined {
  if (name.length > 253) return `Invalid value: "${clip(name)}": must be no more than 253 characters`;
  if (!/^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/.test(name))
    return `Invalid value: "${clip(name)}": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character`;
  return undefined;
}

export function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export function clip(s: string): string {
  return s.length > 80 ? `${s.slice(0, 77)}...` : s;
}
