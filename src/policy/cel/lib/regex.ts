/**
 * Regex functions with RE2 semantics (as Kubernetes/cel-go): `matches`, and the Kubernetes regex library's
 * `find` and `findAll`. re2js runs in linear time, so a hostile pattern or input cannot hang evaluation, and
 * it rejects what RE2 rejects (backreferences, lookaround) — at compile time when the pattern is a literal.
 */
import { RE2JS } from 're2js';

import type { CelLibrary } from '../library.js';
import { charge, chargeString } from '../limits.js';

import { OVERRIDDEN } from './overrides.js';

/** The internal name `matches` calls are routed to (see overrides.ts); users never write it. */
export const RE2_MATCHES = OVERRIDDEN.matches;

/** Compiled patterns, bounded: policies use a handful of literal patterns. */
const cache = new Map<string, RE2JS>();
const CACHE_MAX = 500;

export function compilePattern(pattern: string): RE2JS {
  let re = cache.get(pattern);
  if (!re) {
    chargeString(pattern.length * 10);
    re = RE2JS.compile(pattern);
    if (cache.size >= CACHE_MAX) cache.clear();
    cache.set(pattern, re);
  }
  return re;
}

function matches(s: string, pattern: string): boolean {
  chargeString(s.length);
  return compilePattern(pattern).matcher(s).find();
}

function find(s: string, pattern: string): string {
  chargeString(s.length);
  const m = compilePattern(pattern).matcher(s);
  return m.find() ? (m.group() ?? '') : '';
}

function findAll(s: string, pattern: string, limit?: bigint): string[] {
  chargeString(s.length);
  const max = limit === undefined || limit < 0n ? Infinity : Number(limit);
  const m = compilePattern(pattern).matcher(s);
  const out: string[] = [];
  let previousEnd = -1;
  while (out.length < max && m.find()) {
    // Go's FindAllString drops an empty match that abuts the previous match ('aXbX' / 'X?' -> ["", "X", "X"])
    if (m.start() === m.end() && m.end() === previousEnd) continue;
    previousEnd = m.end();
    charge(1);
    out.push(m.group() ?? '');
  }
  return out;
}

export const regexLibrary: CelLibrary = {
  functions: [
    [`string.${RE2_MATCHES}(string): bool`, matches],
    [`${RE2_MATCHES}(string, string): bool`, matches],
    ['string.find(string): string', find],
    ['string.findAll(string): list<string>', (s: string, p: string) => findAll(s, p)],
    ['string.findAll(string, int): list<string>', findAll],
  ],
};
