/**
 * Walks the library's parsed AST. We rely on a few of its internals (node `op`/`args`/`meta`, and the
 * `handle` a comprehension node gets when type-checked); the tests in limits.test.ts and regex.test.ts fail
 * loudly if a library upgrade moves them, because the cost budget and the RE2 `matches` depend on them.
 */
import type { ASTNode } from '@marcbachmann/cel-js';

export interface WalkNode {
  op: string;
  args: unknown;
  readonly meta: Record<string, unknown>;
  handle?: (...a: unknown[]) => unknown;
}

function isNode(v: unknown): v is WalkNode {
  return typeof v === 'object' && v !== null && typeof (v as { op?: unknown }).op === 'string' && 'meta' in v;
}

/** Visits every node once, including macro expansions (`meta.alternate`) and comprehension parts. */
export function walk(root: ASTNode, visit: (node: WalkNode) => void): void {
  const seen = new Set<unknown>();
  const pending: unknown[] = [root];
  while (pending.length > 0) {
    const item = pending.pop();
    if (typeof item !== 'object' || item === null || seen.has(item)) continue;
    seen.add(item);
    if (isNode(item)) {
      visit(item);
      pending.push(item.args, item.meta['alternate'], item.meta['macro']);
    } else if (Array.isArray(item)) {
      pending.push(...(item as unknown[]));
    } else if (Object.getPrototypeOf(item) === Object.prototype) {
      // comprehension args and macro descriptors are plain objects holding nodes; contexts are class instances
      for (const v of Object.values(item)) if (typeof v === 'object') pending.push(v);
    }
  }
}
