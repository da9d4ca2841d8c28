/**
 * The `ImagePolicy` document (kubeward.io/v1alpha1): which images may run, how they must be referenced,
 * what vulnerability state and which signatures they need. Field reference: docs/policies/image-policy.md.
 */
import type { PolicyMode } from '../engine/types.js';
import type { Severity } from '../../core/severity.js';
import { SEVERITIES } from '../../core/severity.js';

export const IMAGE_POLICY_API_VERSION = 'kubeward.io/v1alpha1';
export const IMAGE_POLICY_KIND = 'ImagePolicy';

/** What to do with an image that has no scan result yet. */
export type UnscannedAction = 'scan' | 'warn' | 'deny';

export interface ImagePolicyMatch {
  /** Namespace globs the policy applies to; all namespaces when absent. */
  namespaces?: string[];
  /** Namespace globs excluded even when `namespaces` matches. */
  excludeNamespaces?: string[];
}

export interface VulnerabilityRules {
  /** Deny when the image has a vulnerability at or above this severity. */
  failOn?: Severity;
  /** Deny when the image has a vulnerability in CISA's Known Exploited Vulnerabilities catalogue. */
  kev?: boolean;
  /** Deny when the image has a critical vulnerability that has a fix. */
  fixableCritical?: boolean;
  /** No scan result: scan inline (default), only warn, or deny. */
  unscanned?: UnscannedAction;
  /** Time an inline scan may take (ms), also bounded by the request deadline; default 5000. */
  scanBudgetMs?: number;
}

export interface SignatureRules {
  /** PEM public keys, or paths of PEM files (relative to the policy file). */
  publicKeys: string[];
  /** true: an image without a valid signature is a violation; false: only a warning. Default true. */
  required?: boolean;
}

export interface ImagePolicySpec {
  match?: ImagePolicyMatch;
  /** enforce denies, warn warns, audit only records. Default enforce. */
  mode?: PolicyMode;
  /** What an evaluation error (registry unreachable, budget exceeded) does. Default Fail. */
  failurePolicy?: 'Fail' | 'Ignore';
  /** Globs over `registry/repository`; a pattern also matches every repository below it. */
  allowedRegistries?: string[];
  /** A tag without a digest is mutable; forbid it unless the tag matches `allowTags`. */
  forbidMutableTags?: boolean | { allowTags?: string[] };
  /** Every image must carry a digest (`@sha256:…`). */
  requireDigest?: boolean;
  /** Resolve tags to digests through the registry and pin them with a JSON patch (`image:tag@sha256:…`). */
  mutateToDigest?: boolean;
  vulnerabilities?: VulnerabilityRules;
  signatures?: SignatureRules;
}

export interface ImagePolicyDocument {
  apiVersion: typeof IMAGE_POLICY_API_VERSION;
  kind: typeof IMAGE_POLICY_KIND;
  metadata: { name: string; [key: string]: unknown };
  spec: ImagePolicySpec;
}

const stringList = {
  type: 'array',
  maxItems: 1000,
  items: { type: 'string', minLength: 1, maxLength: 1024 },
} as const;

/** JSON schema of the document; Ajv validates it before anything is compiled. */
export const IMAGE_POLICY_SCHEMA = {
  type: 'object',
  required: ['apiVersion', 'kind', 'metadata', 'spec'],
  properties: {
    apiVersion: { const: IMAGE_POLICY_API_VERSION },
    kind: { const: IMAGE_POLICY_KIND },
    metadata: {
      type: 'object',
      required: ['name'],
      properties: {
        name: { type: 'string', minLength: 1, maxLength: 253, pattern: '^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$' },
      },
    },
    spec: {
      type: 'object',
      additionalProperties: false,
      properties: {
        match: {
          type: 'object',
          additionalProperties: false,
          properties: { namespaces: stringList, excludeNamespaces: stringList },
        },
        mode: { enum: ['enforce', 'warn', 'audit'] },
        failurePolicy: { enum: ['Fail', 'Ignore'] },
        allowedRegistries: stringList,
        forbidMutableTags: {
          oneOf: [
            { type: 'boolean' },
            {
              type: 'object',
              additionalProperties: false,
              properties: { allowTags: stringList },
            },
          ],
        },
        requireDigest: { type: 'boolean' },
        mutateToDigest: { type: 'boolean' },
        vulnerabilities: {
          type: 'object',
          additionalProperties: false,
          properties: {
            failOn: { enum: [...SEVERITIES] },
            kev: { type: 'boolean' },
            fixableCritical: { type: 'boolean' },
            unscanned: { enum: ['scan', 'warn', 'deny'] },
            scanBudgetMs: { type: 'integer', minimum: 1, maximum: 600_000 },
          },
        },
        signatures: {
          type: 'object',
          additionalProperties: false,
          required: ['publicKeys'],
          properties: {
            publicKeys: {
              ...stringList,
              minItems: 1,
              maxItems: 32,
              items: { type: 'string', minLength: 1, maxLength: 65536 },
            },
            required: { type: 'boolean' },
          },
        },
      },
    },
  },
} as const;
