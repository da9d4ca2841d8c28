// Test helpers for checks: run one check over inline YAML and get findings with real line numbers.
import type { Finding } from '../../core/finding.js';
import type { KubewardConfig } from '../../core/config.js';
import { decodeManifests } from '../../k8s/decode.js';
import { scanResources } from '../scan.js';
import type { Check } from '../check.js';

export function runCheck(check: Check, yaml: string, config: KubewardConfig = {}): Finding[] {
  const { resources } = decodeManifests(yaml, 'test.yaml');
  return scanResources(resources, { config, checks: [check] }).findings;
}

/** Wraps a pod spec (YAML, indented under `spec:`) into a Pod manifest. */
export function pod(specYaml: string, meta = 'name: p\n  namespace: app'): string {
  return `apiVersion: v1\nkind: Pod\nmetadata:\n  ${meta}\nspec:\n${indent(specYaml, 2)}\n`;
}

export function indent(text: string, n: number): string {
  const pad = ' '.repeat(n);
  return text
    .replace(/^\n+|\s+$/g, '')
    .split('\n')
    .map((l) => (l.trim() ? pad + l : l))
    .join('\n');
}
