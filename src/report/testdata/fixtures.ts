// Hand-built reports and validators shared by the renderer tests (src/report/*.test.ts).
import { readFileSync } from 'node:fs';
import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import { Ajv } from 'ajv';
import addFormatsModule from 'ajv-formats';
import type { CheckMeta, Finding } from '../../core/finding.js';
import { summarize } from '../../core/finding.js';
import type { Report } from '../report.js';

// ajv-formats is CommonJS with `exports.default`; under NodeNext the plugin function is on .default.
const addFormats = addFormatsModule.default;

export const CHECKS: CheckMeta[] = [
  {
    id: 'KW-POD-001',
    title: 'Privileged container',
    severity: 'critical',
    description: 'A privileged container has every capability and full access to the host devices.',
    remediation: 'Set securityContext.privileged to false.',
    frameworks: [
      { framework: 'cis-k8s', id: '5.2.2', name: 'Minimize the admission of privileged containers' },
      { framework: 'pss', id: 'baseline/privileged' },
      { framework: 'mitre-attack', id: 'T1611', name: 'Escape to Host' },
    ],
    category: 'manifest',
  },
  {
    id: 'KW-POD-002',
    title: 'Container may run as root',
    severity: 'high',
    description: 'Neither the pod nor the container sets runAsNonRoot: true.',
    remediation: 'Set securityContext.runAsNonRoot: true and a non-zero runAsUser.',
    frameworks: [{ framework: 'cis-k8s', id: '5.2.6' }, { framework: 'pss', id: 'restricted/runAsNonRoot' }],
    category: 'manifest',
  },
  {
    id: 'KW-IMG-001',
    title: 'Image uses the latest tag',
    severity: 'medium',
    description: 'The image reference has no tag or the mutable tag "latest" (A & B <C>).',
    remediation: 'Pin the image by digest or an immutable version tag.',
    frameworks: [{ framework: 'nsa-cisa', id: 'pod-security/images' }],
    category: 'manifest',
  },
  {
    id: 'KW-WKL-003',
    title: 'No CPU limit',
    severity: 'low',
    description: 'A container without a CPU limit can starve its neighbours.',
    remediation: 'Set resources.limits.cpu.',
    frameworks: [{ framework: 'cis-k8s', id: '5.7.x' }],
    category: 'manifest',
  },
  {
    id: 'KW-SEC-001',
    title: 'Secret in an environment variable',
    severity: 'info',
    description: 'Secrets passed as environment variables leak into logs and crash dumps.',
    remediation: 'Mount the secret as a file instead.',
    frameworks: [{ framework: 'nsa-cisa', id: 'secrets' }],
    category: 'manifest',
  },
  {
    id: 'KW-NET-001',
    title: 'Namespace without a NetworkPolicy',
    severity: 'medium',
    description: 'Pods in a namespace without any NetworkPolicy accept traffic from everywhere.',
    remediation: 'Add a default-deny NetworkPolicy to the namespace.',
    frameworks: [{ framework: 'cis-k8s', id: '5.3.2' }],
    category: 'manifest',
  },
];

function check(id: string): CheckMeta {
  const c = CHECKS.find((k) => k.id === id);
  if (!c) throw new Error(`no check ${id}`);
  return c;
}

export function finding(
  id: string,
  over: Partial<Finding> & { file?: string; line?: number; name?: string; namespace?: string; kind?: string } = {},
): Finding {
  const c = check(id);
  const { file, line, name, namespace, kind, ...rest } = over;
  return {
    checkId: c.id,
    title: c.title,
    severity: c.severity,
    message: `container "app" fails ${c.id}`,
    resource: {
      apiVersion: 'apps/v1',
      kind: kind ?? 'Deployment',
      ...(namespace === '' ? {} : { namespace: namespace ?? 'prod' }),
      name: name ?? 'web',
    },
    location: { file: file ?? 'deploy/app.yaml', line: line ?? 10 },
    frameworks: c.frameworks,
    remediation: c.remediation,
    suppressed: false,
    ...rest,
  };
}

