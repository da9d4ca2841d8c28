import { isRecord, toStatus, type KubeObject, type KubeStatus } from './types.js';

/** Default bound on one watch event line. The API server caps objects near 1.5 MiB (etcd); 16 MiB is generous. */
export const MAX_EVENT_BYTES = 16 * 1024 * 1024;

export type WatchEvent<T extends KubeObject = KubeObject> =
  | { type: 'ADDED' | 'MODIFIED' | 'DELETED'; object: T }
  /** Progress marker: nothing changed, but the collection is known to be at `resourceVersion`. */
  | { type: 'BOOKMARK'; resourceVersion: string }
  /** The server ends the watch with a Status, e.g. code 410 when the resourceVersion is too old. */
  | { type: 'ERROR'; status: KubeStatus };

/** One event line that could not be used; the watch goes on after it when the caller allows. */
export class WatchLineError extends Error {
  override readonly name = 'WatchLineError';
  constructor(
    message: string,
    /** Length of the offending line in bytes (for an oversized line: at least this many). */
    readonly bytes: number,
  ) {
    super(message);
  }
}

/** A complete line, the unterminated tail of the stream (`partial`), or a dropped oversized line. */
export type LineItem = { line: Buffer; partial?: true } | { oversized: number };

/**
 * Splits a byte stream into newline-terminated lines without ever holding more than `maxLineBytes` of one
 * line: a longer line is dropped as it streams by and reported once as `oversized`, so an endless line
 * cannot exhaust memory. A trailing line without newline is yielded with `partial` (the caller decides).
 */
export async function* splitLines(
  source: AsyncIterable<Buffer>,
  maxLineBytes: number,
): AsyncGenerator<LineItem> {
  let parts: Buffer[] = [];
  let size = 0;
  let discarding = 0; // > 0: bytes of an oversized line dropped so far
  for await (const chunk of source) {
    let start = 0;
    while (start < chunk.length) {
      const nl = chunk.indexOf(0x0a, start);
      const end = nl === -1 ? chunk.length : nl;
      const piece = chunk.subarray(start, end);
      if (discarding > 0) {
        discarding += piece.length;
      } else if (size + piece.length > maxLineBytes) {
        discarding = size + piece.length;
        parts = [];
        size = 0;
      } else if (piece.length > 0) {
        parts.push(piece);
        size += piece.length;
      }
      if (nl === -1) break;
      start = nl + 1;
      if (discarding > 0) {
        yield { oversized: discarding };
        discarding = 0;
      } else {
        yield { line: parts.length === 1 ? parts[0]! : Buffer.concat(parts, size) };
        parts = [];
        size = 0;
      }
    }
  }
  if (discarding > 0) yield { oversized: discarding };
  else if (size > 0) yield { line: Buffer.concat(parts, size), partial: true };
}

const OBJECT_EVENTS = new Set(['ADDED', 'MODIFIED', 'DELETED']);

/** Decodes one watch line (`{"type":…,"object":…}`); throws WatchLineError for anything unusable. */
export function parseWatchLine<T extends KubeObject = KubeObject>(line: Buffer): WatchEvent<T> {
  let doc: unknown;
  try {
    doc = JSON.parse(line.toString('utf8'));
  } catch {
    throw new WatchLineError(`watch event is not JSON: ${preview(line)}`, line.length);
  }
  if (!isRecord(doc) || typeof doc.type !== 'string' || !isRecord(doc.object)) {
    throw new WatchLineError(`watch event lacks type or object: ${preview(line)}`, line.length);
  }
  const { type, object } = doc;
  if (type === 'ERROR') {
    const status = toStatus(object);
    if (!status) throw new WatchLineError('watch ERROR event does not carry a Status', line.length);
    return { type, status };
  }
  const meta = object.metadata;
  const rv = isRecord(meta) ? meta.resourceVersion : undefined;
  if (type === 'BOOKMARK') {
    if (typeof rv !== 'string' || rv === '') {
      throw new WatchLineError('watch BOOKMARK event has no metadata.resourceVersion', line.length);
    }
    return { type, resourceVersion: rv };
  }
  if (!OBJECT_EVENTS.has(type))
    throw new WatchLineError(`unknown watch event type "${type.slice(0, 40)}"`, line.length);
  if (!isRecord(meta) || typeof meta.name !== 'string' || meta.name === '') {
    throw new WatchLineError(`watch ${type} event object has no metadata.name`, line.length);
  }
  if (meta.namespace !== undefined && typeof meta.namespace !== 'string') {
    throw new WatchLineError(`watch ${type} event object has a non-string metadata.namespace`, line.length);
  }
  if (typeof rv !== 'string' || rv === '') {
    throw new WatchLineError(`watch ${type} event object has no metadata.resourceVersion`, line.length);
  }
  return { type: type as 'ADDED' | 'MODIFIED' | 'DELETED', object: object as T };
}

function preview(line: Buffer): string {
  const s = line
    .subarray(0, 80)
    .toString('utf8')
    .replace(/[^\x20-\x7e]/g, '?');
  return line.length > 80 ? `${s}…` : s;
}
