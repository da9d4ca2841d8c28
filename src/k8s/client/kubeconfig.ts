import { readFileSync, statSync } from 'node:fs';
import { homedir } from 'node:os';
import { delimiter, dirname, isAbsolute, join, resolve } from 'node:path';
import { createSecureContext } from 'node:tls';
import { UserError } from '../../core/errors.js';
import { parseYamlDocuments, type FieldPath } from '../../core/yaml-source.js';
import type { ClusterConnection } from './connection.js';
import {
  FileTokenSource,
  staticCredentials,
  type ClientCertificate,
  type CredentialSource,
  type Credentials,
} from './credentials.js';
import {
  EXEC_API_VERSIONS,
  ExecCredentialSource,
  type ExecApiVersion,
  type ExecClusterInfo,
  type ExecConfig,
} from './exec-plugin.js';
import { isRecord } from './types.js';

export interface LoadKubeConfigOptions {
  /** An explicit kubeconfig file (like `--kubeconfig`); it must exist. Otherwise $KUBECONFIG, then ~/.kube/config. */
  path?: string;
  /** Context to use instead of current-context. */
  context?: string;
  /** Environment to read KUBECONFIG from (default process.env); tests pass their own. */
  env?: NodeJS.ProcessEnv;
  /** Home directory for ~/.kube/config (default os.homedir()). */
  home?: string;
  /** Token files are re-read after this many ms (default 60 s). */
  tokenRefreshMs?: number;
}

/** One named entry (cluster, user or context) and where it was defined, for relative paths and errors. */
interface Entry {
  name: string;
  body: Record<string, unknown>;
  file: string;
  /** Field path of `body` inside its document, e.g. ['users', 2, 'user']. */
  path: FieldPath;
  lineOf: (path: FieldPath) => number;
}

interface MergedConfig {
  files: string[];
  currentContext: string | undefined;
  clusters: Map<string, Entry>;
  users: Map<string, Entry>;
  contexts: Map<string, Entry>;
}

/** kubeconfig files larger than this are refused; real ones are a few KiB (CA bundles inline make ~50 KiB). */
const MAX_KUBECONFIG_BYTES = 4 * 1024 * 1024;

/**
 * Loads kubeconfig the way kubectl does and resolves one context into a `ClusterConnection`.
 * With $KUBECONFIG holding several files, they are merged per key: the first file to define a cluster,
 * user or context name wins, as does the first current-context; listed files that do not exist are skipped.
 * Relative paths inside a file are relative to that file's directory.
 */
export function loadKubeConfig(opts: LoadKubeConfigOptions = {}): ClusterConnection {
  const merged = mergeFiles(kubeconfigFiles(opts));
  return resolveContext(merged, opts);
}

/** The files to read, in precedence order. */
function kubeconfigFiles(opts: LoadKubeConfigOptions): string[] {
  if (opts.path) return [resolve(opts.path)];
  const env = (opts.env ?? process.env).KUBECONFIG;
  if (env && env.trim()) {
    const listed = [...new Set(env.split(delimiter).filter((p) => p.trim() !== ''))].map((p) => resolve(p));
    const present = listed.filter(exists);
    if (present.length === 0) {
      throw new UserError(`none of the files in $KUBECONFIG exists: ${listed.join(delimiter)}`);
    }
    return present;
  }
  const file = join(opts.home ?? homedir(), '.kube', 'config');
  if (!exists(file)) throw new UserError(`no kubeconfig: $KUBECONFIG is not set and ${file} does not exist`);
  return [file];
}

function exists(file: string): boolean {
  try {
    return statSync(file).isFile();
  } catch {
    return false;
  }
}

