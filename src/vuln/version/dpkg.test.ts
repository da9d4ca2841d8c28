import { integration } from '../../../test/support/integration.js';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { dpkg, verrevcmp } from './dpkg.js';
import { checkGarbage, checkOrderProperties, checkPairs, rng, sgn, type Pair } from './test-helpers.js';

// Cases from dpkg's own test suite (lib/dpkg/t/t-version.c, the deb-version(7) examples) and real Debian /
// Ubuntu archive versions. Every pair is also confirmed by the differential test below when dpkg is present.
const PAIRS: readonly Pair[] = [
  // t-version.c: equality, epoch, version, revision
  ['0:0-0', '=', '0:0-0'],
  ['0:0-00', '=', '0:00-0'],
  ['1:2-3', '=', '1:2-3'],
  ['0:0-0', '<', '1:0-0'],
  ['0:1-0', '<', '1:0-0'],
  ['0:a-0', '<', '0:b-0'],
  ['0:0-a', '<', '0:0-b'],
  ['1:0-0', '>', '0:0-0'],
  ['0:b-0', '>', '0:a-0'],
  // deb-version(7): '~' sorts before everything, even the end of the part
  ['1.0~~', '<', '1.0~~a'],
  ['1.0~~a', '<', '1.0~'],
  ['1.0~', '<', '1.0'],
  ['1.0', '<', '1.0a'],
  ['1.0~rc1', '<', '1.0'],
  ['1.0~beta', '<', '1.0~rc'],
  ['1.2.3~rc1', '<', '1.2.3~rc1+git'],
  // letters sort before non-letters
  ['1.0a', '<', '1.0+'],
  ['1.0a', '<', '1.0.'],
  ['1.0+', '<', '1.0.'],
  ['1.0.', '>', '1.0'],
  ['1.0-a', '<', '1.0-b'],
  ['1.0A', '<', '1.0a'],
  // digit runs are numeric
  ['1.01', '=', '1.1'],
  ['1.001', '=', '1.1'],
  ['10', '>', '9'],
  ['9.9.9-1', '<', '10.0-1'],
  ['1.0.10', '>', '1.0.9'],
  ['20240101', '<', '20240102'],
  ['1.0-0', '=', '1.0'],
  ['0.0.0', '=', '0.0.0'],
  ['1.0', '<', '1.0.0'],
  // missing epoch = 0, epochs dominate
  ['0:1.0', '=', '1.0'],
  ['1:0.1', '>', '2.0'],
  ['1:1.0-1', '>', '1.0-99'],
  ['2:1.0', '>', '1:9.9'],
  ['1:3.0.5-2', '<', '1:3.0.5.1'],
  ['00:1.0', '=', '1.0'],
  // revision split at the last '-'
  ['1.0-1', '<', '1.0-2'],
  ['98.1p5-1', '<', '98.1-pre2-b6-2'],
  ['0-pre', '=', '0-pre'],
  ['0-pre', '<', '0-pree'],
  ['1.1.6r2-2', '>', '1.1.6r-1'],
  ['2.6b2-1', '>', '2.6b-2'],
  ['0.4a6-2', '>', '0.4-1'],
  ['7.6p2-4', '>', '7.6-0'],
  ['1.0.3-3', '>', '1.0-1'],
  ['1.3', '>', '1.2.2-2'],
  ['1.3', '>', '1.2.2'],
  // realistic archive versions
  ['1.0-1ubuntu1', '>', '1.0-1'],
  ['1.0-1ubuntu1', '<', '1.0-1ubuntu2'],
  ['1.0-1~bpo11+1', '<', '1.0-1'],
  ['2.30-0ubuntu1', '>', '2.3-1'],
  ['1.2.3+dfsg-1', '>', '1.2.3-1'],
  ['1.2.3+dfsg-1', '<', '1.2.3.1-1'],
  ['4.1.0-2ubuntu1', '<', '4.1.0-2ubuntu1.1'],
  ['4.1.0-2ubuntu1.1', '<', '4.1.0-2ubuntu2'],
  ['5.4.0-1~deb10u1', '<', '5.4.0-1'],
  ['2.36-9+deb12u3', '<', '2.36-9+deb12u4'],
  ['2.36-9+deb12u10', '>', '2.36-9+deb12u9'],
  ['3.0-2+b1', '>', '3.0-2'],
  ['1.0+really0.9-1', '>', '1.0-1'],
  ['1:2.39.2-1.1', '>', '2.39.2-1.1'],
  ['3.0.11-1~deb12u2', '<', '3.0.11-1~deb12u3'],
  ['3.0.11-1~deb12u2', '<', '3.0.11-1'],
  ['7.88.1-10+deb12u5', '<', '7.88.1-10+deb12u12'],
  ['2.35-0ubuntu3.8', '>', '2.35-0ubuntu3.7'],
  ['1:9.18.28-0ubuntu0.22.04.1', '>', '1:9.18.18-0ubuntu0.22.04.2'],
  ['5.15.0-113.123', '<', '5.15.0-119.129'],
  ['2.4.52-1ubuntu4.10', '>', '2.4.52-1ubuntu4.9'],
  ['1.1.1f-1ubuntu2.23', '>', '1.1.1f-1ubuntu2.3'],
  ['1.1.1f-1ubuntu2', '<', '1.1.1g-1'],
];

test('dpkg: ordering pairs from dpkg and real archives', () => {
  const n = checkPairs(dpkg, PAIRS);
  assert.ok(n >= 40);
});

