/**
 * CVSS v3.0 / v3.1 base score, implemented from the FIRST specifications
 * (https://www.first.org/cvss/v3.1/specification-document, section 7; v3.0 section 8).
 */

const AV = { N: 0.85, A: 0.62, L: 0.55, P: 0.2 } as const;
const AC = { L: 0.77, H: 0.44 } as const;
const PR_UNCHANGED = { N: 0.85, L: 0.62, H: 0.27 } as const;
const PR_CHANGED = { N: 0.85, L: 0.68, H: 0.5 } as const;
const UI = { N: 0.85, R: 0.62 } as const;
const CIA = { H: 0.56, L: 0.22, N: 0 } as const;
const SCOPE = { U: 'U', C: 'C' } as const;

const BASE = { AV, AC, PR: PR_UNCHANGED, UI, S: SCOPE, C: CIA, I: CIA, A: CIA } as const;
type BaseKey = keyof typeof BASE;
const BASE_KEYS = Object.keys(BASE) as BaseKey[];

/** Temporal and environmental metrics may appear in a vector; they do not change the base score. */
const OTHER: Record<string, readonly string[]> = {
  E: ['X', 'U', 'P', 'F', 'H'],
  RL: ['X', 'O', 'T', 'W', 'U'],
  RC: ['X', 'U', 'R', 'C'],
  CR: ['X', 'L', 'M', 'H'],
  IR: ['X', 'L', 'M', 'H'],
  AR: ['X', 'L', 'M', 'H'],
  MAV: ['X', 'N', 'A', 'L', 'P'],
  MAC: ['X', 'L', 'H'],
  MPR: ['X', 'N', 'L', 'H'],
  MUI: ['X', 'N', 'R'],
  MS: ['X', 'U', 'C'],
  MC: ['X', 'N', 'L', 'H'],
  MI: ['X', 'N', 'L', 'H'],
  MA: ['X', 'N', 'L', 'H'],
};

export interface Cvss3Base {
  version: '3.0' | '3.1';
  metrics: Record<BaseKey, string>;
}

/** Parses a `CVSS:3.x/...` vector; throws an Error naming the problem. */
export function parseCvss3(vector: string): Cvss3Base {
  const parts = vector.trim().split('/');
  const head = parts.shift();
  const m = /^CVSS:(3\.[01])$/.exec(head ?? '');
  if (!m) throw new Error(`not a CVSS v3 vector: ${vector}`);
  const version = m[1] as '3.0' | '3.1';
  const seen = new Map<string, string>();
  for (const p of parts) {
    const [k, v, extra] = p.split(':');
    if (!k || v === undefined || extra !== undefined) throw new Error(`malformed metric "${p}"`);
    if (seen.has(k)) throw new Error(`metric ${k} given twice`);
    const allowed = k in BASE ? Object.keys(BASE[k as BaseKey]) : OTHER[k];
    if (!allowed) throw new Error(`unknown metric ${k}`);
    if (!allowed.includes(v)) throw new Error(`invalid value ${v} for metric ${k}`);
    seen.set(k, v);
  }
  const metrics = {} as Record<BaseKey, string>;
  for (const k of BASE_KEYS) {
    const v = seen.get(k);
    if (v === undefined) throw new Error(`missing base metric ${k}`);
    metrics[k] = v;
  }
  return { version, metrics };
}

/** CVSS v3.1 Roundup (Appendix A): avoids floating-point artefacts such as 4.000000001 → 4.1. */
export function roundup31(x: number): number {
  const i = Math.round(x * 100000);
  return i % 10000 === 0 ? i / 100000 : (Math.floor(i / 10000) + 1) / 10;
}

/** CVSS v3.0 Round up: smallest number with one decimal place that is >= x. */
export function roundup30(x: number): number {
  return Math.ceil(x * 10) / 10;
}

/** Base score of a CVSS v3.0/v3.1 vector. */
export function cvss3BaseScore(vector: string): { version: '3.0' | '3.1'; score: number } {
  const { version, metrics: m } = parseCvss3(vector);
  const roundup = version === '3.1' ? roundup31 : roundup30;
  const changed = m.S === 'C';
  const c = CIA[m.C as keyof typeof CIA];
  const i = CIA[m.I as keyof typeof CIA];
  const a = CIA[m.A as keyof typeof CIA];
  const iss = 1 - (1 - c) * (1 - i) * (1 - a);
  const impact = changed ? 7.52 * (iss - 0.029) - 3.25 * Math.pow(iss - 0.02, 15) : 6.42 * iss;
  const pr = (changed ? PR_CHANGED : PR_UNCHANGED)[m.PR as keyof typeof PR_UNCHANGED];
  const exploitability =
    8.22 * AV[m.AV as keyof typeof AV] * AC[m.AC as keyof typeof AC] * pr * UI[m.UI as keyof typeof UI];
  if (impact <= 0) return { version, score: 0 };
  const score = changed
    ? roundup(Math.min(1.08 * (impact + exploitability), 10))
    : roundup(Math.min(impact + exploitability, 10));
  return { version, score };
}
