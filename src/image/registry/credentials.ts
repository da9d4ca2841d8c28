import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { UserError } from '../../core/errors.js';

/** Credentials for one registry host. `identityToken` is an OAuth2 refresh token (docker login --identity-token). */
export interface RegistryCredentials {
  username?: string;
  password?: string;
  identityToken?: string;
  /** Epoch ms after which the client asks the provider again (short-lived cloud tokens). */
  expiresAt?: number;
}

/**
 * Looks up credentials for a registry host; called lazily, only when the registry asks for auth. The client
 * passes `{ refresh: true }` once when the registry rejected the credentials it got (401), so a provider of
 * short-lived tokens fetches a new one; providers of fixed credentials can ignore it.
 */
export type CredentialProvider = (
  host: string,
  opts?: { refresh?: boolean },
) => Promise<RegistryCredentials | undefined>;

interface DockerConfigFile {
  auths?: Record<string, { auth?: string; username?: string; password?: string; identitytoken?: string }>;
  credHelpers?: Record<string, string>;
  credsStore?: string;
}

/** Docker Hub is stored under its legacy v1 URL by `docker login`. */
const DOCKER_HUB_KEYS = [
  'https://index.docker.io/v1/',
  'index.docker.io',
  'docker.io',
  'registry-1.docker.io',
];

export function dockerConfigPath(env: NodeJS.ProcessEnv = process.env): string {
  return join(env.DOCKER_CONFIG ?? join(homedir(), '.docker'), 'config.json');
}

/**
 * Credentials from a Docker config file: `credHelpers[host]`, then `auths[host]`, then `credsStore`.
 * Entries are matched by exact host only, so a credential is never sent to another registry.
 */
export function dockerConfigProvider(
  file = dockerConfigPath(),
  runHelper: (helper: string, host: string) => Promise<RegistryCredentials | undefined> = runCredentialHelper,
): CredentialProvider {
  let config: DockerConfigFile | undefined;
  const load = (): DockerConfigFile => {
    if (config) return config;
    try {
      config = JSON.parse(readFileSync(file, 'utf8')) as DockerConfigFile;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') config = {};
      else throw new UserError(`cannot read docker config: ${(e as Error).message.split('\n')[0]}`, { file });
    }
    return config;
  };
  return async (host) => {
    const cfg = load();
    const keys = isDockerHub(host) ? DOCKER_HUB_KEYS : [host];
    for (const k of keys) {
      const helper = cfg.credHelpers?.[k];
      if (helper) return runHelper(helper, k);
    }
    for (const [key, entry] of Object.entries(cfg.auths ?? {})) {
      if (!keys.includes(normalizeAuthKey(key))) continue;
      if (entry.identitytoken) return { identityToken: entry.identitytoken };
      if (entry.username && entry.password) return { username: entry.username, password: entry.password };
      if (entry.auth) {
        const decoded = Buffer.from(entry.auth, 'base64').toString('utf8');
        const idx = decoded.indexOf(':');
        if (idx > 0) return { username: decoded.slice(0, idx), password: decoded.slice(idx + 1) };
      }
    }
    if (cfg.credsStore) return runHelper(cfg.credsStore, keys[0] ?? host);
    return undefined;
  };
}

function isDockerHub(host: string): boolean {
  return host === 'docker.io' || host === 'index.docker.io' || host === 'registry-1.docker.io';
}

/** `auths` keys may be URLs (`https://host/v1/`); compare hosts. */
function normalizeAuthKey(key: string): string {
  if (key === 'https://index.docker.io/v1/') return key;
  return key.replace(/^https?:\/\//, '').replace(/\/.*$/, '');
}

/** Runs `docker-credential-<helper> get` with the server URL on stdin (the credential-helper protocol). */
export function runCredentialHelper(helper: string, host: string): Promise<RegistryCredentials | undefined> {
  if (!/^[A-Za-z0-9_.-]+$/.test(helper)) throw new UserError(`invalid credential helper name "${helper}"`);
  return new Promise((resolve, reject) => {
    const child = execFile(
      `docker-credential-${helper}`,
      ['get'],
      { timeout: 30_000 },
      (err, stdout, stderr) => {
        if (err) {
          const text = `${stdout}${stderr}`;
          if (/credentials not found/i.test(text)) return resolve(undefined);
          const reason =
            (err as NodeJS.ErrnoException).code === 'ENOENT'
              ? 'not found on PATH'
              : text.trim().split('\n')[0];
          return reject(new UserError(`credential helper docker-credential-${helper} failed: ${reason}`));
        }
        try {
          const out = JSON.parse(stdout) as { Username?: string; Secret?: string };
          if (out.Username === '<token>') return resolve({ identityToken: out.Secret ?? '' });
          resolve({ username: out.Username ?? '', password: out.Secret ?? '' });
        } catch {
          reject(new UserError(`credential helper docker-credential-${helper} returned invalid JSON`));
        }
      },
    );
    child.stdin?.end(host);
  });
}

/** Combines providers: the first that has credentials for a host wins. */
export function chainProviders(...providers: CredentialProvider[]): CredentialProvider {
  return async (host) => {
    for (const p of providers) {
      const c = await p(host);
      if (c) return c;
    }
    return undefined;
  };
}