test('dpkg: verrevcmp tilde and end-of-string rules', () => {
  assert.ok(verrevcmp('~', '') < 0);
  assert.ok(verrevcmp('', 'a') < 0);
  assert.ok(verrevcmp('a', '+') < 0);
  assert.ok(verrevcmp('~~', '~') < 0);
  assert.equal(verrevcmp('', ''), 0);
  assert.equal(verrevcmp('0', ''), 0);
});

test('dpkg: valid() per deb-version(7)', () => {
  for (const v of [
    '0',
    '1.0',
    '1:1.0',
    '1.0-1',
    '1:1.0-1ubuntu1',
    '1.2.3~rc1+dfsg-1~bpo1',
    '1:2:3-4',
    '1.0-1-2',
    '2.0A',
  ]) {
    assert.equal(dpkg.valid(v), true, v);
  }
  for (const v of [
    '',
    ' 1.0',
    '1.0 ',
    '1 0',
    'a1.0',
    ':1.0',
    '1:',
    'a:1.0',
    '-1:1.0',
    '1.0-',
    '1.0-a_b',
    '1.0-a:b',
    '1.0_1',
    '1:a1.0',
    '2147483648:1.0',
    '1:1.0-',
    '1.0#',
  ]) {
    assert.equal(dpkg.valid(v), false, JSON.stringify(v));
  }
});

const SORTED = [
  '0.9',
  '1.0~~',
  '1.0~~a',
  '1.0~',
  '1.0~beta1',
  '1.0~rc1',
  '1.0',
  '1.0-0.1',
  '1.0-1~bpo1',
  '1.0-1',
  '1.0-1ubuntu0.1',
  '1.0-1ubuntu1',
  '1.0-1+b1',
  '1.0-2',
  '1.0a',
  '1.0+dfsg-1',
  '1.0.1',
  '1.0.1-1',
  '1.1',
  '1.10',
  '2',
  '10.0',
  '20240101',
  '1:0.1',
  '1:0.1-1',
  '2:0',
];

test('dpkg: antisymmetry, transitivity and shuffled sorting', () => {
  checkOrderProperties(dpkg, SORTED);
});

test('dpkg: never throws on garbage', () => {
  checkGarbage(dpkg, SORTED);
});

/** ~200 deterministic, realistic-looking pairs: shared prefixes make the comparisons non-trivial. */
function generatedPairs(): [string, string][] {
  const r = rng(20240601);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)] as T;
  const upstream = (): string => {
    let s = String(Math.floor(r() * 4));
    const parts = 1 + Math.floor(r() * 3);
    for (let i = 0; i < parts; i++) s += '.' + pick(['0', '1', '2', '9', '10', '01', '00', '11']);
    return (
      s + pick(['', '', '', 'a', 'b', '~rc1', '~rc2', '~beta', '+dfsg', '+really1.0', '~~', '~', 'p1', '.'])
    );
  };
  const revision = (): string =>
    pick([
      '',
      '',
      '-1',
      '-2',
      '-0',
      '-1ubuntu1',
      '-1ubuntu2',
      '-1ubuntu1.1',
      '-1~bpo1',
      '-1+deb12u1',
      '-1+b1',
      '-10',
    ]);
  const full = (): string => (r() < 0.15 ? pick(['0:', '1:', '2:']) : '') + upstream() + revision();
  const out: [string, string][] = [];
  for (let i = 0; i < 200; i++) {
    const a = full();
    let b: string;
    const mode = r();
    if (mode < 0.3) b = a + pick(['~1', '1', 'a', '.0', '+1', '~']);
    else if (mode < 0.4) b = a;
    else b = full();
    assert.ok(dpkg.valid(a) && dpkg.valid(b), `generated an invalid pair: ${a} ${b}`);
    out.push([a, b]);
  }
  for (const [a, op, b] of PAIRS) if (op !== '=' || a !== b) out.push([a, b]);
  return out;
}

function hasDpkg(): boolean {
  const res = spawnSync('dpkg', ['--version'], { stdio: 'ignore' });
  return res.status === 0;
}

test('dpkg: differential against `dpkg --compare-versions`', (t) => {
  if (!integration(t, 'dpkg-differential', hasDpkg(), 'dpkg not found on PATH (Debian package dpkg)')) return;
  const pairs = generatedPairs();
  // (a few t-version.c pairs such as 0:a-0 only draw syntax warnings from dpkg; it still compares them)
  // One shell process runs every comparison; versions travel as positional arguments (no quoting issues).
  const script =
    'while [ "$#" -gt 1 ]; do ' +
    'if dpkg --compare-versions "$1" lt "$2"; then echo -1; ' +
    'elif dpkg --compare-versions "$1" eq "$2"; then echo 0; else echo 1; fi; shift 2; done 2>/dev/null';
  const res = spawnSync('sh', ['-c', script, 'sh', ...pairs.flat()], { encoding: 'utf8', timeout: 60_000 });
  assert.equal(res.status, 0, res.stderr);
  const got = res.stdout.trim().split('\n').map(Number);
  assert.equal(got.length, pairs.length);
  const mismatches: string[] = [];
  pairs.forEach(([a, b], i) => {
    const ours = sgn(dpkg.compare(a, b));
    if (ours !== got[i]) mismatches.push(`${a} vs ${b}: dpkg ${got[i]}, ours ${ours}`);
  });
  assert.deepEqual(mismatches, []);
  t.diagnostic(`${pairs.length} pairs agree with dpkg`);
});
