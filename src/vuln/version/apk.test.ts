import { test } from 'node:test';
import assert from 'node:assert/strict';
import { apk } from './apk.js';
import { checkGarbage, checkOrderProperties, checkPairs, type Op, type Pair } from './test-helpers.js';

// Rows from apk-tools' test/unit/version.data (formerly test/version.data), in its own "a op b" format.
const VERSION_DATA = `
2.34 > 0.1.0_alpha
23_foo > 4_beta
1.0 < 1.0bc
0.1.0_alpha = 0.1.0_alpha
0.1.0_alpha < 0.1.3_alpha
0.1.3_alpha > 0.1.0_alpha
0.1.0_alpha2 > 0.1.0_alpha
0.1.0_alpha < 2.2.39-r1
2.2.39-r1 > 1.0.4-r3
1.0.4-r3 < 1.0.4-r4
1.0.4-r4 < 1.6
1.1 > 1.1_alpha1
1.1_alpha1 < 1.2.1
1.2.1 > 1.2
1.2 < 1.3_alpha
1.3_alpha < 1.3_alpha2
1.3_alpha2 < 1.3_alpha3
1.3_alpha8 > 0.6.0
0.7.0 < 0.8_beta1
0.8_beta1 < 0.8_beta2
0.8_beta4 < 4.8-r1
3.10.18-r1 > 2.3.0b-r1
2.3.0b-r1 < 2.3.0b-r2
2.3.0b-r4 > 0.12.1
0.12.3 > 0.12
0.12 < 0.13_beta1
0.13_beta5 > 0.9.12
1.2.11 < 1.2.12.1
1.2.12.1 < 1.2.13
0.2.0-r1 = 0.2.0-r1
0.2.0-r1 < 3.1_p16
3.1_p16 < 3.1_p17
3.1_p17 > 1.06-r6
1.06-r6 < 006
006 > 1.0.0
1.2.2-r1 > 1.2.2
9.3.4-r2 > 9.3.4
2.16.1-r3 = 2.16.1-r3
1.0.6-r3 > 0.11
1.2.1-r1 < 1.2.2.1
2.59 < 20050718-r1
20050718-r1 < 20050718-r2
20050718-r2 > 3.9.8-r5
3.9.8-r5 > 2.01.01_alpha10
2.01.01_alpha10 > 0.94
1.0 > 0.99.3.20040818
0.90.1-r1 > 0.10.2
1.39 > 1.00_beta2
1.00_beta2 > 0.9.2
7.15.1-r1 > 1.02
1.02 < 1.03-r1
2.8.0.6-r1 > 0.5.2.7
0.5.2.7 < 4.2.52_p2-r1
4.2.52_p2-r1 < 4.2.52_p4-r2
4.2.52_p4-r2 > 1.02.07
1.02.07 < 1.02.10-r1
9 > 2.18.3-r10
2.18.3-r10 > 1.05-r18
1.05-r18 < 1.05-r19
2.38 < 20050405
20060720 > 3.0.20060720
3.0.20060720 < 20060720
1.4.4-r1 < 2.1.9.200602141850
2.5.1-r8 < 2.5.1a-r1
2.5.1a-r1 > 1.19.2-r1
1.3.5-r10 > 1.3.5-r8
1.2.10 < 20040923-r2
20040401 > 2.0.0_rc3-r1
2.0.2 > 0.99.163
0.99.163 < 2.6.15.20060110
3.0.0-r2 < 021109-r3
021109-r3 < 20060512
0.9.16-r1 < 3.9_pre20060124
3.9_pre20060124 > 0.01
0.01 < 0.06
1.1.7 < 6b-r7
6b-r7 > 1.12-r7
0.10.0-r1 > 0.10.0
0.10.0 < 0.10.1_rc1
0.10.1_rc1 > 0.9.11
2.0.2 > 1.1a
1.1a < 1.3a
1.2.2-r1 > 1.0-r1
1.0-r1 > 0.15.1b
1.06-r2 > 0.15.1b-r2
0.15.1b-r2 > 0.15.1b
22.7-r1 < 22.7.3-r1
22.7.3-r1 > 22.7
22.7 > 2.1_pre20
2.1_pre20 < 2.1_pre26
2.10.1 > 02.08.01b
02.08.01b < 4.77
5.1 > 2.02.06
2.02.06 < 2.02.10
8.1.2.20040524-r1 < 8.1.2.20050715-r1
8.1.2.20050715-r1 < 20030215
3.81 > 1.6d
1.6d > 1.2.07.8
1.2.07.8 < 1.2.12.04
1.2.12.04 < 1.2.12.05
1.07-r1 < 1.07.5
1.07.5 > 1.07
20061003 > 0.1_pre20060810
0.1_pre20060810 < 0.1_pre20060817
3.3.17 > 0.59s-r11
0.59s-r11 < 0.65
1.60-r12 < 110-r8
4.01 < 4.20
4.20 > 0.20070118
0.20070118 < 0.20070207_rc1
0.20070207_rc1 < 1.0
2.3.30-r2 < 3.7_p1
4.3_p2-r1 < 4.3_p2-r5
4.3_p2-r5 < 4.4_p1-r6
4.5_p1-r1 > 4.5_p1
4.5_p1 > 0.9.8c-r1
0.9.8c-r1 < 0.9.8d
2.2.3-r2 < 013
013 < 014-r1
0.1.23 < 5b-r9
5b-r9 > 2.2.10
3.2.7 > 0.3.1_rc8
1.7 < 1.7b
1.7b < 1.8.4-r3
1.8.5 < 1.8.5_p2
3.0.24 = 3.0.24
0.98 < 1.00
1.4.9-r2 < 2.9.11_pre20051101-r2
2.9.11_pre20051101-r2 < 2.9.11_pre20051101-r3
2.9.11_pre20051101-r3 > 2.9.11_pre20051101
2.9.11_pre20051101 < 2.9.11_pre20061021-r1
2.6.1.3-r1 > 2.6.1.3
1.6.8_p12-r1 > 1.6.8_p9-r2
0.40-r1 < 2.25b-r5
1.4_p12-r2 < 1.4_p12-r5
0.9.28-r2 < 0.9.28.1
0.9.28.1 < 087-r1
087-r1 < 103
104-r11 > 104-r9
5.52-r1 > 1.2.5_rc2
20040406-r1 > 2.12r-r4
2.12r-r4 < 2.12r-r5
7.0.17 < 7.0.174
1.1.1-r3 > 0.3.4_pre20061029
2.16 < 28
1.1.1-r4 < 222
1.2.9.1-r1 > 1.2.9.1
1.3-r0 < 1.3.1-r0
1.3_pre1-r1 < 1.3.2
1.0_p10-r0 > 1.0_p9-r0
0.1.0_alpha_pre2 < 0.1.0_alpha
1.0.0_pre20191002222144-r0 < 1.0.0_pre20210530193627-r0
6.0_pre1 < 6.0
6.1_pre1 < 6.1
6.0_p1 > 6.0
6.1_p1 > 6.1
8.2.0 < 8.2.001
8.2.0015 < 8.2.002
1.0~1234 < 1.0~2345
1.0~1234-r1 < 1.0~2345-r0
1.0~1234-r1 > 1.0~1234-r0
`;

