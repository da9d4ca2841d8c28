import { test } from 'node:test';
import assert from 'node:assert/strict';
import calc from 'ae-cvss-calculator';
import { cvss3BaseScore, cvssScore, roundup30, roundup31, severityFromScore, tryCvssScore } from './index.js';

// Examples from FIRST's "CVSS v3.1 Examples" document (base scores).
const V31_EXAMPLES: [string, number][] = [
  ['CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H', 9.8], // CVE-2014-6271 Shellshock
  ['CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:C/C:H/I:H/A:H', 10.0],
  ['CVSS:3.1/AV:N/AC:L/PR:N/UI:R/S:C/C:L/I:L/A:N', 6.1], // CVE-2013-1937 phpMyAdmin XSS
  ['CVSS:3.1/AV:N/AC:L/PR:L/UI:N/S:C/C:L/I:L/A:N', 6.4], // CVE-2013-0375 MySQL
  ['CVSS:3.1/AV:N/AC:H/PR:N/UI:R/S:U/C:L/I:N/A:N', 3.1], // CVE-2014-3566 POODLE
  ['CVSS:3.1/AV:N/AC:L/PR:L/UI:N/S:C/C:H/I:H/A:H', 9.9], // CVE-2012-1516 VMware
  ['CVSS:3.1/AV:N/AC:L/PR:L/UI:N/S:U/C:H/I:H/A:H', 8.8], // CVE-2012-0384 Cisco IOS
  ['CVSS:3.1/AV:L/AC:L/PR:N/UI:R/S:U/C:H/I:H/A:H', 7.8], // CVE-2015-1098 Apple iWork
  ['CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:N/A:N', 7.5], // CVE-2014-0160 Heartbleed
  ['CVSS:3.1/AV:N/AC:H/PR:N/UI:N/S:C/C:N/I:H/A:N', 6.8], // CVE-2008-1447 DNS
  ['CVSS:3.1/AV:P/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H', 6.8], // CVE-2014-2005 Sophos
  ['CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:C/C:L/I:N/A:N', 5.8], // CVE-2010-0467 Joomla
  ['CVSS:3.1/AV:A/AC:L/PR:N/UI:N/S:C/C:H/I:N/A:H', 9.3], // CVE-2013-6014 Juniper
  ['CVSS:3.1/AV:A/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H', 8.8], // CVE-2011-1265 Bluetooth
  ['CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:N', 0.0],
];

test('CVSS v3.1: FIRST specification examples', () => {
  for (const [vector, score] of V31_EXAMPLES) {
    assert.equal(cvss3BaseScore(vector).score, score, vector);
    assert.equal(cvssScore(vector).score, score, vector);
  }
});

test('CVSS v3.0 vectors use the same base equations', () => {
  assert.equal(cvssScore('CVSS:3.0/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H').score, 9.8);
  assert.equal(cvssScore('CVSS:3.0/AV:N/AC:H/PR:N/UI:N/S:U/C:H/I:H/A:H').score, 8.1);
  assert.equal(cvssScore('CVSS:3.0/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H').version, '3.0');
});

test('CVSS v3: temporal and environmental metrics do not change the base score', () => {
  assert.equal(cvssScore('CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H/E:U/RL:O/RC:C/CR:H/MAV:P').score, 9.8);
});

test('CVSS v3.1 Roundup avoids floating-point artefacts; v3.0 rounds up naively', () => {
  assert.equal(roundup31(4.000000000000001), 4.0);
  assert.equal(roundup30(4.000000000000001), 4.1);
  assert.equal(roundup31(4.02), 4.1);
  assert.equal(roundup31(4.0), 4.0);
  assert.equal(roundup31(9.99), 10.0);
});

