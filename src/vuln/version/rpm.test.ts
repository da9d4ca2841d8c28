import { integration } from '../../../test/support/integration.js';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseEvr, rpm, rpmvercmp } from './rpm.js';
import { checkGarbage, checkOrderProperties, checkPairs, sgn, type Pair } from './test-helpers.js';

// rpm's tests/rpmvercmp.at, verbatim (including the RhBug:178798 separator cases, the tilde and caret blocks and
// the "oddities" documented there as current behaviour).
const RPMVERCMP_AT: readonly Pair[] = [
  ['1.0', '=', '1.0'],
  ['1.0', '<', '2.0'],
  ['2.0', '>', '1.0'],
  ['2.0.1', '=', '2.0.1'],
  ['2.0', '<', '2.0.1'],
  ['2.0.1', '>', '2.0'],
  ['2.0.1a', '=', '2.0.1a'],
  ['2.0.1a', '>', '2.0.1'],
  ['2.0.1', '<', '2.0.1a'],
  ['5.5p1', '=', '5.5p1'],
  ['5.5p1', '<', '5.5p2'],
  ['5.5p2', '>', '5.5p1'],
  ['5.5p10', '=', '5.5p10'],
  ['5.5p1', '<', '5.5p10'],
  ['5.5p10', '>', '5.5p1'],
  ['10xyz', '<', '10.1xyz'],
  ['10.1xyz', '>', '10xyz'],
  ['xyz10', '=', 'xyz10'],
  ['xyz10', '<', 'xyz10.1'],
  ['xyz10.1', '>', 'xyz10'],
  ['xyz.4', '=', 'xyz.4'],
  ['xyz.4', '<', '8'],
  ['8', '>', 'xyz.4'],
  ['xyz.4', '<', '2'],
  ['2', '>', 'xyz.4'],
  ['5.5p2', '<', '5.6p1'],
  ['5.6p1', '>', '5.5p2'],
  ['5.6p1', '<', '6.5p1'],
  ['6.5p1', '>', '5.6p1'],
  ['6.0.rc1', '>', '6.0'],
  ['6.0', '<', '6.0.rc1'],
  ['10b2', '>', '10a1'],
  ['10a2', '<', '10b2'],
  ['1.0aa', '=', '1.0aa'],
  ['1.0a', '<', '1.0aa'],
  ['1.0aa', '>', '1.0a'],
  ['10.0001', '=', '10.0001'],
  ['10.0001', '=', '10.1'],
  ['10.1', '=', '10.0001'],
  ['10.0001', '<', '10.0039'],
  ['10.0039', '>', '10.0001'],
  ['4.999.9', '<', '5.0'],
  ['5.0', '>', '4.999.9'],
  ['20101121', '=', '20101121'],
  ['20101121', '<', '20101122'],
  ['20101122', '>', '20101121'],
  ['2_0', '=', '2_0'],
  ['2.0', '=', '2_0'],
  ['2_0', '=', '2.0'],
  ['a', '=', 'a'],
  ['a+', '=', 'a+'],
  ['a+', '=', 'a_'],
  ['a_', '=', 'a+'],
  ['+a', '=', '+a'],
  ['+a', '=', '_a'],
  ['_a', '=', '+a'],
  ['+_', '=', '+_'],
  ['_+', '=', '+_'],
  ['_+', '=', '_+'],
  ['+', '=', '_'],
  ['_', '=', '+'],
  ['1.0~rc1', '=', '1.0~rc1'],
  ['1.0~rc1', '<', '1.0'],
  ['1.0', '>', '1.0~rc1'],
  ['1.0~rc1', '<', '1.0~rc2'],
  ['1.0~rc2', '>', '1.0~rc1'],
  ['1.0~rc1~git123', '=', '1.0~rc1~git123'],
  ['1.0~rc1~git123', '<', '1.0~rc1'],
  ['1.0~rc1', '>', '1.0~rc1~git123'],
  ['1.0^', '=', '1.0^'],
  ['1.0^', '>', '1.0'],
  ['1.0', '<', '1.0^'],
  ['1.0^git1', '=', '1.0^git1'],
  ['1.0^git1', '>', '1.0'],
  ['1.0', '<', '1.0^git1'],
  ['1.0^git1', '<', '1.0^git2'],
  ['1.0^git2', '>', '1.0^git1'],
  ['1.0^git1', '<', '1.01'],
  ['1.01', '>', '1.0^git1'],
  ['1.0^20160101', '=', '1.0^20160101'],
  ['1.0^20160101', '<', '1.0.1'],
  ['1.0.1', '>', '1.0^20160101'],
  ['1.0^20160101^git1', '=', '1.0^20160101^git1'],
  ['1.0^20160102', '>', '1.0^20160101^git1'],
  ['1.0^20160101^git1', '<', '1.0^20160102'],
  ['1.0~rc1^git1', '=', '1.0~rc1^git1'],
  ['1.0~rc1^git1', '>', '1.0~rc1'],
  ['1.0~rc1', '<', '1.0~rc1^git1'],
  ['1.0^git1~pre', '=', '1.0^git1~pre'],
  ['1.0^git1', '>', '1.0^git1~pre'],
  ['1.0^git1~pre', '<', '1.0^git1'],
  // oddities kept for reference in rpmvercmp.at
  ['1b.fc17', '=', '1b.fc17'],
  ['1b.fc17', '<', '1.fc17'],
  ['1.fc17', '>', '1b.fc17'],
  ['1g.fc17', '=', '1g.fc17'],
  ['1g.fc17', '>', '1.fc17'],
  ['1.fc17', '<', '1g.fc17'],
];

