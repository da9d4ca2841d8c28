import type { FrameworkMapping } from '../../core/finding.js';

/** Shorthands so check definitions read like the control tables they come from. */
export const cis = (id: string, name?: string): FrameworkMapping => ({
  framework: 'cis-k8s',
  id,
  ...(name ? { name } : {}),
});
export const nsa = (id: string, name?: string): FrameworkMapping => ({
  framework: 'nsa-cisa',
  id,
  ...(name ? { name } : {}),
});
export const pss = (id: string, name?: string): FrameworkMapping => ({
  framework: 'pss',
  id,
  ...(name ? { name } : {}),
});
export const mitre = (id: string, name?: string): FrameworkMapping => ({
  framework: 'mitre-attack',
  id,
  ...(name ? { name } : {}),
});
