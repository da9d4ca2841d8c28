// The stored form a database match reads (events sorted and keyed at import, listed versions trimmed to those
// outside the ranges) must give exactly the results of evaluating the records themselves.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { importOsv, openVulnDb, parseOsvRecord, type OsvRecord, type VulnDb } from '../db/index.js';
import { comparatorFor, type VersionComparator } from '../version/index.js';
import { Matcher, type PackageMatchResult, type PackageQuery } from './index.js';

const record = (id: string, affected: unknown[]): OsvRecord =>
  parseOsvRecord({ schema_version: '1.6.0', id, modified: '2026-01-01T00:00:00Z', affected });

const RECORDS: OsvRecord[] = [
  // PyPI as OSV publishes it: an ECOSYSTEM range plus the versions it covers, and two listed versions the
  // range leaves out (one not even PEP 440).
  record('PYSEC-T-1', [
    {
      package: { ecosystem: 'PyPI', name: 'Demo_Pkg' },
      ranges: [
        { type: 'ECOSYSTEM', events: [{ introduced: '1.0' }, { fixed: '1.4' }, { introduced: '2.0rc1' }] },
      ],
      versions: ['1.0', '1.1', '1.2', '1.3.post1', '2.0rc1', '2.0', '0.9', 'weird build'],
    },
  ]),
  // A SEMVER range on a PyPI package: `1.5` is not SemVer, so its range cannot be evaluated, yet it equals the
  // listed `1.5.0` under PEP 440 (which the trimmed list left out because the range holds it).
  record('PYSEC-T-2', [
    {
      package: { ecosystem: 'PyPI', name: 'demo-pkg' },
      ranges: [{ type: 'SEMVER', events: [{ introduced: '1.5.0' }, { last_affected: '1.6.0' }] }],
      versions: ['1.5.0', '1.6.0'],
    },
  ]),
  // Go: SEMVER ranges with limits and an explicit list, and an ECOSYSTEM range with an unkeyable event.
  record('GO-T-1', [
    {
      package: { ecosystem: 'Go', name: 'example.com/mod' },
      ranges: [
        {
          type: 'SEMVER',
          events: [{ introduced: '0' }, { fixed: '1.2.3' }, { limit: '1.2.0' }, { limit: '*' }],
        },
        { type: 'SEMVER', events: [{ introduced: '2.0.0-rc.1' }, { fixed: '2.0.1' }] },
      ],
      versions: ['v0.1.0', 'v3.0.0'],
    },
    {
      package: { ecosystem: 'Go', name: 'example.com/mod' },
      ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '0.5.0' }, { fixed: 'not-a-version' }] }],
    },
  ]),
  // No ordering known for the ecosystem: only the list counts, untrimmed.
  record('X-T-1', [
    {
      package: { ecosystem: 'NoSuchEcosystem', name: 'thing' },
      ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '1' }] }],
      versions: ['1', '2'],
    },
  ]),
];

const QUERIES: PackageQuery[] = [
  ...[
    '0.9',
    '1.0',
    '1.0.0',
    '1.1',
    '1.3.post1',
    '1.4',
    '1.5',
    '1.5.0',
    '1.6',
    '2.0a1',
    '2.0',
    'weird build',
    'x',
  ].flatMap((version) => [
    { ecosystem: 'PyPI', name: 'demo-pkg', version },
    { ecosystem: 'PyPI', name: 'DEMO.pkg', version },
  ]),
  ...['v0.1.0', 'v0.6.0', 'v1.1.9', 'v1.2.0', 'v2.0.0-rc.0', 'v2.0.0', 'v2.0.1', 'v3.0.0', 'bad'].map(
    (version) => ({
      ecosystem: 'Go',
      name: 'example.com/mod',
      version,
    }),
  ),
  ...['1', '2', '3'].map((version) => ({ ecosystem: 'NoSuchEcosystem', name: 'thing', version })),
];

/** The same orderings without sort keys: the database's stored order no longer applies, so it re-sorts. */
const withoutKeys = new Map<string, VersionComparator | undefined>();
function keylessComparatorFor(ecosystem: string): VersionComparator | undefined {
  const c = comparatorFor(ecosystem);
  if (!c) return undefined;
  let k = withoutKeys.get(c.name);
  if (!k) withoutKeys.set(c.name, (k = { name: c.name, compare: c.compare, valid: c.valid }));
  return k;
}

const summary = (results: readonly PackageMatchResult[]): string[] =>
  results.map(
    (r) =>
      `${r.query.ecosystem} ${r.query.name} ${r.query.version}: ${r.matches
        .map((m) => `${m.id} fixed=${m.fixedVersions.join('|')}`)
        .join(', ')}${r.warnings.length ? ` warnings=${r.warnings.length}` : ''}`,
  );

let dir: string;
let db: VulnDb;
before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'kw-stored-'));
  mkdirSync(join(dir, 'osv'));
  for (const r of RECORDS) writeFileSync(join(dir, 'osv', `${r.id}.json`), JSON.stringify(r));
  db = openVulnDb({ cacheDir: dir });
  await importOsv(db, join(dir, 'osv'), { name: 'fixtures' });
});
after(() => {
  db.close();
  rmSync(dir, { recursive: true, force: true });
});

