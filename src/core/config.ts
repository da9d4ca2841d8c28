import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { Ajv } from 'ajv';
import { UserError } from './errors.js';
import { CONFIG_SCHEMA, type KubewardConfig } from './config-schema.js';
import { parseYamlDocuments } from './yaml-source.js';

export type { KubewardConfig, SuppressionRule } from './config-schema.js';

export const CONFIG_FILE_NAME = '.kubeward.yaml';
const MAX_CONFIG_BYTES = 1024 * 1024;

export interface LoadedConfig {
  config: KubewardConfig;
  /** Absolute path of the file read, or undefined when defaults are used. */
  file?: string;
}

const ajv = new Ajv({ allErrors: false, strict: false });
const validate = ajv.compile<KubewardConfig>(CONFIG_SCHEMA);

/** Walks up from `start` looking for `.kubeward.yaml` (also `.kubeward.yml`). */
export function discoverConfig(start: string): string | undefined {
  let dir = resolve(start);
  for (;;) {
    for (const name of [CONFIG_FILE_NAME, '.kubeward.yml']) {
      const candidate = join(dir, name);
      if (existsSync(candidate) && statSync(candidate).isFile()) return candidate;
    }
    const parent = dirname(dir);
    if (parent === dir) return undefined;
    dir = parent;
  }
}

/** Loads the explicit `--config` file, or the discovered one, or defaults. */
export function loadConfig(opts: { explicit?: string; cwd: string }): LoadedConfig {
  const file = opts.explicit ? resolve(opts.cwd, opts.explicit) : discoverConfig(opts.cwd);
  if (!file) return { config: {} };
  if (!existsSync(file)) throw new UserError(`config file not found`, { file: opts.explicit ?? file });
  const st = statSync(file);
  if (!st.isFile()) throw new UserError('config path is not a file', { file });
  if (st.size > MAX_CONFIG_BYTES) throw new UserError('config file is larger than 1 MiB', { file });
  return { config: parseConfig(readFileSync(file, 'utf8'), file), file };
}

/** Parses and validates config text; schema errors name the line of the offending field. */
export function parseConfig(text: string, file: string): KubewardConfig {
  const docs = parseYamlDocuments(text, file);
  const doc = docs[0];
  if (!doc) return {};
  if (docs.length > 1)
    throw new UserError('config must be a single YAML document', { file, line: docs[1]?.line });
  if (!validate(doc.value)) {
    const err = validate.errors?.[0];
    const path = (err?.instancePath ?? '')
      .split('/')
      .slice(1)
      .map((s) => (/^\d+$/.test(s) ? Number(s) : s.replace(/~1/g, '/').replace(/~0/g, '~')));
    const extra =
      err?.keyword === 'additionalProperties'
        ? ` (unknown key "${String((err.params as { additionalProperty?: string }).additionalProperty)}")`
        : err?.keyword === 'required'
          ? ` (missing "${String((err.params as { missingProperty?: string }).missingProperty)}")`
          : '';
    const where = path.length ? path.join('.') : 'config';
    // An unknown key is reported at its own line, not at the parent that holds it.
    const unknown =
      err?.keyword === 'additionalProperties'
        ? (err.params as { additionalProperty?: string }).additionalProperty
        : undefined;
    throw new UserError(`invalid config: ${where} ${err?.message ?? 'is invalid'}${extra}`, {
      file,
      line: doc.lineOf(unknown === undefined ? path : [...path, unknown]),
    });
  }
  const config = doc.value;
  config.suppressions?.forEach((rule, i) => {
    rule.source = { file, line: doc.lineOf(['suppressions', i]) };
    // Date.parse rolls 2027-02-30 over to March; a real date formats back to itself.
    const parsed = Date.parse(`${rule.expires}T00:00:00Z`);
    if (Number.isNaN(parsed) || new Date(parsed).toISOString().slice(0, 10) !== rule.expires) {
      throw new UserError(`invalid config: suppressions.${i}.expires is not a real date`, {
        file,
        line: doc.lineOf(['suppressions', i, 'expires']),
      });
    }
  });
  // Registry entries remember their line so later checks (src/registry/config.ts) can name it.
  config.registries?.scan?.forEach((entry, i) => {
    entry.source = { file, line: doc.lineOf(['registries', 'scan', i]) };
  });
  return config;
}
