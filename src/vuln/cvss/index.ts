import calc from 'ae-cvss-calculator';
import type { Severity } from '../../core/severity.js';
import { cvss3BaseScore } from './v3.js';

export { cvss3BaseScore, parseCvss3, roundup30, roundup31 } from './v3.js';

export type CvssVersion = '2.0' | '3.0' | '3.1' | '4.0';

export interface CvssScore {
  version: CvssVersion;
  vector: string;
  /**
   * The score of the vector as written. For v2 and v3 this is the base score (temporal and
   * environmental metrics are ignored). For v4 it is the score of all metrics present: CVSS-B for a
   * base-only vector, CVSS-BT/BE/BTE when threat or environmental metrics are given.
   */
  score: number;
  /** v4 only: the score of the base metrics alone (CVSS-B). */
  baseOnly?: number;
  severity: Severity;
}

/**
 * Qualitative rating (CVSS v3.1/v4.0 table): 0.0 none (reported as info), 0.1–3.9 low, 4.0–6.9 medium,
 * 7.0–8.9 high, 9.0–10.0 critical.
 */
export function severityFromScore(score: number): Severity {
  if (!(score > 0)) return 'info';
  if (score < 4) return 'low';
  if (score < 7) return 'medium';
  if (score < 9) return 'high';
  return 'critical';
}

const V4_REQUIRED = ['AV', 'AC', 'AT', 'PR', 'UI', 'VC', 'VI', 'VA', 'SC', 'SI', 'SA'];
const V2_REQUIRED = ['AV', 'AC', 'Au', 'C', 'I', 'A'];

function metricKeys(parts: string[]): string[] {
  const keys = parts.map((p) => p.split(':')[0] ?? '');
  if (new Set(keys).size !== keys.length) throw new Error('metric given twice');
  return keys;
}

/** CVSS v4.0 score via ae-cvss-calculator, an implementation of FIRST's MacroVector lookup method. */
function cvss4(vector: string): { score: number; baseOnly: number } {
  const parts = vector.split('/').slice(1);
  const keys = metricKeys(parts);
  for (const k of V4_REQUIRED) if (!keys.includes(k)) throw new Error(`missing base metric ${k}`);
  for (const p of parts) if (!/^[A-Za-z]+:[A-Z]$/.test(p)) throw new Error(`malformed metric "${p}"`);
  const v = new calc.Cvss4P0(vector);
  const s = v.calculateScores();
  if (s.overall === undefined || s.baseMetricsOnly === undefined) throw new Error('incomplete vector');
  return { score: s.overall, baseOnly: s.baseMetricsOnly };
}

function cvss2(vector: string): number {
  const body = vector.replace(/^\(|\)$/g, '').replace(/^CVSS:2\.0\//, '');
  const keys = metricKeys(body.split('/'));
  for (const k of V2_REQUIRED) if (!keys.includes(k)) throw new Error(`missing base metric ${k}`);
  const s = new calc.Cvss2(body).calculateScores();
  if (s.base === undefined) throw new Error('incomplete vector');
  return s.base;
}

/**
 * Scores a CVSS vector string (v2 `AV:N/AC:L/Au:N/...`, `CVSS:3.0/...`, `CVSS:3.1/...`, `CVSS:4.0/...`).
 * Throws an Error for a malformed or incomplete vector; {@link tryCvssScore} returns undefined instead.
 */
export function cvssScore(vector: string): CvssScore {
  const v = vector.trim();
  if (v.startsWith('CVSS:3.')) {
    const r = cvss3BaseScore(v);
    return { version: r.version, vector: v, score: r.score, severity: severityFromScore(r.score) };
  }
  if (v.startsWith('CVSS:4.0/')) {
    let r: { score: number; baseOnly: number };
    try {
      r = cvss4(v);
    } catch (e) {
      throw new Error(`invalid CVSS v4.0 vector ${v}: ${(e as Error).message}`, { cause: e });
    }
    return {
      version: '4.0',
      vector: v,
      score: r.score,
      baseOnly: r.baseOnly,
      severity: severityFromScore(r.score),
    };
  }
  if (/^\(?(CVSS:2\.0\/)?AV:[LAN]\//.test(v)) {
    let score: number;
    try {
      score = cvss2(v);
    } catch (e) {
      throw new Error(`invalid CVSS v2 vector ${v}: ${(e as Error).message}`, { cause: e });
    }
    return { version: '2.0', vector: v, score, severity: severityFromScore(score) };
  }
  throw new Error(`unrecognised CVSS vector: ${v}`);
}

/**
 * Scores by vector string, memoised: advisories share vectors, and a CVSS v4.0 score (a search over macro
 * vectors) costs about 20 µs, a fifth of a cold 5,000-package match before this cache. Bounded so a hostile
 * feed of unique vectors cannot grow it without limit.
 */
const MEMO_LIMIT = 50_000;
const memo = new Map<string, CvssScore | undefined>();

export function tryCvssScore(vector: string): CvssScore | undefined {
  if (memo.has(vector)) return memo.get(vector);
  let r: CvssScore | undefined;
  try {
    r = cvssScore(vector);
  } catch {
    r = undefined;
  }
  if (memo.size >= MEMO_LIMIT) memo.clear();
  // Frozen: the same object is shared by every finding with this vector.
  if (r) Object.freeze(r);
  memo.set(vector, r);
  return r;
}
