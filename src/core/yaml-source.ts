import { isMap, isPair, isScalar, isSeq, LineCounter, parseAllDocuments, type Node } from 'yaml';
import { UserError } from './errors.js';

/** A path into a decoded document: map keys and sequence indexes. */
export type FieldPath = readonly (string | number)[];

/**
 * Bound on alias expansion. The yaml library counts how many nodes aliases pull in; a "billion laughs"
 * document exceeds this quickly and is rejected instead of exhausting memory.
 */
export const MAX_ALIAS_COUNT = 1000;

/**
 * Bound on collection nesting. The yaml library recurses per level and, well before 1,000 levels, runs out
 * of stack; near the stack limit V8 can even abort the whole process (seen: a fatal "RegExpCompiler
 * allocation failed" at 100k `[`). Documents are therefore pre-scanned and rejected above this depth before
 * the library sees them. Real manifests (CRD schemas included) stay far below it.
 */
export const MAX_NESTING_DEPTH = 200;

export interface ParseOptions {
  /** false: always use the yaml library (the fast path is only an optimisation; tests compare both). */
  fast?: boolean;
}

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
 *
 * Speed: the yaml library parses about 1-2 MB/s, too slow for 10,000-resource inputs. Documents are
 * therefore first tried with a small line-based parser for the block-style subset that nearly all
 * manifests use (block maps and sequences, plain and single-line quoted scalars, single-line flow
 * collections, literal and folded block scalars). It gives up on anything else (anchors, aliases, tags,
 * multi-line scalars, JSON, odd indentation, any doubt) and that document goes to the yaml library, so
 * values, errors and lines are always the library's. Both paths resolve scalars with the YAML 1.2 core
 * schema, take the last of duplicate keys, and point `lineOf` at the same lines.
 */
export function parseYamlDocuments(
  text: string,
  file: string,
  lineOffset = 0,
  options: ParseOptions = {},
): SourceDocument[] {
  if (options.fast === false) return parseWithLibrary(text, file, lineOffset, 0);
  let body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  if (body.includes('\r')) body = body.replace(/\r\n/g, '\n');
  // Streams the fast path does not model at all go to the library whole.
  if (body.includes('\r') || body.includes('\ufeff') || /^%/m.test(body) || CONTROL_CHARS.test(body)) {
    return parseWithLibrary(text, file, lineOffset, 0);
  }
  const lines = body.split('\n');
  const endsWithNewline = body.endsWith('\n');
  if (endsWithNewline) lines.pop(); // the split's empty tail is not a line
  const out: SourceDocument[] = [];
  for (const seg of splitDocuments(lines)) {
    const parsed = fastDocument(lines, seg, endsWithNewline);
    if (parsed === BAIL) {
      const slice =
        lines.slice(seg.from, seg.to).join('\n') + (seg.to < lines.length || endsWithNewline ? '\n' : '');
      for (const doc of parseWithLibrary(slice, file, lineOffset + seg.from, seg.index)) out.push(doc);
      continue;
    }
    if (parsed === undefined) continue; // empty document, or only comments
    const root = parsed.pos;
    out.push({
      file,
      index: seg.index,
      line: root.line + lineOffset,
      value: parsed.value,
      lineOf: (path) => lineInTree(root, path) + lineOffset,
    });
  }
  return out;
}

// eslint-disable-next-line no-control-regex
const CONTROL_CHARS = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/;

// ---------------------------------------------------------------------------------------------------------
// The yaml library path.

