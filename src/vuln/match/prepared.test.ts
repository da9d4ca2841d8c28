import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { OsvEvent, OsvRange } from '../db/osv.js';
import { pep440 } from '../version/index.js';
import { evaluateRange, prepareRange } from './evaluate.js';
import { encodeVersionList, listedHas, listedItems } from './listed-versions.js';
import { encodeRanges, evaluateFlat, nextRange, pushPrepared, type FlatRanges } from './prepared.js';
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
  test('evaluates exactly as evaluateRange on the prepared range (PEP 440 ordering)', () => {
    for (const r of ranges()) {
      const flat: FlatRanges = [];
      pushPrepared(flat, r, pep440);
      const prepared = prepareRange(r, pep440);
      assert.ok(prepared);
      assert.equal(nextRange(flat, 0), flat.length);
      for (const v of VERSIONS) {
        const want = evaluateRange(v, prepared, pep440);
        const got = evaluateFlat((x) => pep440.compare(v, x), flat, 0);
        assert.deepEqual(
          got === false
            ? { affected: false }
            : got === true
              ? { affected: true }
              : { affected: true, fixed: got },
          want,
          `${v} in ${JSON.stringify(r.events)}`,
        );
      }
    }
  });

  test('import sorts SEMVER ranges and known ecosystems; unknown ones keep record order', () => {
    const events: OsvEvent[] = [{ fixed: '1.10.0' }, { introduced: '1.2.0' }, { limit: '2.0.0' }];
    assert.deepEqual(encodeRanges('npm', [{ type: 'SEMVER', events }]), [
      'S',
      'semver',
      'if',
      1,
      '1.2.0',
      '1.10.0',
      '2.0.0',
    ]);
    assert.deepEqual(encodeRanges('PyPI', [{ type: 'ECOSYSTEM', events }]), [
      'E',
      'pep440',
      'if',
      1,
      '1.2.0',
      '1.10.0',
      '2.0.0',
    ]);
    assert.deepEqual(encodeRanges('NoSuchEcosystem', [{ type: 'ECOSYSTEM', events }]), [
      'E',
      null,
      'fi',
      1,
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