// Validity rows from the same file ('!' marks invalid versions).
const VALID = [
  '1.2',
  '0.1_pre2',
  '0.1_pre2~1234abcd',
  '0.1_p1_pre2',
  '0.1_alpha1_pre2',
  '0.1_git20240101_pre1',
];
const INVALID = [
  '',
  '0.1bc',
  '0.1bc1',
  '0.1a1',
  '0.1a.1',
  '0.1_pre2~',
  '0.1_pre2~1234xbcd',
  '0.1_pre2~1234abcd_pre1',
  '0.1_pre2-r1~1234xbcd',
  '0.1_foobar',
  '0.1_foobar1',
  '0.1-pre1.1',
  '0.1-r',
  '0.1-r2_pre1',
  '0.1-r2_p3_pre1',
  '0.1-r2-r3',
  '0.1-r2.1',
  '.1',
  'a',
  '_pre1',
  '-r1',
  '0.1_',
  '0.1_-r0',
  '0.1__alpha',
  '0.1_1_alpha',
];

function parseData(text: string): Pair[] {
  return text
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l.length > 0)
    .map((l) => {
      const [a, op, b] = l.split(/\s+/);
      return [a ?? '', op as Op, b ?? ''] as const;
    });
}

const PAIRS = parseData(VERSION_DATA);