function parseWithLibrary(
  text: string,
  file: string,
  lineOffset: number,
  indexBase: number,
): SourceDocument[] {
  const deep = nestingExceeds(text, MAX_NESTING_DEPTH);
  if (deep !== undefined) {
    throw new UserError(`YAML nesting is deeper than ${MAX_NESTING_DEPTH} levels`, {
      file,
      line: deep + lineOffset,
    });
  }
  const lineCounter = new LineCounter();
  let docs;
  try {
    docs = parseAllDocuments(text, { lineCounter, uniqueKeys: false, strict: false });
  } catch (e) {
    throw libraryFailure(e, file, 1 + lineOffset);
  }
  const list = Array.isArray(docs) ? docs : [docs];
  const lineAt = (offset: number): number => lineCounter.linePos(offset).line + lineOffset;
  const out: SourceDocument[] = [];
  for (const [index, doc] of list.entries()) {
    const err = doc.errors[0];
    if (err) {
      const line = err.linePos?.[0]?.line ?? 1;
      throw new UserError(`invalid YAML: ${firstLine(err.message)}`, { file, line: line + lineOffset });
    }
    // Empty document (only comments, or nothing between `---` separators).
    if (doc.contents === null || isEmptyScalar(doc.contents)) continue;
    let value: unknown;
    try {
      value = doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
    } catch (e) {
      const line = lineAt(doc.contents.range?.[0] ?? 0);
      const msg = e instanceof Error ? e.message : String(e);
      if (/alias|resource exhaustion/i.test(msg)) {
        throw new UserError(
          `YAML aliases expand past the limit of ${MAX_ALIAS_COUNT} nodes (possible YAML bomb)`,
          { file, line },
        );
      }
      throw libraryFailure(e, file, line);
    }
    const contents = doc.contents;
    out.push({
      file,
      index: indexBase + index,
      line: lineAt(contents.range?.[0] ?? 0),
      value,
      lineOf: (path) => lineAt(offsetOf(contents, path)),
    });
  }
  return out;
}

function isEmptyScalar(node: Node): boolean {
  return isScalar(node) && node.value === null && node.range?.[0] === node.range?.[1];
}

function libraryFailure(e: unknown, file: string, line: number): UserError {
  if (e instanceof RangeError) return new UserError('YAML is nested too deeply to parse', { file, line });
  return new UserError(`invalid YAML: ${firstLine(e instanceof Error ? e.message : String(e))}`, {
    file,
    line,
  });
}

