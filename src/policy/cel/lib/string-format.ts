/** `string.format(list)` of cel-go's ext strings (used by Kubernetes messageExpressions): %s %d %f %e %b %o %x %X %%. */
import { assertBuildable } from '../limits.js';

const VERB = /%(?:\.(\d{1,3}))?([a-zA-Z%])/g;

export function formatString(template: string, args: readonly unknown[]): string {
  let next = 0;
  let length = 0;
  const out = template.replace(VERB, (_m, precision: string | undefined, verb: string) => {
    if (verb === '%') return '%';
    if (next >= args.length) throw new Error(`index ${next} out of range`);
    const piece = formatOne(verb, args[next++], precision === undefined ? undefined : Number(precision));
    length += piece.length;
    assertBuildable(template.length + length);
    return piece;
  });
  return out;
}

function formatOne(verb: string, v: unknown, precision: number | undefined): string {
  switch (verb) {
    case 's':
      return toDisplay(v, false);
    case 'd':
      if (typeof v === 'bigint') return v.toString();
      break;
    case 'f':
      if (typeof v === 'number' || typeof v === 'bigint') return fixed(Number(v), precision ?? 6);
      break;
    case 'e':
      if (typeof v === 'number' || typeof v === 'bigint') return scientific(Number(v), precision ?? 6);
      break;
    case 'b':
      if (typeof v === 'bigint') return v.toString(2);
      if (typeof v === 'boolean') return String(v);
      break;
    case 'o':
      if (typeof v === 'bigint') return v.toString(8);
      break;
    case 'x':
    case 'X': {
      const hex = toHex(v);
      if (hex !== undefined) return verb === 'X' ? hex.toUpperCase() : hex;
      break;
    }
    default:
      throw new Error(`could not parse formatting clause: unrecognized formatting clause "${verb}"`);
  }
  throw new Error(`error during formatting: %${verb} does not accept a value of this type`);
}

function fixed(n: number, precision: number): string {
  if (Number.isNaN(n)) return 'NaN';
  if (!Number.isFinite(n)) return n > 0 ? 'Infinity' : '-Infinity';
  return n.toFixed(Math.min(precision, 100));
}

function scientific(n: number, precision: number): string {
  if (!Number.isFinite(n)) return fixed(n, precision);
  // Go prints at least two exponent digits (1.000000e+03); JS prints one
  return n.toExponential(Math.min(precision, 100)).replace(/e([+-])(\d)$/, 'e$10$2');
}

function toHex(v: unknown): string | undefined {
  if (typeof v === 'bigint') return v < 0n ? `-${(-v).toString(16)}` : v.toString(16);
  if (typeof v === 'string') return Buffer.from(v, 'utf8').toString('hex');
  if (v instanceof Uint8Array) return Buffer.from(v).toString('hex');
  return undefined;
}

/** %s: strings as-is at top level, quoted inside lists and maps (cel-go behaviour). */
function toDisplay(v: unknown, nested: boolean): string {
  if (v === null || v === undefined) return 'null';
  if (typeof v === 'string') return nested ? JSON.stringify(v) : v;
  if (typeof v === 'number') return Number.isInteger(v) && Math.abs(v) < 1e21 ? v.toFixed(0) : String(v);
  if (typeof v !== 'object') return String(v);
  if (Array.isArray(v)) return `[${v.map((x) => toDisplay(x, true)).join(', ')}]`;
  if (v instanceof Uint8Array) return Buffer.from(v).toString('utf8');
  if (Object.getPrototypeOf(v) === Object.prototype) {
    const entries = Object.entries(v).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, x]) => `${JSON.stringify(k)}: ${toDisplay(x, true)}`).join(', ')}}`;
  }
  return String(v);
}