// Wolfi / Alpine secdb style versions.
const EXTRA: readonly Pair[] = [
  ['3.0.8-r0', '<', '3.0.8-r1'],
  ['3.0.8-r1', '<', '3.0.9-r0'],
  ['1.36.1-r2', '<', '1.36.1-r15'],
  ['2.4.57-r0', '>', '2.4.57'],
  ['2.4.57', '<', '2.4.57-r0'],
  ['1.2.3_rc1-r0', '<', '1.2.3-r0'],
  ['1.2.3_git20240101-r0', '>', '1.2.3-r5'],
  ['1.2.3_git20240101-r0', '<', '1.2.4_rc1-r0'],
  ['1.2.3_alpha', '<', '1.2.3_beta'],
  ['1.2.3_beta', '<', '1.2.3_pre'],
  ['1.2.3_pre', '<', '1.2.3_rc'],
  ['1.2.3_rc', '<', '1.2.3'],
  ['1.2.3', '<', '1.2.3_cvs'],
  ['1.2.3_cvs', '<', '1.2.3_svn'],
  ['1.2.3_svn', '<', '1.2.3_git'],
  ['1.2.3_git', '<', '1.2.3_hg'],
  ['1.2.3_hg', '<', '1.2.3_p'],
  ['1.2.3_p', '<', '1.2.3_p1'],
  ['1.2.3a', '>', '1.2.3_p9'],
  ['1.2.3a', '<', '1.2.3.1'],
  ['1.05', '<', '1.1'],
  ['1.0', '<', '1.00'],
];

test('apk: rows from apk-tools version.data', () => {
  const n = checkPairs(apk, PAIRS);
  assert.ok(n >= 40, `only ${n} rows`);
});

test('apk: suffix ranks, revisions and leading-zero rule', () => {
  checkPairs(apk, EXTRA);
});

test('apk: valid() is apk_version_validate', () => {
  for (const v of VALID) assert.equal(apk.valid(v), true, v);
  for (const v of INVALID) assert.equal(apk.valid(v), false, JSON.stringify(v));
});

const SORTED = [
  '0.9',
  '1.0_alpha',
  '1.0_alpha1',
  '1.0_alpha2_pre1',
  '1.0_alpha2',
  '1.0_beta1',
  '1.0_pre1',
  '1.0_rc1',
  '1.0_rc1-r1',
  '1.0',
  '1.0-r1',
  '1.0-r10',
  '1.0_cvs1',
  '1.0_git20240101',
  '1.0_p1',
  '1.0_p2-r1',
  '1.0a',
  '1.0b',
  '1.0.0',
  '1.0.1',
  '1.00',
  '1.01',
  '1.1',
  '1.10',
  '2',
  '10',
];

test('apk: antisymmetry, transitivity and shuffled sorting', () => {
  checkOrderProperties(apk, SORTED);
});

test('apk: never throws on garbage; invalid tails follow apk', () => {
  checkGarbage(apk, [...SORTED, ...INVALID]);
  // apk stops at the first invalid token: equal prefixes that turn invalid at the same point compare equal
  assert.equal(apk.compare('1.0bc', '1.0bd'), 0);
  assert.ok(apk.compare('1.0bc', '1.0b') < 0);
  assert.ok(apk.compare('1.0_foo', '1.0_alpha') > 0);
  assert.ok(apk.compare('1.0_foo', '1.0') < 0);
});