/** Offset of the deepest node along `path`: the key of a map entry, the item of a sequence. */
function offsetOf(root: Node, path: FieldPath): number {
  let node: unknown = root;
  let best = root.range?.[0] ?? 0;
  for (const seg of path) {
    if (isMap(node)) {
      // The last of duplicate keys, as that is the value toJS keeps.
      let pair: (typeof node.items)[number] | undefined;
      for (const p of node.items) if (isPair(p) && keyEquals(p.key, seg)) pair = p;
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
  // Keys as toJS writes them into objects: null becomes '', everything else String().
  if (isScalar(key)) return (key.value === null ? '' : String(key.value)) === String(seg);
  return false;
}

/** The library's message without its own position: it counts lines within the parsed slice. */
function firstLine(s: string): string {
  return (s.split('\n')[0] ?? s).replace(/ at line \d+, column \d+:?$/, '');
}

/**
 * Cheap linear over-estimate of collection nesting, run before the yaml library: block levels (distinct
 * indentation steps plus compact `- ` entries) and flow levels (`[`/`{` that open a collection). Returns
 * the 1-based line (within `text`) where `limit` is first exceeded, or undefined.
 */
export function nestingExceeds(text: string, limit: number): number | undefined {
  const indents: number[] = [];
  let flow = 0;
  let quote = 0; // open quote char code inside flow context, 0 when none
  let prev = 0x5b; // last significant character in flow context
  let lineNo = 0;
  let start = 0;
  while (start <= text.length) {
    let end = text.indexOf('\n', start);
    if (end === -1) end = text.length;
    lineNo++;
    let i = start;
    if (flow === 0) {
      while (i < end && text.charCodeAt(i) === 0x20) i++;
      const indent = i - start;
      if (i < end && text.charCodeAt(i) !== 0x23 /* # */) {
        if (indent === 0 && (text.startsWith('---', i) || text.startsWith('...', i))) indents.length = 0;
        while (indents.length > 0 && (indents[indents.length - 1] ?? 0) >= indent) indents.pop();
        indents.push(indent);
        let level = indents.length;
        // Compact nested sequences and explicit keys on one line: `- - - x`, `? ? x`.
        while (
          i + 1 < end &&
          (text.charCodeAt(i) === 0x2d || text.charCodeAt(i) === 0x3f) &&
          text.charCodeAt(i + 1) === 0x20
        ) {
          level++;
          i += 2;
          while (i < end && text.charCodeAt(i) === 0x20) i++;
        }
        if (level > limit) return lineNo;
        // A flow collection opens where a value starts: here, or after the first `: ` (outside a quoted key).
        let open = i;
        let o = text.charCodeAt(open);
        if (o !== 0x5b && o !== 0x7b) {
          let from = i;
          if (o === 0x22 || o === 0x27) from = closingQuote(text, i, end);
          const colon = text.indexOf(': ', from);
          open = colon !== -1 && colon < end ? colon + 2 : end;
          while (open < end && text.charCodeAt(open) === 0x20) open++;
          o = text.charCodeAt(open);
        }
        i = open < end && (o === 0x5b || o === 0x7b) ? open : end;
        prev = 0x5b;
      } else {
        i = end;
      }
    }
    for (; i < end; i++) {
      const c = text.charCodeAt(i);
      if (quote !== 0) {
        if (c === quote) {
          if (quote === 0x27 && text.charCodeAt(i + 1) === 0x27) i++;
          else quote = 0;
        } else if (c === 0x5c /* \ */ && quote === 0x22) i++;
        continue;
      }
      if (c === 0x20) continue;
      if ((c === 0x22 || c === 0x27) && (prev === 0x5b || prev === 0x7b || prev === 0x2c || prev === 0x3a)) {
        quote = c; // a quoted scalar starts only where a flow node starts
      } else if (c === 0x5b || c === 0x7b) {
        flow++;
        if (flow + indents.length > limit) return lineNo;
      } else if (c === 0x5d || c === 0x7d) {
        if (flow > 0) flow--;
        if (flow === 0) break; // back in block context: the rest of the line is not scanned
      } else if (c === 0x23 && (i === start || text.charCodeAt(i - 1) === 0x20)) break;
      prev = c;
    }
    start = end + 1;
  }
  return undefined;
}

/** Index just past the quoted scalar opening at `i`, or `end` when it does not close on this line. */
function closingQuote(text: string, i: number, end: number): number {
  const q = text.charCodeAt(i);
  for (let j = i + 1; j < end; j++) {
    const c = text.charCodeAt(j);
    if (c === 0x5c && q === 0x22) j++;
    else if (c === q) {
      if (q === 0x27 && text.charCodeAt(j + 1) === 0x27) j++;
      else return j + 1;
    }
  }
  return end;
}

// ---------------------------------------------------------------------------------------------------------
// The fast path.

/**
 * Position tree, kept lean because it is built for every node of every document: a scalar is just its
 * line; a collection has its line (the map entry's key or the sequence item) and its children's, with
 * `keys` parallel to `kids` for maps (a duplicate key's last occurrence wins, as in the value).
 */
type PosNode = number | Pos;
interface Pos {
  line: number;
  keys?: string[];
  kids: PosNode[];
}

function lineInTree(root: Pos, path: FieldPath): number {
  let node: PosNode = root;
  for (const seg of path) {
    if (typeof node === 'number') break;
    let next: PosNode | undefined;
    if (node.keys) {
      const i = node.keys.lastIndexOf(String(seg));
      if (i !== -1) next = node.kids[i];
    } else if (typeof seg === 'number') next = node.kids[seg];
    if (next === undefined) break;
    node = next;
  }
  return typeof node === 'number' ? node : node.line;
}

interface Segment {
  index: number;
  /** Line range [from, to) in the stream, including a leading `---` marker line and comments before it. */
  from: number;
  to: number;
  /** Line of the `---` marker that opened the document, or -1. */
  marker: number;
}

/**
 * Splits the stream at `---` / `...` marker lines, numbering documents as the yaml library does (a first
 * `---` after only comments does not start a second document; `...` followed by nothing adds none).
 */
function splitDocuments(lines: string[]): Segment[] {
  const out: Segment[] = [];
  let from = 0;
  let marker = -1;
  let open = false; // current document begun by an explicit `---`
  let content = false;
  const close = (to: number): void => {
    if (open || content) out.push({ index: out.length, from, to, marker });
  };
  for (let i = 0; i < lines.length; i++) {
    const l = lines[i] ?? '';
    const c = l.charCodeAt(0);
    if (c === 0x2d && isMarker(l, '---')) {
      // Comments before the first marker belong to the document it starts.
      if (open || content) {
        close(i);
        from = i;
      }
      marker = i;
      open = true;
      content = l.length > 3 && !/^---\s+(#.*)?$/.test(l);
      continue;
    }
    if (c === 0x2e && isMarker(l, '...')) {
      // The library counts a document ended by `...` even when it is empty.
      out.push({ index: out.length, from, to: i + 1, marker });
      from = i + 1;
      marker = -1;
      open = false;
      content = false;
      continue;
    }
    if (!content && !isBlankOrComment(l)) content = true;
  }
  close(lines.length);
  return out;
}

function isMarker(l: string, m: string): boolean {
  return l.startsWith(m) && (l.length === 3 || l[3] === ' ' || l[3] === '\t');
}

function isBlankOrComment(l: string): boolean {
  for (let i = 0; i < l.length; i++) {
    const c = l.charCodeAt(i);
    if (c === 0x20 || c === 0x09) continue;
    return c === 0x23;
  }
  return true;
}

const BAIL: unique symbol = Symbol('bail');

/** Thrown inside the fast parser to hand the document to the yaml library. */
class Bail {
  static readonly instance = new Bail();
}

/** Deeper than this, the fast parser leaves the document to the library (and its nesting guard). */
const FAST_MAX_DEPTH = 64;

function fastDocument(
  lines: string[],
  seg: Segment,
  endsWithNewline: boolean,
): { value: unknown; pos: Pos } | undefined | typeof BAIL {
  let from = seg.from;
  if (seg.marker !== -1) {
    if (!/^---\s*(#.*)?$/.test(lines[seg.marker] ?? '')) return BAIL; // content on the marker line
    from = seg.marker + 1;
  }
  const p = new FastParser(lines, from, seg.to, seg.to === lines.length && !endsWithNewline);
  try {
    return p.document();
  } catch (e) {
    if (e instanceof Bail) return BAIL;
    throw e;
  }
}

class FastParser {
  private i: number;
  private depth = 0;
  /** Position of the value last returned by `value()`; 0 means "on the caller's line". */
  private pos: PosNode = 0;

  constructor(
    private readonly lines: string[],
    from: number,
    private readonly end: number,
    /** The document's last line has no line break (matters for block scalar chomping). */
    private readonly noFinalBreak: boolean,
  ) {
    this.i = from;
  }

  document(): { value: unknown; pos: Pos } | undefined {
    const n = this.nextContent();
    if (n === -1) return undefined;
    const line = this.lines[this.i] ?? '';
    let value: unknown;
    if (line.charCodeAt(n) === 0x2d && isSeqIndicator(line, n)) value = this.seq(n);
    else if (this.keyAt(line, n) === undefined)
      throw Bail.instance; // a scalar or flow (JSON) document
    else value = this.map(n, n);
    if (this.nextContent() !== -1) throw Bail.instance; // something the structure did not account for
    return { value, pos: this.pos as Pos };
  }

  /** Moves to the next line with content; returns its indentation, or -1 at the end of the document. */
  private nextContent(): number {
    for (; this.i < this.end; this.i++) {
      const l = this.lines[this.i] ?? '';
      let k = 0;
      while (l.charCodeAt(k) === 0x20) k++;
      if (k === l.length) continue;
      const c = l.charCodeAt(k);
      if (c === 0x23) continue;
      if (c === 0x09) throw Bail.instance;
      return k;
    }
    return -1;
  }

  private enter(): void {
    if (++this.depth > FAST_MAX_DEPTH) throw Bail.instance;
  }

  /**
   * Block mapping whose entries sit at column `indent`; the first entry starts at `col` of this line.
   * Leaves its position in `this.pos`.
   */
  private map(indent: number, col: number): Record<string, unknown> {
    this.enter();
    const value: Record<string, unknown> = {};
    const keys: string[] = [];
    const kids: PosNode[] = [];
    const pos: Pos = { line: this.i + 1, keys, kids };
    let c = col;
    for (;;) {
      const lineNo = this.i;
      const line = this.lines[lineNo] ?? '';
      const key = this.keyAt(line, c);
      if (key === undefined) throw Bail.instance;
      if (key.key === '__proto__' || key.key === '<<') throw Bail.instance;
      this.i++;
      value[key.key] = this.value(line, key.next, indent, true);
      const p = this.pos;
      if (typeof p === 'number') kids.push(lineNo + 1);
      else {
        p.line = lineNo + 1; // an entry is where its key is
        kids.push(p);
      }
      keys.push(key.key);
      const n = this.nextContent();
      if (n === -1 || n < indent) break;
      if (n > indent) throw Bail.instance;
      const l = this.lines[this.i] ?? '';
      if (l.charCodeAt(n) === 0x2d && isSeqIndicator(l, n)) break; // the parent's sequence continues
      c = n;
    }
    this.depth--;
    this.pos = pos;
    return value;
  }

  /** Block sequence with its `-` indicators at column `indent`. Leaves its position in `this.pos`. */
  private seq(indent: number): unknown[] {
    this.enter();
    const value: unknown[] = [];
    const kids: PosNode[] = [];
    const pos: Pos = { line: this.i + 1, kids };
    for (;;) {
      const lineNo = this.i;
      const line = this.lines[lineNo] ?? '';
      let k = indent + 1;
      while (line.charCodeAt(k) === 0x20) k++;
      if (line.charCodeAt(k) === 0x09) throw Bail.instance;
      if (k < line.length && line.charCodeAt(k) !== 0x23 && this.keyAt(line, k) !== undefined) {
        // `- key: value` starts a compact mapping at column k, on this line.
        value.push(this.map(k, k));
      } else {
        if (line.charCodeAt(k) === 0x2d && isSeqIndicator(line, k)) throw Bail.instance; // `- - x`
        this.i++;
        value.push(this.value(line, k, indent, false));
      }
      // An item is where its content starts: this line, or the block below an empty `-`.
      kids.push(this.pos === 0 ? lineNo + 1 : this.pos);
      const n = this.nextContent();
      if (n === -1 || n < indent) break;
      const l = this.lines[this.i] ?? '';
      if (n > indent) throw Bail.instance;
      if (!(l.charCodeAt(n) === 0x2d && isSeqIndicator(l, n))) break;
    }
    this.depth--;
    this.pos = pos;
    return value;
  }

  /**
   * The value that starts at column `k` of `line` (already consumed) for a parent at column `indent`.
   * An empty rest means the value is the block below (or null). Leaves the value's position in `this.pos`
   * (0: on the caller's line).
   */
  private value(line: string, k: number, indent: number, inMap: boolean): unknown {
    while (line.charCodeAt(k) === 0x20) k++;
    const c = line.charCodeAt(k);
    this.pos = 0;
    if (k >= line.length || c === 0x23) {
      const n = this.nextContent();
      if (n === -1) return null;
      const l = this.lines[this.i] ?? '';
      const isSeq = l.charCodeAt(n) === 0x2d && isSeqIndicator(l, n);
      if (n > indent) return isSeq ? this.seq(n) : this.map(n, n);
      if (n === indent && isSeq && inMap) return this.seq(n);
      return null;
    }
    if (c === 0x09) throw Bail.instance;
    if (c === 0x7c /* | */ || c === 0x3e /* > */) return this.blockScalar(line, k, indent);
    let value: unknown;
    let end: number;
    if (c === 0x22 /* " */ || c === 0x27 /* ' */) {
      const q = c === 0x22 ? doubleQuoted(line, k) : singleQuoted(line, k);
      value = q.value;
      end = q.end;
    } else if (c === 0x5b /* [ */ || c === 0x7b /* { */) {
      const f = new FlowParser(line, k, this.i);
      value = f.collection();
      end = f.k;
      this.pos = f.pos;
    } else {
      const r = plainValue(line, k);
      value = r.value;
      end = r.end;
    }
    if (!restIsComment(line, end)) throw Bail.instance;
    // A more-indented line next would continue a multi-line scalar: leave that to the library.
    this.assertNoContinuation(indent);
    return value;
  }

  private assertNoContinuation(indent: number): void {
    for (let j = this.i; j < this.end; j++) {
      const l = this.lines[j] ?? '';
      let k = 0;
      while (l.charCodeAt(k) === 0x20) k++;
      if (k === l.length) continue;
      if (k > indent) throw Bail.instance;
      return;
    }
  }

  /** Literal `|` and folded `>` scalars with optional chomping indicator (no explicit indentation). */
  private blockScalar(line: string, k: number, indent: number): string {
    const folded = line.charCodeAt(k) === 0x3e;
    let chomp = 0; // 0 clip, -1 strip, 1 keep
    let h = k + 1;
    if (line[h] === '-' || line[h] === '+') {
      chomp = line[h] === '-' ? -1 : 1;
      h++;
    }
    if (!restIsComment(line, h)) throw Bail.instance;
    const content: string[] = [];
    let m = -1; // content indentation, from the first non-empty line
    for (; this.i < this.end; this.i++) {
      const l = this.lines[this.i] ?? '';
      let s = 0;
      while (l.charCodeAt(s) === 0x20) s++;
      if (s === l.length) {
        if (m !== -1 && s > m) throw Bail.instance; // whitespace-only line with extra spaces
        if (m === -1 && s > indent + 1) throw Bail.instance;
        content.push('');
        continue;
      }
      if (m === -1) {
        if (s <= indent) break;
        m = s;
      } else if (s < m) {
        if (s > indent) throw Bail.instance;
        break;
      }
      if (l.includes('\t')) throw Bail.instance;
      content.push(l.slice(m));
    }
    if (m === -1 && content.length > 0) throw Bail.instance;
    if (this.i === this.end && this.noFinalBreak && content.length > 0) throw Bail.instance;
    // Lines taken past the end are trailing empty lines; the outer parser re-reads nothing of them.
    let last = content.length;
    while (last > 0 && content[last - 1] === '') last--;
    const trailing = content.length - last;
    const body = content.slice(0, last);
    let text: string;
    if (folded) {
      text = '';
      let prevEmpty = 0;
      let started = false;
      for (const l of body) {
        if (l === '') {
          prevEmpty++;
          continue;
        }
        if (l.charCodeAt(0) === 0x20) throw Bail.instance; // more-indented lines fold differently
        if (!started) text += '\n'.repeat(prevEmpty);
        else text += prevEmpty > 0 ? '\n'.repeat(prevEmpty) : ' ';
        text += l;
        started = true;
        prevEmpty = 0;
      }
    } else {
      text = body.join('\n');
    }
    if (body.length === 0) {
      if (chomp === 1) throw Bail.instance;
      return '';
    }
    if (chomp === -1) return text;
    if (chomp === 0) return text + '\n';
    return text + '\n' + '\n'.repeat(trailing);
  }

  /** A map key at column k: `key:` followed by space or end of line. */
  keyAt(line: string, k: number): { key: string; next: number } | undefined {
    const c = line.charCodeAt(k);
    if (c === 0x22 || c === 0x27) {
      const q = c === 0x22 ? doubleQuoted(line, k) : singleQuoted(line, k);
      if (line.charCodeAt(q.end) !== 0x3a) return undefined;
      const after = line.charCodeAt(q.end + 1);
      if (q.end + 1 < line.length && after !== 0x20) return undefined;
      return { key: q.value, next: q.end + 1 };
    }
    if (INDICATOR.has(c)) return undefined;
    if ((c === 0x2d || c === 0x3f || c === 0x3a) && !isSafeAfterIndicator(line, k + 1)) return undefined;
    for (let j = k; j < line.length; j++) {
      const d = line.charCodeAt(j);
      if (j - k > 1000) throw Bail.instance; // the library limits implicit keys to 1024 characters
      if (d === 0x3a) {
        if (j + 1 === line.length || line.charCodeAt(j + 1) === 0x20) {
          let e = j;
          while (e > k && line.charCodeAt(e - 1) === 0x20) e--;
          if (e === k) return undefined;
          return { key: stringifyKey(resolvePlain(line.slice(k, e))), next: j + 1 };
        }
      } else if (d === 0x23 && line.charCodeAt(j - 1) === 0x20) {
        return undefined;
      } else if (d === 0x09) {
        throw Bail.instance;
      }
    }
    return undefined;
  }
}

/** Characters that cannot start a plain scalar (`-`, `?`, `:` are checked separately). */
const INDICATOR = new Set([...',[]{}#&*!|>\'"%@`'].map((ch) => ch.charCodeAt(0)));

function isSafeAfterIndicator(line: string, j: number): boolean {
  return j < line.length && line.charCodeAt(j) !== 0x20 && line.charCodeAt(j) !== 0x09;
}

function isSeqIndicator(line: string, k: number): boolean {
  return k + 1 === line.length || line.charCodeAt(k + 1) === 0x20;
}

function restIsComment(line: string, k: number): boolean {
  let j = k;
  while (line.charCodeAt(j) === 0x20) j++;
  if (j >= line.length) return true;
  return line.charCodeAt(j) === 0x23 && j > k;
}

function stringifyKey(v: unknown): string {
  return v === null ? '' : String(v);
}

/** A block-context plain scalar on one line (the caller checks there is no continuation). */
function plainValue(line: string, k: number): { value: unknown; end: number } {
  const c = line.charCodeAt(k);
  if (INDICATOR.has(c)) throw Bail.instance;
  if ((c === 0x2d || c === 0x3f || c === 0x3a) && !isSafeAfterIndicator(line, k + 1)) throw Bail.instance;
  let end = line.length;
  for (let j = k; j < line.length; j++) {
    const d = line.charCodeAt(j);
    if (d === 0x23 && line.charCodeAt(j - 1) === 0x20) {
      end = j;
      break;
    }
    if (d === 0x3a && (j + 1 === line.length || line.charCodeAt(j + 1) === 0x20)) throw Bail.instance;
    if (d === 0x09) throw Bail.instance;
  }
  while (end > k && line.charCodeAt(end - 1) === 0x20) end--;
  return { value: resolvePlain(line.slice(k, end)), end };
}

const INT = /^[-+]?[0-9]+$/;
const FLOAT = /^[-+]?(?:\.[0-9]+|[0-9]+\.[0-9]*)$/;
const FLOAT_EXP = /^[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)[eE][-+]?[0-9]+$/;

/** YAML 1.2 core schema resolution of a plain scalar, as the yaml library does it (no BigInt). */
export function resolvePlain(s: string): unknown {
  if (s === '') return null;
  const c = s.charCodeAt(0);
  // Only strings starting with these can resolve to something other than a string.
  if (!(c <= 0x39 /* digits, +, -, . */ || c === 0x7e || c === 0x6e || c === 0x4e || c === 0x74)) {
    if (c !== 0x54 && c !== 0x66 && c !== 0x46) return s;
  }
  switch (s) {
    case '':
    case '~':
    case 'null':
    case 'Null':
    case 'NULL':
      return null;
    case 'true':
    case 'True':
    case 'TRUE':
      return true;
    case 'false':
    case 'False':
    case 'FALSE':
      return false;
    case '.inf':
    case '.Inf':
    case '.INF':
    case '+.inf':
    case '+.Inf':
    case '+.INF':
      return Number.POSITIVE_INFINITY;
    case '-.inf':
    case '-.Inf':
    case '-.INF':
      return Number.NEGATIVE_INFINITY;
    case '.nan':
    case '.NaN':
    case '.NAN':
      return Number.NaN;
  }
  if (/^0o[0-7]+$/.test(s)) return parseInt(s.slice(2), 8);
  if (/^0x[0-9a-fA-F]+$/.test(s)) return parseInt(s.slice(2), 16);
  if (INT.test(s)) return parseInt(s, 10);
  if (FLOAT_EXP.test(s) || FLOAT.test(s)) return parseFloat(s);
  return s;
}

const ESCAPES: Record<string, string> = {
  '0': '\0',
  a: '\x07',
  b: '\b',
  t: '\t',
  '\t': '\t',
  n: '\n',
  v: '\v',
  f: '\f',
  r: '\r',
  e: '\x1b',
  ' ': ' ',
  '"': '"',
  '/': '/',
  '\\': '\\',
  N: '\u0085',
  _: '\u00a0',
  L: '\u2028',
  P: '\u2029',
};

/** A double-quoted scalar closed on the same line. */
function doubleQuoted(line: string, k: number): { value: string; end: number } {
  let out = '';
  let run = k + 1;
  for (let j = k + 1; j < line.length; j++) {
    const c = line.charCodeAt(j);
    if (c === 0x22) return { value: out + line.slice(run, j), end: j + 1 };
    if (c === 0x5c) {
      out += line.slice(run, j);
      const e = line[j + 1] ?? '';
      const simple = ESCAPES[e];
      if (simple !== undefined) {
        out += simple;
        j++;
      } else {
        const len = e === 'x' ? 2 : e === 'u' ? 4 : e === 'U' ? 8 : 0;
        const hex = line.slice(j + 2, j + 2 + len);
        if (len === 0 || !/^[0-9a-fA-F]+$/.test(hex) || hex.length !== len) throw Bail.instance;
        const cp = parseInt(hex, 16);
        if (cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) throw Bail.instance;
        out += String.fromCodePoint(cp);
        j += 1 + len;
      }
      run = j + 1;
    }
  }
  throw Bail.instance; // continues on the next line
}

/** A single-quoted scalar closed on the same line (`''` is a quote). */
function singleQuoted(line: string, k: number): { value: string; end: number } {
  let out = '';
  let run = k + 1;
  for (let j = k + 1; j < line.length; j++) {
    if (line.charCodeAt(j) !== 0x27) continue;
    if (line.charCodeAt(j + 1) === 0x27) {
      out += line.slice(run, j + 1);
      j++;
      run = j + 1;
      continue;
    }
    return { value: out + line.slice(run, j), end: j + 1 };
  }
  throw Bail.instance;
}

/** A flow collection that opens and closes on one line, with scalar or nested flow items. */
class FlowParser {
  private depth = 0;
  /** Position of the collection last parsed. */
  pos: Pos = { line: 0, kids: [] };

  constructor(
    private readonly line: string,
    public k: number,
    /** 1-based line number of `line`. */
    private readonly lineNo: number,
  ) {}

  private ws(): void {
    while (this.line.charCodeAt(this.k) === 0x20) this.k++;
    if (this.k >= this.line.length || this.line.charCodeAt(this.k) === 0x23) throw Bail.instance;
  }

  /** Parses the collection at `k`, leaving `k` after it and its position in `pos`. */
  collection(): unknown {
    if (++this.depth > FAST_MAX_DEPTH) throw Bail.instance;
    const open = this.line.charCodeAt(this.k);
    this.k++;
    const kids: PosNode[] = [];
    if (open === 0x5b) {
      const value: unknown[] = [];
      this.ws();
      if (this.line.charCodeAt(this.k) !== 0x5d) {
        for (;;) {
          value.push(this.item(false));
          kids.push(this.itemPos());
          this.ws();
          const c = this.line.charCodeAt(this.k++);
          if (c === 0x5d) break;
          if (c !== 0x2c) throw Bail.instance;
          this.ws();
          if (this.line.charCodeAt(this.k) === 0x5d) throw Bail.instance; // trailing comma
        }
      } else this.k++;
      this.depth--;
      this.pos = { line: this.lineNo, kids };
      return value;
    }
    const value: Record<string, unknown> = {};
    const keys: string[] = [];
    this.ws();
    if (this.line.charCodeAt(this.k) !== 0x7d) {
      for (;;) {
        const key = this.item(true);
        const name = stringifyKey(key);
        if (name === '__proto__' || name === '<<') throw Bail.instance;
        this.ws();
        if (this.line.charCodeAt(this.k) !== 0x3a) throw Bail.instance;
        this.k++;
        if (this.line.charCodeAt(this.k) !== 0x20) throw Bail.instance;
        this.ws();
        value[name] = this.item(false);
        keys.push(name);
        kids.push(this.itemPos());
        this.ws();
        const c = this.line.charCodeAt(this.k++);
        if (c === 0x7d) break;
        if (c !== 0x2c) throw Bail.instance;
        this.ws();
        if (this.line.charCodeAt(this.k) === 0x7d) throw Bail.instance;
      }
    } else this.k++;
    this.depth--;
    this.pos = { line: this.lineNo, keys, kids };
    return value;
  }

  private lastWasCollection = false;

  private itemPos(): PosNode {
    return this.lastWasCollection ? this.pos : this.lineNo;
  }

  private item(isKey: boolean): unknown {
    this.lastWasCollection = false;
    const c = this.line.charCodeAt(this.k);
    if (c === 0x5b || c === 0x7b) {
      if (isKey) throw Bail.instance;
      const v = this.collection();
      this.lastWasCollection = true;
      return v;
    }
    if (c === 0x22 || c === 0x27) {
      const q = c === 0x22 ? doubleQuoted(this.line, this.k) : singleQuoted(this.line, this.k);
      this.k = q.end;
      // `["a": 1]` and `{"a":1}` (adjacent value) are left to the library.
      if (!isKey && this.line.charCodeAt(this.k) === 0x3a) throw Bail.instance;
      return q.value;
    }
    if (INDICATOR.has(c) || c === 0x2d || c === 0x3f || c === 0x3a) {
      // Plain scalars in flow may start with `-` before a digit or letter; keep only the simple case.
      if (!(c === 0x2d && isSafeAfterIndicator(this.line, this.k + 1))) throw Bail.instance;
    }
    const start = this.k;
    let j = start;
    for (; j < this.line.length; j++) {
      const d = this.line.charCodeAt(j);
      if (d === 0x2c || d === 0x5b || d === 0x5d || d === 0x7b || d === 0x7d) break;
      if (d === 0x3a) {
        if (!isKey) throw Bail.instance; // implicit pairs in flow sequences, or `a:b` in flow
        break;
      }
      if (d === 0x23 && this.line.charCodeAt(j - 1) === 0x20) throw Bail.instance;
      if (d === 0x09) throw Bail.instance;
    }
    let e = j;
    while (e > start && this.line.charCodeAt(e - 1) === 0x20) e--;
    if (e === start) throw Bail.instance;
    this.k = e;
    return resolvePlain(this.line.slice(start, e));
  }
}