/** Findings of every severity, two suppressions (config with expiry, annotation), odd paths, repeats. */
export function sampleFindings(): Finding[] {
  return [
    finding('KW-POD-001', { line: 12, message: 'container "app" is privileged' }),
    finding('KW-POD-002', { line: 20, message: 'container "app" may run as root' }),
    finding('KW-POD-002', { line: 30, message: 'container "sidecar" may run as root' }),
    finding('KW-IMG-001', {
      line: 41,
      kind: 'Pod',
      namespace: 'default',
      name: 'job',
      message: 'image "nginx" has no tag',
    }),
    finding('KW-WKL-003', {
      file: 'charts/my app/templates/dep#1.yaml',
      line: 7,
      kind: 'CronJob',
      name: 'nightly',
      suppressed: true,
      suppression: { source: 'config', reason: 'batch job, limits set by LimitRange', expires: '2099-12-31' },
    }),
    finding('KW-SEC-001', {
      file: '/abs/path/secret [x].yaml',
      line: 3,
      kind: 'Secret',
      namespace: '',
      name: 'creds',
      suppressed: true,
      suppression: { source: 'annotation', reason: 'dev only' },
    }),
  ];
}

export function sampleReport(findings: Finding[] = sampleFindings()): Report {
  return {
    tool: { name: 'kubeward', version: '0.1.0' },
    target: 'manifests',
    findings,
    rules: CHECKS,
    warnings: [
      { file: 'deploy/broken.yaml', line: 3, message: 'skipped: document without a kind' },
      { message: 'suppression for KW-POD-009 expired on 2020-01-01 and no longer applies (old)' },
    ],
    summary: summarize(findings),
  };
}

/** Strings that break naive XML / Markdown / terminal output. */
export const NASTY = 'a & b < c > d "e" \'f\' ]]> \u0007bell \u001b[31mred\u001b[0m\nnext\tline | pipe \uD800lone';

const here = (p: string) => new URL(p, import.meta.url);

let sarifValidator: ValidateFunction | undefined;

/**
 * Validator for the official SARIF 2.1.0 schema (testdata/sarif-schema-2.1.0.json, verbatim from
 * oasis-tcs/sarif-spec Schemata/, JSON Schema 2020-12). Two upstream defects are worked around, without
 * weakening any constraint:
 * - `region.properties.anyOf` is an anyOf misplaced inside "properties" (so not a valid schema); it is
 *   moved to `region.anyOf`, where the spec means it (a region needs startLine, charOffset or byteOffset);
 * - the "language" patterns start with "(?i)", which is not ECMAScript; the regex engine given to Ajv
 *   turns a leading "(?i)" into the "i" flag.
 */
export function sarifValidator2_1_0(): ValidateFunction {
  if (sarifValidator) return sarifValidator;
  const schema = JSON.parse(readFileSync(here('./sarif-schema-2.1.0.json'), 'utf8')) as {
    definitions: { region: { properties: Record<string, unknown>; anyOf?: unknown } };
  };
  const region = schema.definitions.region;
  if (region.properties.anyOf) {
    region.anyOf = region.properties.anyOf;
    delete region.properties.anyOf;
  }
  const regExp = Object.assign(
    (pattern: string, flags: string) =>
      pattern.includes('(?i)') ? new RegExp(pattern.replace('(?i)', ''), `${flags}i`) : new RegExp(pattern, flags),
    { code: 'new RegExp' },
  );
  const ajv = new Ajv2020({ strict: false, allErrors: true, code: { regExp } });
  addFormats(ajv);
  sarifValidator = ajv.compile(schema);
  return sarifValidator;
}

let reportValidator: ValidateFunction | undefined;

/** Validator for src/report/report-schema.json (draft-07). */
export function reportValidator1(): ValidateFunction {
  if (reportValidator) return reportValidator;
  const schema = JSON.parse(readFileSync(here('../report-schema.json'), 'utf8')) as object;
  const ajv = new Ajv({ strict: true, allErrors: true });
  addFormats(ajv);
  reportValidator = ajv.compile(schema);
  return reportValidator;
}

export function errorsOf(v: ValidateFunction): string {
  return JSON.stringify(v.errors, null, 2);
}
