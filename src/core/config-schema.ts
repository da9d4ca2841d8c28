const GLOBS = {
  type: 'array',
  maxItems: 1000,
  items: { type: 'string', minLength: 1, maxLength: 512 },
} as const;
const ENV_NAME = { type: 'string', pattern: '^[A-Za-z_][A-Za-z0-9_]*$' } as const;
const HTTPS_URL = { type: 'string', pattern: '^https://[^\\s]+$', maxLength: 2048 } as const;

/** One `registries.scan` entry; exactly one credentials flavour. Documented in docs/config.md. */
const REGISTRY_SCAN_ENTRY_SCHEMA = {
  type: 'object',
  additionalProperties: false,
  required: ['url'],
  properties: {
    url: { type: 'string', minLength: 1, maxLength: 2048 },
    insecure: { type: 'boolean' },
    repositories: {
      type: 'array',
      maxItems: 100_000,
      items: { type: 'string', minLength: 1, maxLength: 255 },
    },
    include: GLOBS,
    exclude: GLOBS,
    tags: {
      type: 'object',
      additionalProperties: false,
      properties: {
        include: GLOBS,
        exclude: GLOBS,
        maxTags: { type: 'integer', minimum: 1, maximum: 100_000 },
      },
    },
    credentials: {
      type: 'object',
      minProperties: 1,
      maxProperties: 1,
      additionalProperties: false,
      properties: {
        static: {
          type: 'object',
          additionalProperties: false,
          required: ['username'],
          properties: {
            username: { type: 'string', minLength: 1 },
            password: { type: 'string' },
            passwordEnv: ENV_NAME,
          },
        },
        dockerConfig: {
          type: 'object',
          additionalProperties: false,
          properties: { file: { type: 'string', minLength: 1 } },
        },
        env: {
          type: 'object',
          additionalProperties: false,
          required: ['usernameEnv', 'passwordEnv'],
          properties: { usernameEnv: ENV_NAME, passwordEnv: ENV_NAME },
        },
        ecr: {
          type: 'object',
          additionalProperties: false,
          required: ['region'],
          properties: {
            region: { type: 'string', pattern: '^[a-z]{2}(-[a-z]+)+-\\d+$' },
            registryId: { type: 'string', pattern: '^\\d{12}$' },
            accessKeyIdEnv: ENV_NAME,
            secretAccessKeyEnv: ENV_NAME,
            sessionTokenEnv: ENV_NAME,
            endpoint: HTTPS_URL,
          },
        },
        gcp: {
          type: 'object',
          additionalProperties: false,
          minProperties: 1,
          maxProperties: 1,
          properties: {
            serviceAccountKeyFile: { type: 'string', minLength: 1 },
            metadata: { const: true },
            accessTokenEnv: ENV_NAME,
          },
        },
        acr: {
          type: 'object',
          additionalProperties: false,
          required: ['tenant'],
          properties: {
            tenant: { type: 'string', pattern: '^[A-Za-z0-9.-]+$' },
            aadTokenEnv: ENV_NAME,
            clientId: { type: 'string', minLength: 1 },
            clientSecretEnv: ENV_NAME,
            authorityHost: HTTPS_URL,
          },
        },
      },
    },
    concurrency: { type: 'integer', minimum: 1, maximum: 64 },
    rateLimit: {
      type: 'object',
      additionalProperties: false,
      required: ['requestsPerSecond'],
      properties: {
        requestsPerSecond: { type: 'number', exclusiveMinimum: 0, maximum: 10_000 },
        burst: { type: 'integer', minimum: 1, maximum: 10_000 },
      },
    },
  },
} as const;