test('the PyPI lists are stored trimmed to the versions outside the ranges', () => {
  const rows = db
    .reader()
    .prepare(
      `SELECT m.mrow FROM affected_match m JOIN advisories a ON a.pk = m.advisory
        WHERE m.eco_base = 'pypi' ORDER BY a.id`,
    )
    .pluck()
    .all() as string[];
  // mrow is an AffectedRow: rowid, advisory, ecosystem, ranges, versions, trimmed, ...
  const stored = rows.map((r) => JSON.parse(r) as unknown[]);
  assert.deepEqual(
    stored.map((s) => [s[4], s[5]]),
    [
      ['\n0.9\nweird build\n', 1],
      [null, 1],
    ],
  );
});

test('database, re-sorted database and record list give the same matches', () => {
  const fromDb = summary(new Matcher(db).matchAll(QUERIES));
  assert.deepEqual(
    fromDb,
    summary(new Matcher(db, { comparatorFor: keylessComparatorFor }).matchAll(QUERIES)),
  );
  assert.deepEqual(fromDb, summary(new Matcher(RECORDS).matchAll(QUERIES)));
  // and a warm matcher (cached candidates, whole lists loaded on the way) answers the same again
  const m = new Matcher(db);
  m.matchAll(QUERIES);
  assert.deepEqual(summary(m.matchAll(QUERIES)), fromDb);
});

test('a listed version is found when only the whole list can find it', () => {
  const got = new Matcher(db).matchAll([
    { ecosystem: 'PyPI', name: 'demo-pkg', version: '1.5' },
    { ecosystem: 'PyPI', name: 'demo-pkg', version: '0.9' },
    { ecosystem: 'PyPI', name: 'demo-pkg', version: 'weird build' },
    { ecosystem: 'PyPI', name: 'demo-pkg', version: '1.3.post1' },
    { ecosystem: 'PyPI', name: 'demo-pkg', version: '1.4' },
  ]);
  assert.deepEqual(
    got.map((r) => r.matches.map((m) => m.id)),
    [['PYSEC-T-2'], ['PYSEC-T-1'], ['PYSEC-T-1'], ['PYSEC-T-1'], []],
  );
});

test('an ordering unlike the import one reads the whole lists', () => {
  // Release numbers only: `1.3.post1` is no version here, so no range can hold it, and only the whole list
  // (the trimmed one left it out as inside a PEP 440 range) can match it.
  const releases: VersionComparator = {
    name: 'releases-only',
    valid: (v) => /^\d+(\.\d+)*$/.test(v),
    compare: (a, b) => (comparatorFor('PyPI') as VersionComparator).compare(a, b),
  };
  const opts = { comparatorFor: (e: string) => (e === 'PyPI' ? releases : comparatorFor(e)) };
  const fromDb = new Matcher(db, opts).matchAll(QUERIES);
  assert.deepEqual(summary(fromDb), summary(new Matcher(RECORDS, opts).matchAll(QUERIES)));
  const post = fromDb.find((r) => r.query.ecosystem === 'PyPI' && r.query.version === '1.3.post1');
  assert.deepEqual(
    post?.matches.map((m) => m.id),
    ['PYSEC-T-1'],
  );
});

test('scores read from the database are frozen: one object serves every finding of the advisory', async () => {
  const vector = 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H';
  const scored = parseOsvRecord({
    schema_version: '1.6.0',
    id: 'GHSA-T-1',
    modified: '2026-01-01T00:00:00Z',
    severity: [{ type: 'CVSS_V3', score: vector }],
    affected: [
      {
        package: { ecosystem: 'crates.io', name: 'scored' },
        ranges: [{ type: 'SEMVER', events: [{ introduced: '0' }, { fixed: '2.0.0' }] }],
        // v4 outranks the record's v3.1: the entry's own score is the match's
        severity: [
          { type: 'CVSS_V4', score: 'CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N' },
        ],
      },
      {
        package: { ecosystem: 'crates.io', name: 'scored-meta' },
        ranges: [{ type: 'SEMVER', events: [{ introduced: '0' }] }],
      },
    ],
  });
  const sub = mkdtempSync(join(tmpdir(), 'kw-scored-'));
  try {
    mkdirSync(join(sub, 'osv'));
    writeFileSync(join(sub, 'osv', 'GHSA-T-1.json'), JSON.stringify(scored));
    const scoredDb = openVulnDb({ cacheDir: sub });
    await importOsv(scoredDb, join(sub, 'osv'), { name: 'scored' });
    const [a, b, c] = new Matcher(scoredDb).matchAll([
      { ecosystem: 'crates.io', name: 'scored', version: '1.0.0' },
      { ecosystem: 'crates.io', name: 'scored', version: '1.5.0' },
      { ecosystem: 'crates.io', name: 'scored-meta', version: '1.0.0' },
    ]);
    const entryScore = a?.matches[0]?.cvss;
    const metaScore = c?.matches[0]?.cvss;
    assert.ok(entryScore && metaScore);
    assert.equal(entryScore.version, '4.0');
    assert.equal(metaScore.score, 9.8);
    assert.ok(Object.isFrozen(entryScore) && Object.isFrozen(metaScore));
    assert.equal(b?.matches[0]?.cvss, entryScore);
    scoredDb.close();
  } finally {
    rmSync(sub, { recursive: true, force: true });
  }
});