test('CVSS v3: every base vector agrees with an independent implementation (ae-cvss-calculator)', () => {
  const dims: [string, string[]][] = [
    ['AV', ['N', 'A', 'L', 'P']],
    ['AC', ['L', 'H']],
    ['PR', ['N', 'L', 'H']],
    ['UI', ['N', 'R']],
    ['S', ['U', 'C']],
    ['C', ['H', 'L', 'N']],
    ['I', ['H', 'L', 'N']],
    ['A', ['H', 'L', 'N']],
  ];
  let vectors = [''];
  for (const [k, vals] of dims) vectors = vectors.flatMap((v) => vals.map((x) => `${v}/${k}:${x}`));
  assert.equal(vectors.length, 2592);
  for (const body of vectors) {
    const v31 = `CVSS:3.1${body}`;
    const v30 = `CVSS:3.0${body}`;
    assert.equal(cvss3BaseScore(v31).score, new calc.Cvss3P1(v31).calculateScores().base, v31);
    assert.equal(cvss3BaseScore(v30).score, new calc.Cvss3P0(v30).calculateScores().base, v30);
  }
});

test('CVSS v3: malformed vectors are rejected', () => {
  for (const bad of [
    'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H', // missing A
    'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H/A:L', // duplicate
    'CVSS:3.1/AV:X/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H', // bad value
    'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H/ZZ:1', // unknown metric
    'CVSS:3.2/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H',
  ]) {
    assert.throws(() => cvssScore(bad), Error, bad);
    assert.equal(tryCvssScore(bad), undefined);
  }
});

// Base-only vectors and scores from FIRST's "CVSS v4.0 Examples" page (and its calculator).
const V4_EXAMPLES: [string, number][] = [
  ['CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N', 9.3],
  ['CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:H/SI:H/SA:H', 10.0],
  ['CVSS:4.0/AV:L/AC:L/AT:P/PR:L/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N', 7.3],
  ['CVSS:4.0/AV:N/AC:L/AT:P/PR:N/UI:P/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N', 7.7],
  ['CVSS:4.0/AV:N/AC:L/AT:P/PR:N/UI:N/VC:H/VI:L/VA:L/SC:N/SI:N/SA:N', 8.3],
  ['CVSS:4.0/AV:L/AC:L/AT:N/PR:N/UI:A/VC:L/VI:N/VA:N/SC:N/SI:N/SA:N', 4.6],
  ['CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:A/VC:N/VI:N/VA:N/SC:L/SI:L/SA:N', 5.1],
  ['CVSS:4.0/AV:N/AC:L/AT:N/PR:L/UI:P/VC:N/VI:N/VA:N/SC:L/SI:L/SA:N', 5.1],
  ['CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:P/VC:N/VI:N/VA:N/SC:L/SI:L/SA:N', 5.3],
  ['CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:N/VI:N/VA:N/SC:L/SI:L/SA:N', 6.9],
  ['CVSS:4.0/AV:L/AC:L/AT:N/PR:H/UI:N/VC:N/VI:N/VA:N/SC:H/SI:N/SA:N', 5.9],
  ['CVSS:4.0/AV:L/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:H/SI:H/SA:H', 9.4],
  ['CVSS:4.0/AV:A/AC:L/AT:N/PR:N/UI:N/VC:N/VI:L/VA:N/SC:H/SI:N/SA:H', 6.4],
  ['CVSS:4.0/AV:P/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:H/SI:H/SA:H', 8.6],
  ['CVSS:4.0/AV:N/AC:L/AT:N/PR:L/UI:N/VC:H/VI:N/VA:N/SC:N/SI:N/SA:N', 7.1],
  ['CVSS:4.0/AV:N/AC:L/AT:P/PR:N/UI:N/VC:H/VI:N/VA:N/SC:N/SI:N/SA:N', 8.2],
  ['CVSS:4.0/AV:L/AC:L/AT:N/PR:H/UI:N/VC:H/VI:H/VA:N/SC:N/SI:N/SA:N', 8.3],
  ['CVSS:4.0/AV:L/AC:L/AT:N/PR:N/UI:P/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N', 8.5],
  ['CVSS:4.0/AV:P/AC:L/AT:P/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N', 5.4],
  ['CVSS:4.0/AV:N/AC:L/AT:N/PR:H/UI:N/VC:H/VI:N/VA:N/SC:N/SI:N/SA:N', 6.9],
  ['CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:N/VI:N/VA:N/SC:N/SI:N/SA:N', 0.0],
];

