import { readFileSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { Ajv, type ErrorObject } from 'ajv';
import { UserError } from '../../core/errors.js';
import { parseYamlDocuments, type FieldPath } from '../../core/yaml-source.js';
import {
  MAX_PUBLIC_KEY_PEM_BYTES,
  parsePublicKey,
  PublicKeyError,
  type PublicKeyInfo,
} from '../../image/signature/public-key.js';
import {
  IMAGE_POLICY_KIND,
  IMAGE_POLICY_SCHEMA,
  type ImagePolicyDocument,
  type ImagePolicySpec,
} from './spec.js';

/** Where a policy document came from; `lineOf` (from the YAML parser) lets errors name the field's line. */
export interface ImagePolicySource {
  file: string;
  /** 1-based line of the document. */
  line?: number;
  lineOf?: (path: FieldPath) => number;
}

/** A validated policy with its signature keys read and parsed. */
export interface ImagePolicy {
  name: string;
  spec: ImagePolicySpec;
  publicKeys: PublicKeyInfo[];
  source?: { file: string; line?: number };
}

export interface ParseImagePolicyOptions {
  /** Directory relative key paths are resolved against when there is no source file (default: cwd). */
  baseDir?: string;
}

const ajv = new Ajv({ allErrors: false, strict: false });
const validate = ajv.compile<ImagePolicyDocument>(IMAGE_POLICY_SCHEMA);

/**
 * Validates an ImagePolicy object (already decoded from YAML/JSON) and resolves its public keys. Any
 * problem is a UserError naming `file:line` and the offending field.
 */
export function parseImagePolicy(
  obj: unknown,
  source?: ImagePolicySource,
  opts: ParseImagePolicyOptions = {},
): ImagePolicy {
  const where = (path: FieldPath): { file: string; line?: number } | undefined => {
    if (!source) return undefined;
    const line = source.lineOf ? source.lineOf(path) : source.line;
    return line === undefined ? { file: source.file } : { file: source.file, line };
  };
  if (!validate(obj)) {
    const err = validate.errors?.[0];
    const path = pathOf(err);
    const unknown =
      err?.keyword === 'additionalProperties'
        ? (err.params as { additionalProperty?: string }).additionalProperty
        : undefined;
    const fieldPath = unknown === undefined ? path : [...path, unknown];
    throw new UserError(
      `invalid ImagePolicy: ${fieldPath.length ? dotted(fieldPath) : 'document'} ${describe(err)}`,
      where(fieldPath),
    );
  }
  const doc = obj;
  const keys: PublicKeyInfo[] = [];
  const baseDir = source ? dirname(resolve(source.file)) : resolve(opts.baseDir ?? '.');
  doc.spec.signatures?.publicKeys.forEach((entry, i) => {
    const path: FieldPath = ['spec', 'signatures', 'publicKeys', i];
    const pem = entry.includes('-----BEGIN') ? entry : readKeyFile(resolve(baseDir, entry), path, where);
    try {
      keys.push(parsePublicKey(pem));
    } catch (e) {
      if (!(e instanceof PublicKeyError)) throw e;
      throw new UserError(`invalid ImagePolicy: ${dotted(path)}: ${e.message}`, where(path));
    }
  });
  const policy: ImagePolicy = { name: doc.metadata.name, spec: doc.spec, publicKeys: keys };
  if (source)
    policy.source =
      source.line === undefined ? { file: source.file } : { file: source.file, line: source.line };
  return policy;
}

/** Every ImagePolicy document in a YAML/JSON text (other kinds are ignored), parsed and validated. */
export function parseImagePolicyFile(text: string, file: string): ImagePolicy[] {
  const out: ImagePolicy[] = [];
  for (const doc of parseYamlDocuments(text, file)) {
    const v = doc.value;
    if (typeof v !== 'object' || v === null || (v as { kind?: unknown }).kind !== IMAGE_POLICY_KIND) continue;
    out.push(parseImagePolicy(v, { file, line: doc.line, lineOf: (p) => doc.lineOf(p) }));
  }
  return out;
}

function readKeyFile(
  path: string,
  field: FieldPath,
  where: (p: FieldPath) => { file: string; line?: number } | undefined,
): string {
  try {
    const st = statSync(path);
    if (!st.isFile()) throw new Error('not a regular file');
    if (st.size > MAX_PUBLIC_KEY_PEM_BYTES) throw new Error(`larger than ${MAX_PUBLIC_KEY_PEM_BYTES} bytes`);
    return readFileSync(path, 'utf8');
  } catch (e) {
    throw new UserError(
      `invalid ImagePolicy: ${dotted(field)}: cannot read public key file ${path}: ${(e as Error).message.split('\n')[0]}`,
      where(field),
    );
  }
}

function pathOf(err: ErrorObject | undefined): (string | number)[] {
  return (err?.instancePath ?? '')
    .split('/')
    .slice(1)
    .map((s) => (/^\d+$/.test(s) ? Number(s) : s.replace(/~1/g, '/').replace(/~0/g, '~')));
}

function describe(err: ErrorObject | undefined): string {
  if (!err) return 'is invalid';
  const p = err.params as {
    additionalProperty?: string;
    missingProperty?: string;
    allowedValues?: unknown[];
    allowedValue?: unknown;
  };
  switch (err.keyword) {
    case 'additionalProperties':
      return 'is not a known field';
    case 'required':
      return `is missing required field "${p.missingProperty ?? '?'}"`;
    case 'enum':
      return `must be one of ${(p.allowedValues ?? []).map((v) => JSON.stringify(v)).join(', ')}`;
    case 'const':
      return `must be ${JSON.stringify(p.allowedValue)}`;
    case 'oneOf':
      return 'must be a boolean or an object with allowTags';
    default:
      return err.message ?? 'is invalid';
  }
}

/** `spec.signatures.publicKeys[0]`: the field-path style violations and errors use. */
export function dotted(path: FieldPath): string {
  let out = '';
  for (const seg of path) out += typeof seg === 'number' ? `[${seg}]` : out ? `.${seg}` : seg;
  return out;
}
