import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { OsvEvent, OsvRange } from '../db/osv.js';
import { pep440, type VersionComparator } from '../version/index.js';
import { evaluateRange, prepareRange, type RangeVerdict } from './evaluate.js';
import { encodeVersionList, listedHas, listedItems } from './listed-versions.js';
import { asciiJson } from './stored-row.js';
import {
  encodeRanges,
  evaluateFlat,
  listedOutsideRanges,
  nextRange,
  pushPrepared,
  rangeKeyed,
  TRIM_BUDGET,
  type FlatRanges,
} from './prepared.js';
import { semverComparator } from './semver.js';

const VERSIONS = [
  '0.0.1',
  '0.9',
  '1.0',
  '1.0.0',
  '1.0.post1',
  '1.1rc1',
  '1.1',
  '1.2',
  '1.5',
  '2.0',
  '2.0.1',
  '3.0',
  '9.9',
];

/** The PEP 440 version as SemVer: `1.1rc1` is `1.1.0-rc1`, `1.0.post1` is `1.0.0-post1`. */
function semverOf(v: string): string {
  const m = /^(\d+(?:\.\d+)*)(?:\.?([a-z]+\d*))?$/.exec(v);
  if (!m) throw new Error(`no SemVer form for ${v}`);
  const nums = (m[1] as string).split('.');
  while (nums.length < 3) nums.push('0');
  return nums.join('.') + (m[2] ? `-${m[2]}` : '');
}

/** Every way to combine a few events of each kind, in record order (often unsorted on purpose). */
function ranges(): OsvRange[] {
  const out: OsvRange[] = [];
  const pools: OsvEvent[][] = [
    [{ introduced: '0' }, { introduced: '1.0' }, { introduced: '2.0' }],
    [{ fixed: '1.1' }, { fixed: '2.0.1' }, { fixed: '1.0.0' }],
    [{ last_affected: '1.5' }, { last_affected: '1.0' }],
    [{ limit: '2.0' }, { limit: '*' }],
  ];
  for (let mask = 1; mask < 1 << 10; mask += 7) {
    const events: OsvEvent[] = [];
    let bit = 0;
    for (const pool of pools)
      for (const e of pool) {
        if (mask & (1 << (bit % 10))) events.push(e);
        bit++;
      }
    if (events.length) out.push({ type: 'ECOSYSTEM', events: events.reverse() });
  }
  return out;
}

describe('stored range form', () => {
  const verdict = (got: boolean | string): RangeVerdict =>
    got === false ? { affected: false } : got === true ? { affected: true } : { affected: true, fixed: got };

  /** Every range, evaluated through sort keys and through compare, against evaluateRange. */
  function checkAgainstEvaluateRange(
    cmp: VersionComparator,
    all: readonly OsvRange[],
    versions: readonly string[],
  ) {
    let keyed = 0;
    for (const r of all) {
      const flat: FlatRanges = [];
      pushPrepared(flat, r, cmp);
      const prepared = prepareRange(r, cmp);
      assert.ok(prepared);
      assert.equal(nextRange(flat, 0), flat.length);
      if (rangeKeyed(flat, 0)) keyed++;
      for (const v of versions) {
        const want = evaluateRange(v, prepared, cmp);
        const where = `${v} in ${JSON.stringify(r.events)}`;
        assert.deepEqual(verdict(evaluateFlat((x) => cmp.compare(v, x), undefined, flat, 0)), want, where);
        const key = cmp.sortKey?.(v);
        assert.ok(key !== undefined);
        assert.deepEqual(verdict(evaluateFlat(() => NaN, key, flat, 0)), want, `${where}, by keys`);
      }
    }
    return keyed;
  }

  test('evaluates exactly as evaluateRange on the prepared range, by keys and by compare (PEP 440)', () => {
    assert.equal(checkAgainstEvaluateRange(pep440, ranges(), VERSIONS), ranges().length);
  });

  test('evaluates exactly as evaluateRange under the SEMVER ordering', () => {
    const semverRanges = ranges().map((r) => ({
      type: 'SEMVER' as const,
      events: r.events.map((e) => {
        const [[k, v]] = Object.entries(e) as [[string, string]];
        return { [k]: v === '0' || v === '*' ? v : semverOf(v) };
      }),
    }));
    const versions = [...new Set(VERSIONS.map(semverOf)), '1.1.0-rc.1', '2.0.1-0', 'v1.5.0', '1.0.0+build'];
    assert.equal(checkAgainstEvaluateRange(semverComparator, semverRanges, versions), semverRanges.length);
  });

  test('a range with a version that has no key is stored without keys and evaluated by compare', () => {
    const r: OsvRange = { type: 'ECOSYSTEM', events: [{ introduced: '1.0' }, { fixed: 'not-a-version' }] };
    const flat: FlatRanges = [];
    pushPrepared(flat, r, pep440);
    assert.equal(rangeKeyed(flat, 0), false);
    assert.equal(nextRange(flat, 0), flat.length);
    // invalid versions sort below valid ones, so the fix comes first and 1.0 turns vulnerable for good
    assert.equal(
      evaluateFlat((x) => pep440.compare('1.5', x), pep440.sortKey?.('1.5'), flat, 0),
      true,
    );
  });

  test('import sorts SEMVER ranges and known ecosystems; unknown ones keep record order', () => {
    const events: OsvEvent[] = [{ fixed: '1.10.0' }, { introduced: '1.2.0' }, { limit: '2.0.0' }];
    const keys = (cmp: VersionComparator): string[] =>
      ['1.2.0', '1.10.0', '2.0.0'].map((v) => cmp.sortKey?.(v) as string);
    assert.deepEqual(encodeRanges('npm', [{ type: 'SEMVER', events }]), [
      'S',
      'semver',
      'if',
      1,
      1,
      '1.2.0',
      '1.10.0',
      '2.0.0',
      ...keys(semverComparator),
    ]);
    assert.deepEqual(encodeRanges('PyPI', [{ type: 'ECOSYSTEM', events }]), [
      'E',
      'pep440',
      'if',
      1,
      1,
      '1.2.0',
      '1.10.0',
      '2.0.0',
      ...keys(pep440),
    ]);
    assert.deepEqual(encodeRanges('NoSuchEcosystem', [{ type: 'ECOSYSTEM', events }]), [
      'E',
      null,
      'fi',
      1,
      0,
      '1.10.0',
      '1.2.0',
      '2.0.0',
    ]);
    assert.deepEqual(encodeRanges('Go', [{ type: 'GIT', events: [{ introduced: '0' }] }]), []);
    assert.equal(semverComparator.name, 'semver');
  });
});