// Full epoch:version-release comparisons (Red Hat / SUSE advisory style).
const EVR_PAIRS: readonly Pair[] = [
  ['0:1.0-1', '=', '1.0-1'],
  ['1:1.0-1', '>', '2.0-1'],
  ['1:1.0-1', '<', '2:0.1-1'],
  ['1.0-1', '<', '1.0-2'],
  ['1.0-2', '<', '1.0.1-1'],
  ['1.0-10', '>', '1.0-9'],
  ['1.0-1.el8', '<', '1.0-1.el8_5'],
  ['1.0-1.el8_5', '<', '1.0-2.el8'],
  ['2.28-211.el8', '<', '2.28-225.el8'],
  ['4.18.0-372.9.1.el8', '<', '4.18.0-372.19.1.el8_6'],
  ['1:1.1.1k-7.el8_6', '<', '1:1.1.1k-9.el8_7'],
  ['1:1.1.1k-9.el8_7', '>', '1.1.1w-1.fc39'],
  ['3.0.7-24.el9', '<', '3.0.7-25.el9_3'],
  ['3.0.7-25.el9_3', '<', '3.0.7-27.el9'],
  ['1.0~rc1-1', '<', '1.0-1'],
  ['1.0^git1-1', '>', '1.0-5'],
  ['1.0', '<', '1.0-0'],
  ['1.0', '<', '1.0-1'],
  ['1.0', '=', '1.0'],
  [':1.0-1', '=', '0:1.0-1'],
  ['5.14.21-150400.24.46.1', '<', '5.14.21-150400.24.100.2'],
  ['2.31-150300.63.1', '>', '2.31-150300.46.1'],
];

test('rpm: rpmvercmp cases from rpm tests/rpmvercmp.at', () => {
  const failures: string[] = [];
  const want = { '<': -1, '=': 0, '>': 1 } as const;
  for (const [a, op, b] of RPMVERCMP_AT) {
    if (rpmvercmp(a, b) !== want[op]) failures.push(`${a} ${op} ${b}`);
  }
  assert.deepEqual(failures, []);
  assert.ok(RPMVERCMP_AT.length >= 40);
});

test('rpm: comparator agrees with rpmvercmp on release-less versions', () => {
  // none of the rpmvercmp.at strings contain '-' or ':', so EVR comparison reduces to rpmvercmp
  checkPairs(rpm, RPMVERCMP_AT);
});

