import { isRecord } from '../../k8s/resource.js';
import { containerLabel } from '../../k8s/pod-spec.js';
import type { FrameworkMapping } from '../../core/finding.js';
import type { Hit, PodCheck, ResourceCheck } from '../check.js';
import { cis, mitre, nsa } from './frameworks.js';

/**
 * Credentials in manifests: literal secrets in env values and ConfigMaps, Secrets consumed as environment
 * variables, and Secret objects committed with their data. Messages never contain a secret value.
 */

// ---------------------------------------------------------------------------------------------------------
// Detection (exported for tests and for reuse by other scanners)

interface ValueDetector {
  /** What was found, phrased to follow "looks like". */
  what: string;
  test: (value: string) => boolean;
}

const regexDetector = (what: string, re: RegExp): ValueDetector => ({ what, test: (v) => re.test(v) });

/**
 * `scheme://user:password@` (user may be empty, as in redis://:pw@host); placeholders are not credentials.
 * Matched from each "://" with a sticky regex, so long values cannot make the search quadratic.
 */
const URL_USERINFO = /[^\s:@/]*:(?![$<{%*])[^\s@/]+@/y;
const SCHEME_CHAR = /[A-Za-z0-9+.-]/;

function hasUrlPassword(v: string): boolean {
  for (let i = v.indexOf('://'); i !== -1; i = v.indexOf('://', i + 3)) {
    if (i === 0 || !SCHEME_CHAR.test(v.charAt(i - 1))) continue;
    URL_USERINFO.lastIndex = i + 3;
    if (URL_USERINFO.test(v)) return true;
  }
  return false;
}

/** Well-known credential formats, recognised whatever the variable or key is called. */
const VALUE_DETECTORS: readonly ValueDetector[] = [
  // AWS's documentation example keys end in EXAMPLE; they are not credentials.
  regexDetector(
    'an AWS access key ID',
    /(?<![A-Z0-9])(?:AKIA|ASIA)(?![A-Z0-9]{9}EXAMPLE)[A-Z0-9]{16}(?![A-Z0-9])/,
  ),
  regexDetector(
    'a GitHub token',
    /(?<![A-Za-z0-9_])(?:gh[pousr]_[A-Za-z0-9]{36,}|github_pat_[A-Za-z0-9_]{22,})/,
  ),
  regexDetector('a Slack token', /(?<![A-Za-z0-9])xox[baprs]-[A-Za-z0-9][A-Za-z0-9-]{8,}/),
  regexDetector('a private key', /-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?-----/),
  regexDetector(
    'a JSON Web Token',
    /(?<![A-Za-z0-9_-])eyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{10,}/,
  ),
  regexDetector('a Google API key', /(?<![A-Za-z0-9_-])AIza[0-9A-Za-z_-]{35}(?![0-9A-Za-z_-])/),
  regexDetector('a Stripe live key', /(?<![A-Za-z0-9])[sr]k_live_[0-9A-Za-z]{20,}/),
  { what: 'a URL with a password', test: hasUrlPassword },
];
/** Cheap pre-filter: a value none of the detectors could match is skipped after one scan. */
const DETECTOR_TRIGGER = /AKIA|ASIA|gh[pousr]_|github_pat_|xox[baprs]-|PRIVATE KEY|eyJ|AIza|k_live_|:\/\//;
const SHORTEST_DETECTABLE = 8;

/** Which well-known credential format `value` contains ("a GitHub token"), or undefined. */
export function detectCredential(value: string): string | undefined {
  if (value.length < SHORTEST_DETECTABLE || !DETECTOR_TRIGGER.test(value)) return undefined;
  for (const d of VALUE_DETECTORS) if (d.test(value)) return d.what;
  return undefined;
}

const NAME_TRIGGER = /pass|pwd|secret|token|key|cred/i;
/** Words that make a name secret-like on their own (after splitting on _ - . and camelCase). */
const SECRET_WORDS = new Set([
  'PASSWORD',
  'PASSWORDS',
  'PASSWD',
  'PASS',
  'PWD',
  'PASSPHRASE',
  'SECRET',
  'SECRETS',
  'TOKEN',
  'TOKENS',
  'CREDENTIAL',
  'CREDENTIALS',
  'CREDS',
  'APIKEY',
  'PRIVATEKEY',
  'ACCESSKEY',
  'SECRETKEY',
]);
/** Run-together names: DBPASSWORD, GITHUBTOKEN, CLIENTSECRET. */
const GLUED_SECRET_WORD = /(?:PASSWORD|PASSWD|SECRET|TOKEN|APIKEY|PASSPHRASE)$/;
/** Words that make a following KEY a secret: API_KEY, PRIVATE_KEY, ACCESS_KEY, SIGNING_KEY... */
const KEY_QUALIFIERS = new Set(['API', 'PRIVATE', 'ACCESS', 'SECRET', 'SIGNING', 'ENCRYPTION', 'MASTER']);
/** A last word that says the value is about a secret, not the secret: DB_PASSWORD_FILE, TOKEN_TTL. */
const NOT_SECRET_LAST_WORDS = new Set([
  'FILE', 'FILES', 'PATH', 'DIR', 'DIRECTORY', 'MOUNT', 'LOCATION', 'NAME', 'NAMES', 'ID', 'ARN', 'REF',
  'URL', 'URI', 'ENDPOINT', 'HOST', 'HOSTNAME', 'PORT', 'ISSUER', 'AUDIENCE', 'SCOPE', 'SCOPES', 'PROVIDER',
  'SOURCE', 'STORE', 'BACKEND', 'PARAM', 'PARAMETER', 'TTL', 'TIMEOUT', 'EXPIRY', 'EXPIRATION',
  'EXPIRES', 'LIFETIME', 'DURATION', 'INTERVAL', 'ROTATION', 'SECONDS', 'MINUTES', 'HOURS', 'DAYS', 'MS',
  'LENGTH', 'LEN', 'SIZE', 'COUNT', 'MAX', 'MIN', 'LIMIT', 'RETRIES', 'THRESHOLD', 'LEEWAY', 'SKEW', 'TYPE',
  'KIND', 'MODE', 'FORMAT', 'ALGORITHM', 'ALG', 'VERSION', 'POLICY', 'HEADER', 'FIELD', 'PREFIX', 'SUFFIX',
  'ENABLED', 'ENABLE', 'DISABLED', 'DISABLE', 'REQUIRED', 'REGION', 'USER', 'USERNAME', 'LOGIN',
  'NAMESPACE', 'LABEL', 'SELECTOR', 'CERT', 'CRT', 'CERTIFICATE', 'JSON', 'YAML', 'YML', 'XML', 'TOML',
  'INI', 'CONF', 'CFG', 'PROPERTIES', 'TPL', 'TMPL', 'SH',
]); // prettier-ignore

/** True when a variable or key name suggests it holds a secret (DB_PASSWORD, apiKey, client.secret). */
export function secretLikeName(name: string): boolean {
  if (!NAME_TRIGGER.test(name)) return false;
  const words = name
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .toUpperCase()
    .split(/[^A-Z0-9]+/);
  let last = words.length - 1;
  while (last >= 0 && words[last] === '') last--;
  if (last < 0 || NOT_SECRET_LAST_WORDS.has(words[last] ?? '')) return false;
  // $PWD is the working directory.
  if (last === 0 && (words[0] === 'PWD' || words[0] === 'OLDPWD')) return false;
  for (let i = 0; i <= last; i++) {
    const w = words[i] ?? '';
    if (SECRET_WORDS.has(w) || GLUED_SECRET_WORD.test(w)) return true;
    if (w === 'KEY' && i > 0 && KEY_QUALIFIERS.has(words[i - 1] ?? '')) return true;
  }
  return false;
}

/** Template placeholders and references to other variables: $(VAR), ${VAR}, {{ .Values.x }}, <changeme>. */
const PLACEHOLDER = /^(?:\$\(.*\)|\$\{.*\}|\{\{.*\}\}|<.*>)$/s;

/**
 * Values that are not a literal secret even under a secret-like name: flags, placeholders, masks (*** or
 * xxx), python-style format strings, absolute file paths and URLs without credentials.
 */
const NOT_A_SECRET_VALUE =
  /^(?:true|false|yes|no|on|off|y|n|enabled|disabled|none|null|nil|~|-|\*+|x+|%\(?[\w.]*\)?s|\/.*|[A-Za-z][A-Za-z0-9+.-]*:\/\/[^@\s]*)$/is;

/** True when a value under a secret-like name is a literal that should not be in a manifest. */
export function literalSecretValue(value: string): boolean {
  const v = value.trim();
  return v !== '' && !PLACEHOLDER.test(v) && !NOT_A_SECRET_VALUE.test(v);
}

/** `name = value` / `name: value` lines in embedded config files (.env, .properties, YAML, JSON, TOML, INI). */
const ASSIGNMENT =
  /^[ \t]*(?:-[ \t]+)?(?:export[ \t]+)?["']?([A-Za-z_][\w.-]*)["']?[ \t]*[:=][ \t]*["']?([^\s"'#,;]+)/gm;
/** YAML/JSON structure after a key (block scalar, anchor, alias, tag, object, list): not a value. */
const STRUCTURE_START = /^[|>&*!{[]/;

/** The first secret-like name assigned a literal value inside an embedded config file, or undefined. */
export function secretAssignment(text: string): string | undefined {
  if (!NAME_TRIGGER.test(text)) return undefined;
  let found: string | undefined;
  ASSIGNMENT.lastIndex = 0;
  for (let m = ASSIGNMENT.exec(text); m; m = ASSIGNMENT.exec(text)) {
    const [, name = '', value = ''] = m;
    if (secretLikeName(name) && !STRUCTURE_START.test(value) && literalSecretValue(value)) {
      found = name;
      break;
    }
  }
  ASSIGNMENT.lastIndex = 0;
  return found;
}

/** Why an env value or ConfigMap entry named `name` is a credential, or undefined. */
function credentialIn(name: string, value: string): string | undefined {
  const found = detectCredential(value);
  if (found) return `holds what looks like ${found}`;
  if (secretLikeName(name) && literalSecretValue(value))
    return 'has a literal value and its name suggests a secret';
  return undefined;
}

function str(v: unknown): string {
  return typeof v === 'string' ? v : '?';
}

const SECRET_FRAMEWORKS: FrameworkMapping[] = [
  nsa('secrets', 'Secrets: keep sensitive data in Secrets, encrypted at rest, not in manifests'),
  mitre('T1552', 'Unsecured Credentials'),
  mitre('T1552.007', 'Unsecured Credentials: Container API'),
];

// ---------------------------------------------------------------------------------------------------------
// Checks

export const envLiteralSecret: PodCheck = {
  id: 'KW-SEC-001',
  category: 'manifest',
  scope: 'pod',
  title: 'Credential in a literal environment variable',
  severity: 'high',
  description:
    'An env[].value is plain text in the manifest: it is committed to version control, shown by ' +
    '`kubectl get/describe` to anyone who can read pods, kept in etcd unencrypted and copied into every ' +
    'ReplicaSet. Detected by the variable name (PASSWORD, SECRET, TOKEN, API_KEY, ...) and by well-known ' +
    'credential formats (AWS, GitHub, Slack, Google, Stripe keys, private keys, JWTs, URLs with passwords).',
  remediation:
    'Move the value into a Secret (or an external secret store) and mount it as a file, or reference it with ' +
    'env[].valueFrom.secretKeyRef. Rotate the credential: it has been exposed.',
  frameworks: [...SECRET_FRAMEWORKS, mitre('T1552.001', 'Unsecured Credentials: Credentials In Files')],
  check(pod) {
    let hits: Hit[] | undefined;
    for (const c of pod.containers) {
      const env = c.container.env;
      if (!Array.isArray(env)) continue;
      for (let i = 0; i < env.length; i++) {
        const e: unknown = env[i];
        if (!isRecord(e) || typeof e.value !== 'string' || e.value === '') continue;
        const name = typeof e.name === 'string' ? e.name : `#${i}`;
        const why = credentialIn(name, e.value);
        if (!why) continue;
        (hits ??= []).push({
          message: `${containerLabel(c)} env var "${name}" ${why} (value not shown)`,
          path: [...c.path, 'env', i, 'value'],
        });
      }
    }
    return hits ?? [];
  },
};

export const configMapCredential: ResourceCheck = {
  id: 'KW-SEC-002',
  category: 'manifest',
  scope: 'resource',
  kinds: ['ConfigMap'],
  title: 'Credential in ConfigMap data',
  severity: 'high',
  description:
    'ConfigMaps are not meant for secrets: they are readable by anyone with ConfigMap read access, are not ' +
    'encrypted at rest, and their manifests are committed in plain text. Detected by key name (password, ' +
    'token, api_key, ...), by secret-like settings inside embedded config files, and by well-known ' +
    'credential formats.',
  remediation:
    'Move the value into a Secret (or an external secret store) and mount it as a file; keep only ' +
    'non-sensitive settings in the ConfigMap. Rotate the credential: it has been exposed.',
  frameworks: [...SECRET_FRAMEWORKS, mitre('T1552.001', 'Unsecured Credentials: Credentials In Files')],
  check(res) {
    const data = res.object.data;
    if (!isRecord(data)) return [];
    let hits: Hit[] | undefined;
    for (const key of Object.keys(data)) {
      const value = data[key];
      if (typeof value !== 'string' || value === '') continue;
      let why = credentialIn(key, value);
      if (!why) {
        const setting = secretAssignment(value);
        if (setting) why = `sets "${setting}" to a literal value`;
      }
      if (!why) continue;
      (hits ??= []).push({ message: `ConfigMap key "${key}" ${why} (value not shown)`, path: ['data', key] });
    }
    return hits ?? [];
  },
};

export const secretAsEnv: PodCheck = {
  id: 'KW-SEC-003',
  category: 'manifest',
  scope: 'pod',
  title: 'Secret exposed as an environment variable',
  severity: 'low',
  description:
    'Environment variables leak: they are inherited by every child process, printed by crash handlers and ' +
    'debug endpoints, and readable in /proc/<pid>/environ. Secrets mounted as files can be read only where ' +
    'needed, and they pick up rotations without a restart.',
  remediation:
    'Mount the Secret as a volume (volumes[].secret with volumeMounts[].readOnly: true) and have the ' +
    'application read the file, instead of env[].valueFrom.secretKeyRef or envFrom[].secretRef.',
  frameworks: [
    cis('5.4.1', 'Prefer using Secrets as files over Secrets as environment variables'),
    ...SECRET_FRAMEWORKS,
  ],
  check(pod) {
    let hits: Hit[] | undefined;
    for (const c of pod.containers) {
      const who = containerLabel(c);
      const env = c.container.env;
      if (Array.isArray(env)) {
        for (let i = 0; i < env.length; i++) {
          const e: unknown = env[i];
          if (!isRecord(e) || !isRecord(e.valueFrom) || !isRecord(e.valueFrom.secretKeyRef)) continue;
          const ref = e.valueFrom.secretKeyRef;
          (hits ??= []).push({
            message: `${who} reads key "${str(ref.key)}" of Secret "${str(ref.name)}" into env var "${str(e.name)}"`,
            path: [...c.path, 'env', i, 'valueFrom', 'secretKeyRef'],
          });
        }
      }
      const envFrom = c.container.envFrom;
      if (Array.isArray(envFrom)) {
        for (let i = 0; i < envFrom.length; i++) {
          const e: unknown = envFrom[i];
          if (!isRecord(e) || !isRecord(e.secretRef)) continue;
          (hits ??= []).push({
            message: `${who} imports every key of Secret "${str(e.secretRef.name)}" as environment variables`,
            path: [...c.path, 'envFrom', i, 'secretRef'],
          });
        }
      }
    }
    return hits ?? [];
  },
};

/** SOPS-encrypted values (ENC[AES256_GCM,data:...]) are safe to commit. */
const SOPS_VALUE = /^ENC\[[A-Z0-9_]+,/;
const MAX_KEYS_LISTED = 5;

/** Keys of a Secret data map holding a real value (not empty, SOPS-encrypted or a template placeholder). */
function literalKeys(map: Record<string, unknown>, base64: boolean): string[] {
  const keys: string[] = [];
  for (const key of Object.keys(map)) {
    const raw = map[key];
    if (raw === null || raw === undefined) continue;
    let value = (typeof raw === 'string' ? raw : String(raw)).trim();
    if (value === '' || SOPS_VALUE.test(value)) continue;
    if (base64) value = Buffer.from(value, 'base64').toString('utf8').trim();
    if (value === '' || PLACEHOLDER.test(value)) continue;
    keys.push(key);
  }
  return keys;
}

export const committedSecret: ResourceCheck = {
  id: 'KW-SEC-004',
  category: 'manifest',
  scope: 'resource',
  kinds: ['Secret'],
  title: 'Secret committed in manifest',
  severity: 'medium',
  description:
    'A Secret manifest with data or stringData puts the secret in version control: base64 in data is an ' +
    'encoding, not encryption. Everyone with access to the repository, its forks, CI logs and backups can ' +
    'read it, and it stays in the history after removal.',
  remediation:
    'Remove data/stringData from the committed manifest and deliver the values through Sealed Secrets, SOPS, ' +
    'External Secrets Operator or the CSI secrets-store driver. Rotate the exposed values.',
  frameworks: [
    nsa('secrets', 'Secrets: keep sensitive data in Secrets, encrypted at rest, not in manifests'),
    mitre('T1552', 'Unsecured Credentials'),
    mitre('T1552.001', 'Unsecured Credentials: Credentials In Files'),
  ],
  check(res) {
    const o = res.object;
    if (isRecord(o.sops)) return []; // the whole file is SOPS-encrypted
    let hits: Hit[] | undefined;
    for (const field of ['data', 'stringData'] as const) {
      const map = o[field];
      if (!isRecord(map)) continue;
      const keys = literalKeys(map, field === 'data');
      if (keys.length === 0) continue;
      const listed = keys
        .slice(0, MAX_KEYS_LISTED)
        .map((k) => `"${k}"`)
        .join(', ');
      const more = keys.length > MAX_KEYS_LISTED ? ` and ${keys.length - MAX_KEYS_LISTED} more` : '';
      (hits ??= []).push({
        message: `Secret has ${keys.length} literal value${keys.length === 1 ? '' : 's'} in ${field} (key${
          keys.length === 1 ? '' : 's'
        } ${listed}${more}; values not shown)`,
        path: [field],
      });
    }
    return hits ?? [];
  },
};

export const secretChecks: Array<PodCheck | ResourceCheck> = [
  envLiteralSecret,
  configMapCredential,
  secretAsEnv,
  committedSecret,
];