// Vectors with threat, environmental or supplemental metrics (CVSS-BT / BE / BTE), same source.
const V4_FULL_EXAMPLES: [string, number][] = [
  ['CVSS:4.0/AV:N/AC:L/AT:P/PR:N/UI:P/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N/E:U', 5.2],
  ['CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:N/VI:N/VA:H/SC:N/SI:N/SA:L/E:U', 6.6],
  ['CVSS:4.0/AV:L/AC:L/AT:N/PR:H/UI:N/VC:H/VI:H/VA:N/SC:N/SI:N/SA:N/E:U', 5.6],
  ['CVSS:4.0/AV:N/AC:L/AT:P/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N/E:A', 9.2],
  ['CVSS:4.0/AV:P/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:H/SA:N/S:P/V:D', 8.3],
  [
    'CVSS:4.0/AV:N/AC:L/AT:P/PR:N/UI:N/VC:H/VI:L/VA:L/SC:N/SI:N/SA:N/CR:H/IR:L/AR:L/MAV:N/MAC:H/MVC:H/MVI:L/MVA:L',
    8.1,
  ],
  ['CVSS:4.0/AV:A/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:N/SC:N/SI:N/SA:N/MSI:S/S:P', 9.7],
  [
    'CVSS:4.0/AV:N/AC:L/AT:N/PR:L/UI:N/VC:H/VI:H/VA:H/SC:H/SI:H/SA:H/E:P/CR:L/IR:H/AR:L/MAV:L/MAC:H/MAT:N/MPR:N/MUI:N/MVC:N/MVI:H/MVA:L/MSC:N/MSI:S/MSA:L',
    7.0,
  ],
];

test('CVSS v4.0: FIRST examples, base metrics only', () => {
  for (const [vector, score] of V4_EXAMPLES) {
    const s = cvssScore(vector);
    assert.equal(s.version, '4.0');
    assert.equal(s.score, score, vector);
    assert.equal(s.baseOnly, score, vector);
  }
});

test('CVSS v4.0: FIRST examples with threat, environmental and supplemental metrics', () => {
  for (const [vector, score] of V4_FULL_EXAMPLES) assert.equal(cvssScore(vector).score, score, vector);
});

test('CVSS v4.0: threat metrics give CVSS-BT, base-only score kept', () => {
  const s = cvssScore('CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N/E:U');
  assert.equal(s.baseOnly, 9.3);
  assert.ok(s.score < 9.3);
});

test('CVSS v4.0: incomplete or malformed vectors are rejected', () => {
  assert.throws(() => cvssScore('CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N'));
  assert.throws(() => cvssScore('CVSS:4.0/AV:Q/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N'));
  assert.throws(() => cvssScore('CVSS:4.0/AV:N/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N'));
  assert.throws(() => cvssScore('garbage'));
});

test('CVSS v2 vectors are scored too', () => {
  const s = cvssScore('AV:N/AC:L/Au:N/C:P/I:P/A:P');
  assert.equal(s.version, '2.0');
  assert.equal(s.score, 7.5);
  assert.equal(s.severity, 'high');
});

test('score → severity boundaries', () => {
  assert.equal(severityFromScore(0), 'info');
  assert.equal(severityFromScore(0.1), 'low');
  assert.equal(severityFromScore(3.9), 'low');
  assert.equal(severityFromScore(4.0), 'medium');
  assert.equal(severityFromScore(6.9), 'medium');
  assert.equal(severityFromScore(7.0), 'high');
  assert.equal(severityFromScore(8.9), 'high');
  assert.equal(severityFromScore(9.0), 'critical');
  assert.equal(severityFromScore(10), 'critical');
  assert.equal(cvssScore('CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H').severity, 'critical');
});
