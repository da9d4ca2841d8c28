import type { ScanWarning } from '../core/errors.js';
import { parseYamlDocuments, type SourceDocument } from '../core/yaml-source.js';
import { isRecord, type FieldPath, type KubeObject, type Resource } from './resource.js';

export interface DecodeResult {
  resources: Resource[];
  warnings: ScanWarning[];
}

/**
 * Decodes manifest text (multi-document YAML or JSON) into resources. `List` kinds (v1 List and any
 * `*List`) are flattened into their items, each keeping positions relative to the list. Documents that
 * are not Kubernetes objects are skipped with a warning.
 */
export function decodeManifests(text: string, file: string, lineOffset = 0): DecodeResult {
  const resources: Resource[] = [];
  const warnings: ScanWarning[] = [];
  for (const doc of parseYamlDocuments(text, file, lineOffset)) {
    collect(doc, doc.value, [], resources, warnings);
  }
  return { resources, warnings };
}

function collect(
  doc: SourceDocument,
  value: unknown,
  prefix: FieldPath,
  out: Resource[],
  warnings: ScanWarning[],
): void {
  const at = doc.lineOf(prefix);
  if (!isRecord(value)) {
    warnings.push({ file: doc.file, line: at, message: 'skipped a document that is not a mapping' });
    return;
  }
  const { apiVersion, kind } = value;
  if (typeof apiVersion !== 'string' || typeof kind !== 'string' || !apiVersion || !kind) {
    warnings.push({ file: doc.file, line: at, message: 'skipped a document without apiVersion and kind' });
    return;
  }
  if (kind.endsWith('List') && Array.isArray(value.items)) {
    value.items.forEach((item, i) => collect(doc, item, [...prefix, 'items', i], out, warnings));
    return;
  }
  const metadata = isRecord(value.metadata) ? value.metadata : {};
  if (!isRecord(value.metadata)) value.metadata = metadata;
  // Label/annotation maps must hold strings (the API server rejects anything else); checks rely on it.
  for (const key of ['labels', 'annotations'] as const) {
    const map = metadata[key];
    if (map === undefined) continue;
    const mapPath = [...prefix, 'metadata', key];
    if (!isRecord(map)) {
      warnings.push({
        file: doc.file,
        line: doc.lineOf(mapPath),
        message: `ignored metadata.${key}: not a mapping`,
      });
      delete metadata[key];
      continue;
    }
    for (const [k, v] of Object.entries(map)) {
      if (typeof v === 'string') continue;
      const line = doc.lineOf([...mapPath, k]);
      if (v === null || typeof v === 'number' || typeof v === 'boolean') {
        // `version: 1.0` or `enabled: true`: read as the string a user most likely meant.
        map[k] = v === null ? '' : String(v);
        warnings.push({
          file: doc.file,
          line,
          message: `metadata.${key}.${k} is not a string (Kubernetes rejects this); read as "${String(map[k])}"`,
        });
      } else {
        delete map[k];
        warnings.push({ file: doc.file, line, message: `ignored metadata.${key}.${k}: not a string` });
      }
    }
  }
  const object = value as KubeObject;
  out.push({
    object,
    file: doc.file,
    line: at,
    lineOf: prefix.length === 0 ? doc.lineOf : (path) => doc.lineOf([...prefix, ...path]),
  });
}