/** JSON Schema (draft 2020-12 subset understood by Ajv) for `.kubeward.yaml`. Documented in docs/config.md. */
export const CONFIG_SCHEMA = {
  type: 'object',
  additionalProperties: false,
  properties: {
    registries: {
      type: 'object',
      additionalProperties: false,
      properties: {
        /** Image registries/repositories allowed by KW-IMG-004; globs such as `ghcr.io/acme/*`. */
        allowed: { type: 'array', items: { type: 'string', minLength: 1 } },
        /** Registries scanned continuously by `kubeward registry` (src/registry/config.ts resolves them). */
        scan: { type: 'array', maxItems: 1000, items: REGISTRY_SCAN_ENTRY_SCHEMA },
      },
    },
    checks: {
      type: 'object',
      additionalProperties: false,
      properties: {
        disabled: { type: 'array', items: { type: 'string' } },
        severity: {
          type: 'object',
          additionalProperties: { enum: ['critical', 'high', 'medium', 'low', 'info'] },
        },
      },
    },
    vulnerabilities: {
      type: 'object',
      additionalProperties: false,
      properties: {
        /** Scans warn when the newest OSV import is older than this many days (default 7). */
        maxDbAgeDays: { type: 'number', minimum: 0 },
      },
    },
    suppressions: {
      type: 'array',
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['checkId', 'reason', 'expires'],
        properties: {
          checkId: { type: 'string', minLength: 1 },
          kind: { type: 'string' },
          namespace: { type: 'string' },
          name: { type: 'string' },
          reason: { type: 'string', minLength: 1 },
          expires: { type: 'string', pattern: '^\\d{4}-\\d{2}-\\d{2}$' },
        },
      },
    },
    /** Admission policies (`kubeward policy test`, `kubeward admission serve`); see docs/admission.md. */
    policies: {
      type: 'object',
      additionalProperties: false,
      properties: {
        /** Policy files/directories used when `--policies` is not given (relative to the config file). */
        paths: { type: 'array', maxItems: 100, items: { type: 'string', minLength: 1, maxLength: 4096 } },
        /** Default PSS `LEVEL[:VERSION]` for namespaces without labels (`--pss` wins). */
        pss: {
          type: 'string',
          pattern: '^(privileged|baseline|restricted)(:(latest|v1\\.(0|[1-9][0-9]{0,3})))?$',
        },
        /** Globs over policy names → enforce | warn | audit; the first matching glob wins. */
        modes: {
          type: 'object',
          maxProperties: 1000,
          additionalProperties: { enum: ['enforce', 'warn', 'audit'] },
        },
      },
    },
  },
} as const;

export interface SuppressionRule {
  /** Check id, or a glob over check ids. */
  checkId: string;
  kind?: string;
  namespace?: string;
  name?: string;
  reason: string;
  /** YYYY-MM-DD; the rule applies through the end of that day (UTC). */
  expires: string;
  /** Where the rule was written, for messages about expired rules. */
  source?: { file: string; line: number };
}

export interface TagFilterConfig {
  include?: string[];
  exclude?: string[];
  /** Keep at most this many tags per repository, highest version-aware order first. */
  maxTags?: number;
}

export interface RateLimitConfig {
  requestsPerSecond: number;
  /** Requests allowed at once after a quiet period (default: max(1, ceil(requestsPerSecond))). */
  burst?: number;
}

/** Exactly one flavour is set (the schema enforces it). */
export interface RegistryCredentialsConfig {
  static?: { username: string; password?: string; passwordEnv?: string };
  dockerConfig?: { file?: string };
  env?: { usernameEnv: string; passwordEnv: string };
  ecr?: {
    region: string;
    registryId?: string;
    accessKeyIdEnv?: string;
    secretAccessKeyEnv?: string;
    sessionTokenEnv?: string;
    endpoint?: string;
  };
  gcp?: { serviceAccountKeyFile?: string; metadata?: true; accessTokenEnv?: string };
  acr?: {
    tenant: string;
    aadTokenEnv?: string;
    clientId?: string;
    clientSecretEnv?: string;
    authorityHost?: string;
  };
}

/** One `registries.scan` entry as written in `.kubeward.yaml`. */
export interface RegistryScanEntry {
  url: string;
  insecure?: boolean;
  repositories?: string[];
  include?: string[];
  exclude?: string[];
  tags?: TagFilterConfig;
  credentials?: RegistryCredentialsConfig;
  concurrency?: number;
  rateLimit?: RateLimitConfig;
  /** Where the entry was written (set by parseConfig), for messages. */
  source?: { file: string; line: number };
}

export interface KubewardConfig {
  registries?: { allowed?: string[]; scan?: RegistryScanEntry[] };
  vulnerabilities?: { maxDbAgeDays?: number };
  checks?: {
    disabled?: string[];
    severity?: Record<string, 'critical' | 'high' | 'medium' | 'low' | 'info'>;
  };
  suppressions?: SuppressionRule[];
  policies?: {
    paths?: string[];
    pss?: string;
    modes?: Record<string, 'enforce' | 'warn' | 'audit'>;
  };
}