describe('stored versions list', () => {
  test('exact membership, record order, and versions holding a newline', () => {
    assert.equal(encodeVersionList([]), null);
    assert.equal(listedHas(null, '1.0'), false);
    const plain = encodeVersionList(['1.0', '1.0.1', '']);
    assert.equal(listedHas(plain, '1.0'), true);
    assert.equal(listedHas(plain, '1.0.1'), true);
    assert.equal(listedHas(plain, ''), true);
    assert.equal(listedHas(plain, '1'), false);
    assert.equal(listedHas(plain, '1.0\n1.0.1'), false);
    assert.deepEqual(listedItems(plain), ['1.0', '1.0.1', '']);
    const odd = encodeVersionList(['a\nb', 'c']);
    assert.equal(listedHas(odd, 'a\nb'), true);
    assert.equal(listedHas(odd, 'a'), false);
    assert.deepEqual(listedItems(odd), ['a\nb', 'c']);
  });
});

describe('stored JSON', () => {
  test('escapes every character past ASCII and parses back to the same value', () => {
    const value = { summary: 'caf\u00e9 \u201cquoted\u201d \u{1F600} \u007f', lone: '\ud800', n: [1, null] };
    const text = asciiJson(value);
    assert.match(text, /^[\x20-\x7e]*$/);
    assert.deepEqual(JSON.parse(text), value);
  });
});

describe('listed versions outside the ranges', () => {
  const range: OsvRange = { type: 'ECOSYSTEM', events: [{ introduced: '1.0' }, { fixed: '2.0' }] };
  test('only versions the ranges leave out are kept, invalid ones included', () => {
    const ranges = encodeRanges('PyPI', [range]);
    assert.deepEqual(listedOutsideRanges('PyPI', ranges, ['0.9', '1.0', '1.5', '2.0', 'not a version']), [
      '0.9',
      '2.0',
      'not a version',
    ]);
    // no ordering for the ecosystem: its ranges are never evaluated, so nothing is left out
    const unknown = encodeRanges('NoSuchEcosystem', [range]);
    assert.deepEqual(listedOutsideRanges('NoSuchEcosystem', unknown, ['1.5']), ['1.5']);
  });

  test('past the work budget the whole list is kept', () => {
    const events: OsvEvent[] = [];
    for (let i = 0; i < 2000; i++) events.push({ introduced: `${i}.0` }, { fixed: `${i}.5` });
    const ranges = encodeRanges('PyPI', [{ type: 'ECOSYSTEM', events }]);
    const listed = Array.from({ length: Math.ceil(TRIM_BUDGET / 4000) + 1 }, (_, i) => `${i % 2000}.1`);
    const t = performance.now();
    assert.equal(listedOutsideRanges('PyPI', ranges, listed).length, listed.length);
    assert.ok(performance.now() - t < 1000, 'returned without evaluating');
    // and just under it, the same list shape is trimmed
    assert.deepEqual(listedOutsideRanges('PyPI', ranges, listed.slice(0, 10)), []);
  });
});
