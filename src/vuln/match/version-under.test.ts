// One package's candidates can carry ecosystem strings that resolve to different orderings (a custom
// resolver per release): the installed version's compare function and key must follow the ordering of each.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseOsvRecord, type OsvRecord } from '../db/index.js';
import type { VersionComparator } from '../version/comparator.js';
import { Matcher } from './index.js';

const digits = (v: string): boolean => /^\d+$/.test(v);
const numeric: VersionComparator = {
  name: 'numeric',
  valid: digits,
  compare: (a, b) => Number(a) - Number(b),
  sortKey: (v) => (digits(v) ? v.padStart(10, '0') : undefined),
};
// The reverse order.
const reversed: VersionComparator = {
  name: 'reversed',
  valid: digits,
  compare: (a, b) => Number(b) - Number(a),
  sortKey: (v) => (digits(v) ? String(1e9 - Number(v)).padStart(10, '0') : undefined),
};
/** The same ordering without keys: its ranges are compared. */
const keyless = (c: VersionComparator): VersionComparator => ({
  name: c.name,
  valid: c.valid,
  compare: c.compare,
});

const record = (id: string, ecosystem: string): OsvRecord =>
  parseOsvRecord({
    schema_version: '1.6.0',
    id,
    modified: '2026-01-01T00:00:00Z',
    affected: [
      {
        package: { ecosystem, name: 'pkg' },
        ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '10' }, { fixed: '20' }] }],
      },
    ],
  });

for (const [how, a, b] of [
  ['by keys', numeric, reversed],
  ['by compare', keyless(numeric), keyless(reversed)],
] as const)
  test(`each candidate is evaluated under its own ecosystem ordering, ${how}`, () => {
    const records = [record('A-1', 'Foo:1'), record('B-1', 'Foo:2'), record('A-2', 'Foo:1')];
    const opts = { comparatorFor: (e: string) => (e === 'Foo:2' ? b : a) };
    const ids = (version: string): string[] =>
      new Matcher(records, opts).match({ ecosystem: 'Foo', name: 'pkg', version }).map((m) => m.id);
    // numeric: 10 <= v < 20 is affected. reversed: the sorted events are fixed 20, introduced 10, so v is
    // affected when v <= 10 in numbers ("at or above 10" in the reversed order).
    assert.deepEqual(ids('15'), ['A-1', 'A-2']);
    assert.deepEqual(ids('5'), ['B-1']);
    assert.deepEqual(ids('10'), ['A-1', 'A-2', 'B-1']);
    assert.deepEqual(ids('25'), []);
  });