function mergeFiles(files: string[]): MergedConfig {
  const merged: MergedConfig = {
    files,
    currentContext: undefined,
    clusters: new Map(),
    users: new Map(),
    contexts: new Map(),
  };
  for (const file of files) {
    let text: string;
    try {
      const bytes = readFileSync(file);
      if (bytes.length > MAX_KUBECONFIG_BYTES) {
        throw new UserError(`kubeconfig is larger than ${MAX_KUBECONFIG_BYTES} bytes`, { file });
      }
      text = bytes.toString('utf8');
    } catch (e) {
      if (e instanceof UserError) throw e;
      throw new UserError(`cannot read kubeconfig: ${(e as Error).message}`, { file });
    }
    const docs = parseYamlDocuments(text, file, 0, { fast: false });
    if (docs.length > 1) throw new UserError('kubeconfig holds more than one YAML document', { file });
    const doc = docs[0];
    if (!doc || doc.value === null || doc.value === undefined) continue; // kubectl accepts an empty file
    if (!isRecord(doc.value))
      throw new UserError('kubeconfig is not a YAML mapping', { file, line: doc.line });
    const root = doc.value;
    const cc = root['current-context'];
    if (cc !== undefined && cc !== null && typeof cc !== 'string') {
      throw new UserError('current-context must be a string', {
        file,
        line: doc.lineOf(['current-context']),
      });
    }
    if (merged.currentContext === undefined && cc) merged.currentContext = cc;
    for (const [section, field, into] of [
      ['clusters', 'cluster', merged.clusters],
      ['users', 'user', merged.users],
      ['contexts', 'context', merged.contexts],
    ] as const) {
      const list = root[section];
      if (list === undefined || list === null) continue;
      if (!Array.isArray(list)) {
        throw new UserError(`${section} must be a list`, { file, line: doc.lineOf([section]) });
      }
      list.forEach((item: unknown, i: number) => {
        const at = { file, line: doc.lineOf([section, i]) };
        if (!isRecord(item) || typeof item.name !== 'string' || item.name === '') {
          throw new UserError(`${section}[${i}] has no name`, at);
        }
        const body = item[field] ?? {};
        if (!isRecord(body)) throw new UserError(`${section}[${item.name}].${field} must be a mapping`, at);
        if (!into.has(item.name)) {
          into.set(item.name, { name: item.name, body, file, path: [section, i, field], lineOf: doc.lineOf });
        }
      });
    }
  }
  return merged;
}

/** Reads typed fields of one entry, with errors that name the file, line and setting. */
class Fields {
  constructor(
    private readonly e: Entry,
    private readonly label: string,
  ) {}

  at(key?: string): { file: string; line: number } {
    return {
      file: this.e.file,
      line: this.e.lineOf(key === undefined ? this.e.path : [...this.e.path, key]),
    };
  }

  setting(key: string): string {
    return `${this.label}.${key}`;
  }

  fail(key: string, why: string): never {
    throw new UserError(`${this.setting(key)} ${why}`, this.at(key));
  }

  raw(key: string): unknown {
    return this.e.body[key];
  }

  has(key: string): boolean {
    const v = this.e.body[key];
    return v !== undefined && v !== null && v !== '';
  }

  str(key: string): string | undefined {
    const v = this.e.body[key];
    if (v === undefined || v === null || v === '') return undefined;
    if (typeof v !== 'string') this.fail(key, 'must be a string');
    return v;
  }

  bool(key: string): boolean {
    const v = this.e.body[key];
    if (v === undefined || v === null) return false;
    if (typeof v !== 'boolean') this.fail(key, 'must be true or false');
    return v;
  }

  /** A path setting, resolved against the directory of the file that defined it. */
  path(key: string): string | undefined {
    const v = this.str(key);
    if (v === undefined) return undefined;
    const expanded = v.startsWith('~/') ? join(homedir(), v.slice(2)) : v;
    return isAbsolute(expanded) ? expanded : resolve(dirname(this.e.file), expanded);
  }

  /** A `…-data` setting: base64 of PEM. */
  data(key: string): Buffer | undefined {
    const v = this.str(key);
    if (v === undefined) return undefined;
    const compact = v.replace(/\s+/g, '');
    if (!/^[A-Za-z0-9+/]*={0,2}$/.test(compact) || compact.length % 4 === 1)
      this.fail(key, 'is not valid base64');
    const out = Buffer.from(compact, 'base64');
    if (out.length === 0) this.fail(key, 'is empty');
    return out;
  }

