import { isMap, isPair, isScalar, isSeq, LineCounter, parseAllDocuments, type Node } from 'yaml';
import { UserError } from './errors.js';

/** A path into a decoded document: map keys and sequence indexes. */
export type FieldPath = readonly (string | number)[];

/**
 * Bound on alias expansion. The yaml library counts how many nodes aliases pull in; a "billion laughs"
 * document exceeds this quickly and is rejected instead of exhausting memory.
 */
export const MAX_ALIAS_COUNT = 1000;

/** One YAML document with its decoded value and a way back to source lines. */
export interface SourceDocument {
  file: string;
  /** 0-based position of this document in the file's stream. */
  index: number;
  /** 1-based line of the document's first content. */
  line: number;
  value: unknown;
  lineOf(path: FieldPath): number;
}

/**
 * Parses a (multi-document) YAML or JSON text. Syntax errors become a UserError naming file and line.
 * `lineOffset` shifts reported lines, for text cut out of a larger file.
 */
export function parseYamlDocuments(text: string, file: string, lineOffset = 0): SourceDocument[] {
  const lineCounter = new LineCounter();
  const docs = parseAllDocuments(text, { lineCounter, uniqueKeys: false, strict: false });
  const list = Array.isArray(docs) ? docs : [docs];
  const lineAt = (offset: number): number => lineCounter.linePos(offset).line + lineOffset;
  const out: SourceDocument[] = [];
  for (const [index, doc] of list.entries()) {
    const err = doc.errors[0];
    if (err) {
      const line = err.linePos?.[0]?.line ?? 1;
      throw new UserError(`invalid YAML: ${firstLine(err.message)}`, { file, line: line + lineOffset });
    }
    if (doc.contents === null) continue; // empty document between `---` separators
    let value: unknown;
    try {
      value = doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
    } catch (e) {
      const msg = e instanceof Error ? e.message : String(e);
      const line = lineAt(doc.contents.range?.[0] ?? 0);
      if (/alias|resource exhaustion/i.test(msg)) {
        throw new UserError(
          `YAML aliases expand past the limit of ${MAX_ALIAS_COUNT} nodes (possible YAML bomb)`,
          {
            file,
            line,
          },
        );
      }
      throw new UserError(`invalid YAML: ${firstLine(msg)}`, { file, line });
    }
    const contents = doc.contents;
    out.push({
      file,
      index,
      line: lineAt(contents.range?.[0] ?? 0),
      value,
      lineOf: (path) => lineAt(offsetOf(contents, path)),
    });
  }
  return out;
}

/** Offset of the deepest node along `path`: the key of a map entry, the item of a sequence. */
function offsetOf(root: Node, path: FieldPath): number {
  let node: unknown = root;
  let best = root.range?.[0] ?? 0;
  for (const seg of path) {
    if (isMap(node)) {
      const pair = node.items.find((p) => isPair(p) && keyEquals(p.key, seg));
      if (!pair) break;
      const key = pair.key as Node | null;
      best = key?.range?.[0] ?? best;
      node = pair.value;
    } else if (isSeq(node) && typeof seg === 'number') {
      const item = node.items[seg] as Node | undefined;
      if (!item) break;
      best = item.range?.[0] ?? best;
      node = item;
    } else {
      break;
    }
  }
  return best;
}

function keyEquals(key: unknown, seg: string | number): boolean {
  if (isScalar(key)) return String(key.value) === String(seg);
  return false;
}

function firstLine(s: string): string {
  return s.split('\n')[0] ?? s;
}