test('rpm: full EVR ordering', () => {
  checkPairs(rpm, EVR_PAIRS);
});

test('rpm: parseEvr splits like rpm parseEVR', () => {
  assert.deepEqual(parseEvr('1:2.3-4.el8'), { epoch: '1', version: '2.3', release: '4.el8' });
  assert.deepEqual(parseEvr('2.3'), { epoch: '0', version: '2.3', release: undefined });
  assert.deepEqual(parseEvr('2.3-4-5'), { epoch: '0', version: '2.3-4', release: '5' });
  assert.deepEqual(parseEvr(':1'), { epoch: '0', version: '1', release: undefined });
});

test('rpm: valid()', () => {
  for (const v of ['1', '1.0', '1:1.0-1.el8', '1.0~rc1^git2-3.fc40', '2.28-211.el8_10', '1.0+git.abc']) {
    assert.equal(rpm.valid(v), true, v);
  }
  for (const v of ['', '1.0-', '-1', 'a:1.0', '1.0-1-', '1.0 1', '1.0/2', '1:', ':']) {
    assert.equal(rpm.valid(v), false, JSON.stringify(v));
  }
});

const SORTED = [
  '0.9',
  '1.0~alpha',
  '1.0~rc1',
  '1.0~rc1^git1',
  '1.0~rc2',
  '1.0',
  '1.0-0',
  '1.0-1.el8',
  '1.0-1.el8_5',
  '1.0-2',
  '1.0^git1',
  '1.0^git2',
  '1.0a',
  '1.0.1',
  '1.0.1-1',
  '1.00.2',
  '1.1',
  '1.10',
  '2',
  '1:0.1',
  '1:0.1-1',
  '2:0',
];

test('rpm: antisymmetry, transitivity and shuffled sorting', () => {
  checkOrderProperties(rpm, SORTED);
});

test('rpm: never throws on garbage', () => {
  checkGarbage(rpm, SORTED);
});

test('rpm: differential against rpm (lua rpm.vercmp) when available', (t) => {
  const probe = spawnSync('rpm', ['--eval', '%{lua: print(rpm.vercmp("1", "2"))}'], { encoding: 'utf8' });
  const ok = probe.status === 0 && probe.stdout.trim() === '-1';
  if (!integration(t, 'rpm-differential', ok, 'rpm with lua rpm.vercmp not found (Debian package rpm)'))
    return;
  const pairs = [
    ...RPMVERCMP_AT,
    ...EVR_PAIRS,
    ...SORTED.flatMap((a) => SORTED.map((b): Pair => [a, '=', b])),
  ]
    .map(([a, , b]) => [a, b] as const)
    .filter(([a, b]) => !a.includes('-') && !b.includes('-') && !a.includes(':') && !b.includes(':'));
  const dir = mkdtempSync(join(tmpdir(), 'kubeward-rpmvercmp-'));
  try {
    const file = join(dir, 'pairs.txt');
    writeFileSync(file, pairs.map(([a, b]) => `${a} ${b}\n`).join(''));
    // the loop lives in its own file: rpm would macro-expand '%' sequences inside an inline %{lua: ...} body
    const script = join(dir, 'cmp.lua');
    writeFileSync(
      script,
      // print() inside a macro does not separate lines, so collect and print once
      `local r = {}\nfor l in io.lines(${JSON.stringify(file)}) do local a, b = l:match("(%S+) (%S+)"); ` +
        `r[#r + 1] = rpm.vercmp(a, b) end\nprint(table.concat(r, ","))\n`,
    );
    const res = spawnSync('rpm', ['--eval', `%{lua: dofile(${JSON.stringify(script)})}`], {
      encoding: 'utf8',
    });
    assert.equal(res.status, 0, res.stderr);
    const got = res.stdout.trim().split(',').map(Number);
    assert.equal(got.length, pairs.length);
    const mismatches = pairs.filter(([a, b], i) => sgn(rpmvercmp(a, b)) !== got[i]);
    assert.deepEqual(mismatches, []);
    t.diagnostic(`${pairs.length} pairs agree with rpm`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