  /** `<key>-data` wins over `<key>` (a file), as in client-go. */
  material(key: string): Buffer | undefined {
    const data = this.data(`${key}-data`);
    if (data) return data;
    const file = this.path(key);
    if (file === undefined) return undefined;
    try {
      return readFileSync(file);
    } catch (e) {
      throw new UserError(`${this.setting(key)}: cannot read ${file}: ${(e as Error).message}`, this.at(key));
    }
  }
}

function resolveContext(cfg: MergedConfig, opts: LoadKubeConfigOptions): ClusterConnection {
  const files = cfg.files.join(delimiter);
  const name = opts.context ?? cfg.currentContext;
  if (!name) throw new UserError(`no current-context is set in ${files}; choose a context`);
  const ctxEntry = cfg.contexts.get(name);
  if (!ctxEntry) throw new UserError(`context "${name}" is not defined in ${files}`);
  const ctx: Fields = new Fields(ctxEntry, `contexts[${name}].context`);
  const clusterName = ctx.str('cluster');
  if (!clusterName) throw new UserError(`${ctx.setting('cluster')} is not set`, ctx.at());
  const clusterEntry = cfg.clusters.get(clusterName);
  if (!clusterEntry) ctx.fail('cluster', `names cluster "${clusterName}", which is not defined in ${files}`);
  const cluster: Fields = new Fields(clusterEntry, `clusters[${clusterName}].cluster`);

  const server = cluster.str('server');
  if (!server) throw new UserError(`${cluster.setting('server')} is not set`, cluster.at());
  let url: URL;
  try {
    url = new URL(server);
  } catch {
    cluster.fail('server', `"${server}" is not a URL`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:')
    cluster.fail('server', 'must be an https:// (or http://) URL');
  if (cluster.has('proxy-url')) cluster.fail('proxy-url', 'is not supported by kubeward');
  const insecure = cluster.bool('insecure-skip-tls-verify');
  const ca = cluster.material('certificate-authority');
  if (insecure && ca) {
    // kubectl refuses this combination too: it is never what the user meant.
    cluster.fail('insecure-skip-tls-verify', 'cannot be combined with a certificate authority');
  }
  if (ca) checkPem(ca, 'CERTIFICATE', cluster, 'certificate-authority');
  const tlsServerName = cluster.str('tls-server-name');

  const userName = ctx.str('user');
  let credentials: CredentialSource = staticCredentials({});
  if (userName) {
    const userEntry = cfg.users.get(userName);
    if (!userEntry) ctx.fail('user', `names user "${userName}", which is not defined in ${files}`);
    const clusterInfo: ExecClusterInfo = { server };
    if (ca) clusterInfo['certificate-authority-data'] = ca.toString('base64');
    if (tlsServerName) clusterInfo['tls-server-name'] = tlsServerName;
    if (insecure) clusterInfo['insecure-skip-tls-verify'] = true;
    credentials = userCredentials(new Fields(userEntry, `users[${userName}].user`), clusterInfo, opts);
  }

  const conn: ClusterConnection = {
    server: server.replace(/\/+$/, ''),
    insecureSkipTlsVerify: insecure,
    credentials,
    namespace: ctx.str('namespace') ?? 'default',
    origin: `context "${name}" of ${ctxEntry.file}`,
  };
  if (ca) conn.ca = ca;
  if (tlsServerName) conn.tlsServerName = tlsServerName;
  return conn;
}

function checkPem(bytes: Buffer, label: string, f: Fields, key: string): void {
  if (!bytes.toString('latin1').includes(`-----BEGIN ${label}`)) {
    const setting = f.has(`${key}-data`) ? `${key}-data` : key;
    f.fail(setting, `does not hold a PEM ${label.toLowerCase()}`);
  }
}

function userCredentials(u: Fields, cluster: ExecClusterInfo, opts: LoadKubeConfigOptions): CredentialSource {
  if (u.has('auth-provider')) {
    u.fail(
      'auth-provider',
      'is not supported (removed from kubectl in 1.26); use an exec credential plugin such as ' +
        'gke-gcloud-auth-plugin or kubelogin',
    );
  }
  for (const key of ['as', 'as-uid', 'as-groups', 'as-user-extra']) {
    if (u.has(key)) u.fail(key, 'impersonation is not supported by kubeward');
  }

  let clientCertificate: ClientCertificate | undefined;
  const cert = u.material('client-certificate');
  const key = u.material('client-key');
  if (!!cert !== !!key) {
    u.fail(cert ? 'client-key' : 'client-certificate', 'is required with a client certificate/key');
  }
  if (cert && key) {
    checkPem(cert, 'CERTIFICATE', u, 'client-certificate');
    try {
      createSecureContext({ cert, key }); // parses both and checks that the key belongs to the cert
    } catch (e) {
      u.fail(
        u.has('client-key-data') ? 'client-key-data' : 'client-key',
        `is unusable: ${(e as Error).message}`,
      );
    }
    clientCertificate = { cert, key };
  }

  const token = u.str('token');
  const tokenFile = u.path('tokenFile');
  const username = u.str('username');
  const password = u.str('password');
  const hasExec = u.has('exec');
  if ((token || tokenFile) && (username || password)) {
    u.fail('username', 'cannot be combined with a bearer token');
  }
  if (hasExec && (token || tokenFile || username))
    u.fail('exec', 'cannot be combined with token or basic auth');

  if (hasExec) return new ExecCredentialSource(execConfig(u), execOptions(u, cluster));
  if (!token && tokenFile) {
    return new FileTokenSource(tokenFile, {
      setting: u.setting('tokenFile'),
      refreshMs: opts.tokenRefreshMs,
      ...(clientCertificate ? { clientCertificate } : {}),
    });
  }
  const creds: Credentials = {};
  if (clientCertificate) creds.clientCertificate = clientCertificate;
  if (token) {
    if (/[\r\n]/.test(token)) u.fail('token', 'contains a newline');
    creds.authorization = `Bearer ${token}`;
  } else if (username || password) {
    creds.authorization = `Basic ${Buffer.from(`${username ?? ''}:${password ?? ''}`).toString('base64')}`;
  }
  return staticCredentials(creds);
}

function execOptions(
  u: Fields,
  cluster: ExecClusterInfo,
): ConstructorParameters<typeof ExecCredentialSource>[1] {
  return { setting: u.setting('exec'), where: u.at('exec'), cluster };
}

function execConfig(u: Fields): ExecConfig {
  const raw = u.raw('exec');
  if (!isRecord(raw)) u.fail('exec', 'must be a mapping');
  const bad: (field: string, why: string) => never = (field, why) => {
    throw new UserError(`${u.setting('exec')}.${field} ${why}`, u.at('exec'));
  };
  const apiVersion = raw.apiVersion;
  if (typeof apiVersion !== 'string' || !(EXEC_API_VERSIONS as readonly string[]).includes(apiVersion)) {
    bad('apiVersion', `must be one of ${EXEC_API_VERSIONS.join(', ')} (got ${String(apiVersion)})`);
  }
  const command = raw.command;
  if (typeof command !== 'string' || command === '') bad('command', 'is not set');
  const args = raw.args ?? [];
  if (!Array.isArray(args) || !args.every((a): a is string => typeof a === 'string')) {
    bad('args', 'must be a list of strings');
  }
  const envList = raw.env ?? [];
  if (!Array.isArray(envList)) bad('env', 'must be a list of {name, value}');
  const env: ExecConfig['env'] = [];
  for (const item of envList as unknown[]) {
    if (!isRecord(item) || typeof item.name !== 'string' || typeof item.value !== 'string') {
      bad('env', 'must be a list of {name, value}');
    }
    env.push({ name: item.name, value: item.value });
  }
  if (raw.interactiveMode === 'Always')
    bad('interactiveMode', 'Always is not supported (kubeward is not interactive)');
  // client-go resolves a command containing a path separator against the kubeconfig's directory.
  const cmd = command;
  const file = u.at().file;
  const resolved = !isAbsolute(cmd) && /[\\/]/.test(cmd) ? resolve(dirname(file), cmd) : cmd;
  const out: ExecConfig = {
    apiVersion: apiVersion as ExecApiVersion, // checked against EXEC_API_VERSIONS above
    command: resolved,
    args,
    env,
    provideClusterInfo: raw.provideClusterInfo === true,
  };
  if (typeof raw.installHint === 'string') out.installHint = raw.installHint;
  return out;
}
