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

export interface KubewardConfig {
  registries?: { allowed?: string[] };
  vulnerabilities?: { maxDbAgeDays?: number };
  checks?: {
    disabled?: string[];
    severity?: Record<string, 'critical' | 'high' | 'medium' | 'low' | 'info'>;
  };
  suppressions?: SuppressionRule[];
}
