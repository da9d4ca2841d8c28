import { stringify } from 'yaml';

/** Objects as one multi-document YAML stream (`kubectl apply -f -` input). */
export function toYamlStream(objects: readonly Record<string, unknown>[]): string {
  return objects.map((o) => `---\n${stringify(o, { lineWidth: 0 })}`).join('');
}
