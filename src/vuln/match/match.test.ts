import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { importOsv, openVulnDb, parseOsvRecord, type OsvRecord, type VulnDb } from '../db/index.js';
import type { VersionComparator } from '../version/comparator.js';
import {
  evaluateRange,
  Matcher,
  matchPackage,
  matchPackages,
  prepareRange,
  semverComparator,
  type MatchOptions,
  type PackageQuery,
} from './index.js';

const TESTDATA = new URL('./testdata/', import.meta.url);

/** Plain dotted numbers, trailing zeros ignored: every ecosystem orders the fixture versions this way. */
const dotted: VersionComparator = {
  name: 'dotted',
  valid: (v) => /^\d+(\.\d+)*$/.test(v),
  compare(a, b) {
    const x = a.split('.').map(Number);
    const y = b.split('.').map(Number);
    for (let i = 0; i < Math.max(x.length, y.length); i++) {
      const d = (x[i] ?? 0) - (y[i] ?? 0);
      if (d) return d;
    }
    return 0;
  },
};

const records: OsvRecord[] = readdirSync(TESTDATA)
  .filter((f) => f.endsWith('.json'))
  .map((f) => parseOsvRecord(JSON.parse(readFileSync(new URL(f, TESTDATA), 'utf8'))));

let dir: string;
let db: VulnDb;
before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'kw-match-'));
  db = openVulnDb({ cacheDir: dir });
  await importOsv(db, new URL('.', TESTDATA).pathname.replace(/\/$/, ''), { name: 'fixtures' });
});
after(() => {
  db.close();
  rmSync(dir, { recursive: true, force: true });
});

const ids = (from: VulnDb | readonly OsvRecord[], q: PackageQuery, opts: MatchOptions): string[] =>
  matchPackage(from, q, opts).map((m) => m.id);

// The same expectations hold for the in-memory list and the SQLite database, and both with a trivial
// comparator and with the ecosystem comparators of src/vuln/version.
const COMPARATORS: [string, MatchOptions][] = [
  ['dotted test comparator', { comparatorFor: () => dotted }],
  ['src/vuln/version comparatorFor', {}],
];

for (const [cmpLabel, opts] of COMPARATORS) {
  for (const sourceLabel of ['in-memory list', 'SQLite database'] as const) {
    describe(`OSV matching (${sourceLabel}, ${cmpLabel})`, () => {
      const src = (): VulnDb | readonly OsvRecord[] => (sourceLabel === 'SQLite database' ? db : records);
      const q = (ecosystem: string, name: string, version: string): PackageQuery => ({
        ecosystem,
        name,
        version,
      });

      test('multiple intervals in one range; lowest fixed above the version', () => {
        assert.deepEqual(ids(src(), q('npm', 'multi', '0.9.0'), opts), []);
        for (const v of ['1.0.0', '1.0.1']) {
          const [m, ...rest] = matchPackage(src(), q('npm', 'multi', v), opts);
          assert.equal(rest.length, 0, v);
          assert.equal(m?.id, 'TEST-RANGES');
          assert.deepEqual(m?.fixedVersions, ['1.0.2']);
          assert.equal(m?.fixed, '1.0.2');
          assert.equal(m?.fixAvailable, true);
          assert.deepEqual(m?.aliases, ['CVE-2099-0001']);
          assert.equal(m?.severityLevel, 'critical');
          assert.equal(m?.cvss?.score, 9.8);
        }
        assert.deepEqual(ids(src(), q('npm', 'multi', '1.0.2'), opts), []);
        assert.deepEqual(ids(src(), q('npm', 'multi', '2.0.0'), opts), []);
        assert.equal(matchPackage(src(), q('npm', 'multi', '3.2.4'), opts)[0]?.fixed, '3.2.5');
        assert.deepEqual(ids(src(), q('npm', 'multi', '3.2.5'), opts), []);
      });

      test('withdrawn advisories never match', () => {
        assert.ok(!ids(src(), q('npm', 'multi', '1.0.0'), opts).includes('TEST-WITHDRAWN'));
      });

      test('last_affected is inclusive; no fix available', () => {
        const [m] = matchPackage(src(), q('npm', 'lastaff', '2.1.214'), opts);
        assert.equal(m?.id, 'TEST-LAST-AFFECTED');
        assert.equal(m?.fixAvailable, false);
        assert.deepEqual(m?.fixedVersions, []);
        assert.equal(m?.severityLevel, 'medium'); // GHSA-style database_specific.severity MODERATE
        assert.deepEqual(ids(src(), q('npm', 'lastaff', '0.0.1'), opts), ['TEST-LAST-AFFECTED']);
        assert.deepEqual(ids(src(), q('npm', 'lastaff', '2.1.215'), opts), []);
      });

      test('events are sorted by version before evaluation; introduced "0" first', () => {
        assert.equal(matchPackage(src(), q('npm', 'unsorted', '1.0.0'), opts)[0]?.fixed, '1.2.0');
        assert.deepEqual(ids(src(), q('npm', 'unsorted', '1.3.0'), opts), []);
        assert.equal(matchPackage(src(), q('npm', 'unsorted', '1.5.0'), opts)[0]?.fixed, '2.0.0');
        assert.deepEqual(ids(src(), q('npm', 'unsorted', '2.1.0'), opts), []);
      });

      test('limit events bound the range (exclusive)', () => {
        assert.deepEqual(ids(src(), q('npm', 'limited', '1.4.9'), opts), ['TEST-LIMIT']);
        assert.deepEqual(ids(src(), q('npm', 'limited', '1.5.0'), opts), []);
        assert.deepEqual(ids(src(), q('npm', 'limited', '2.0'), opts), []);
      });

      test('versions list: exact match, PEP 503 names, GIT ranges ignored', () => {
        const [m] = matchPackage(src(), q('PyPI', 'listed-only-pkg', '1.4.1'), opts);
        assert.equal(m?.id, 'TEST-VERSIONS');
        assert.equal(m?.fixAvailable, false);
        assert.deepEqual(ids(src(), q('PyPI', 'LISTED.only__PKG', '1.4.0'), opts), ['TEST-VERSIONS']);
        assert.deepEqual(ids(src(), q('PyPI', 'listed-only-pkg', '2.0'), opts), ['TEST-VERSIONS']);
        assert.deepEqual(ids(src(), q('PyPI', 'listed-only-pkg', '2.0.0'), opts), ['TEST-VERSIONS']);
        assert.deepEqual(ids(src(), q('PyPI', 'listed-only-pkg', '1.4.2'), opts), []);
      });

      test('several affected entries for one package merge into one match', () => {
        const ms = matchPackage(src(), q('crates.io', 'twice', '2.1.0'), opts);
        assert.equal(ms.length, 1);
        assert.deepEqual(ms[0]?.fixedVersions, ['2.5.0', '3.0.0']);
        assert.equal(ms[0]?.fixed, '2.5.0');
        assert.equal(ms[0]?.severityLevel, 'low'); // from affected[0].severity
        assert.deepEqual(matchPackage(src(), q('crates.io', 'twice', '1.0.0'), opts)[0]?.fixedVersions, [
          '3.0.0',
        ]);
        assert.deepEqual(ids(src(), q('crates.io', 'twice', '3.0.0'), opts), []);
        assert.equal(
          matchPackage(src(), q('crates.io', 'other-crate', '9.9.9'), opts)[0]?.fixAvailable,
          false,
        );
      });

      test('database_specific and ecosystem_specific do not affect evaluation', () => {
        const [m] = matchPackage(src(), q('npm', 'specific', '5.0.0'), opts);
        assert.equal(m?.id, 'TEST-SPECIFIC-IGNORED');
        assert.equal(m?.fixAvailable, false);
      });

      test('distro releases: scoped records apply to their release, unscoped ones to all', () => {
        assert.deepEqual(ids(src(), q('Debian:12', 'openssl', '1.0.0'), opts), ['TEST-DEBIAN-12']);
        assert.deepEqual(ids(src(), q('Debian:11', 'openssl', '1.0.0'), opts), ['TEST-DEBIAN-11']);
        assert.deepEqual(ids(src(), q('Debian', 'openssl', '1.0.0'), opts), [
          'TEST-DEBIAN-11',
          'TEST-DEBIAN-12',
        ]);
        assert.deepEqual(ids(src(), q('Debian:12', 'openssl', '3.0.10'), opts), [
          'TEST-DEBIAN-12',
          'TEST-DEBIAN-ANY',
        ]);
        assert.deepEqual(ids(src(), q('Debian:12', 'openssl', '3.0.12'), opts), ['TEST-DEBIAN-ANY']);
        assert.deepEqual(ids(src(), q('Debian:13', 'openssl', '3.0.12'), opts), ['TEST-DEBIAN-ANY']);
      });

      test('Go: SEMVER ranges, v-prefixed module versions, pre-releases, stdlib go1.x', () => {
        const [m] = matchPackage(src(), q('Go', 'github.com/example/mod', 'v1.5.9'), opts);
        assert.equal(m?.id, 'TEST-GO');
        assert.equal(m?.fixed, '1.6.0');
        assert.equal(m?.cvss?.version, '4.0'); // the newest CVSS version present wins
        assert.equal(m?.severityLevel, 'critical');
        assert.deepEqual(ids(src(), q('Go', 'github.com/example/mod', 'v1.6.0'), opts), []);
        assert.deepEqual(ids(src(), q('Go', 'github.com/example/mod', 'v1.6.0-rc.1'), opts), ['TEST-GO']);
        assert.equal(matchPackage(src(), q('Go', 'stdlib', 'go1.20.3'), opts)[0]?.fixed, '1.20.5');
        assert.deepEqual(ids(src(), q('Go', 'stdlib', 'go1.21.0'), opts), []);
        // Module paths are case-sensitive; only PyPI names are normalised.
        assert.deepEqual(ids(src(), q('Go', 'github.com/Example/mod', 'v1.0.0'), opts), []);
      });

      test('an unparsable version is reported, not silently clean', () => {
        const [r] = matchPackages(src(), [q('Go', 'github.com/example/mod', 'not-a-version')], opts);
        assert.deepEqual(r?.matches, []);
        assert.equal(r?.warnings.length, 1);
        assert.match(r?.warnings[0] ?? '', /not a valid semver version/);
      });

      test('batch results come back in query order', () => {
        const qs = [
          q('npm', 'multi', '1.0.1'),
          q('npm', 'nothing-here', '1.0.0'),
          q('crates.io', 'twice', '2.1.0'),
          q('npm', 'multi', '3.0.0'),
        ];
        const rs = matchPackages(src(), qs, opts);
        assert.deepEqual(
          rs.map((r) => r.matches.map((m) => m.id)),
          [['TEST-RANGES'], [], ['TEST-MULTI-AFFECTED'], ['TEST-RANGES']],
        );
        assert.equal(rs[1]?.query, qs[1]);
      });
    });
  }
}

describe('OSV range evaluation (spec pseudo-code)', () => {
  const r = (events: object[], type = 'ECOSYSTEM') => {
    const p = prepareRange({ type, events }, dotted);
    assert.ok(p);
    return p;
  };
  test('introduced only: everything from there on', () => {
    assert.equal(evaluateRange('0.0.1', r([{ introduced: '0' }]), dotted).affected, true);
    assert.equal(evaluateRange('1.0', r([{ introduced: '1.1' }]), dotted).affected, false);
    assert.equal(evaluateRange('1.1', r([{ introduced: '1.1' }]), dotted).affected, true);
  });
  test('fixed is exclusive, last_affected inclusive', () => {
    const fixed = r([{ introduced: '1.0' }, { fixed: '2.0' }]);
    assert.deepEqual(evaluateRange('1.9', fixed, dotted), { affected: true, fixed: '2.0' });
    assert.equal(evaluateRange('2.0', fixed, dotted).affected, false);
    const last = r([{ introduced: '1.0' }, { last_affected: '2.0' }]);
    assert.deepEqual(evaluateRange('2.0', last, dotted), { affected: true });
    assert.equal(evaluateRange('2.0.1', last, dotted).affected, false);
  });
  test('several limits: below any one of them is enough; "*" is infinity', () => {
    const lim = r([{ introduced: '0' }, { limit: '1.0' }, { limit: '3.0' }]);
    assert.equal(evaluateRange('2.0', lim, dotted).affected, true);
    assert.equal(evaluateRange('3.0', lim, dotted).affected, false);
    assert.equal(evaluateRange('9.0', r([{ introduced: '0' }, { limit: '*' }]), dotted).affected, true);
  });
  test('GIT ranges are not version ranges', () => {
    assert.equal(prepareRange({ type: 'GIT', events: [{ introduced: '0' }] }, dotted), undefined);
  });
  test('SemVer 2.0 precedence', () => {
    const order = [
      '1.0.0-alpha',
      '1.0.0-alpha.1',
      '1.0.0-alpha.beta',
      '1.0.0-beta',
      '1.0.0-beta.2',
      '1.0.0-beta.11',
      '1.0.0-rc.1',
      '1.0.0',
      '1.0.1',
      '1.10.0',
      '10.0.0',
    ];
    for (let i = 1; i < order.length; i++)
      assert.ok(
        semverComparator.compare(order[i - 1] as string, order[i] as string) < 0,
        `${order[i - 1]} < ${order[i]}`,
      );
    assert.equal(semverComparator.compare('v1.2.3', '1.2.3+incompatible'), 0);
    assert.equal(semverComparator.valid('1.2'), false);
  });
  test('an ecosystem without a known ordering: only the versions list is checked, with a warning', () => {
    const rec: OsvRecord = {
      id: 'X-1',
      modified: '2024-01-01T00:00:00Z',
      affected: [
        {
          package: { ecosystem: 'NoSuchEco', name: 'p' },
          versions: ['1.0'],
          ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '0' }] }],
        },
      ],
    };
    const m = new Matcher([rec], { comparatorFor: () => undefined });
    const [hit, miss] = m.matchAll([
      { ecosystem: 'NoSuchEco', name: 'p', version: '1.0' },
      { ecosystem: 'NoSuchEco', name: 'p', version: '2.0' },
    ]);
    assert.deepEqual(
      hit?.matches.map((x) => x.id),
      ['X-1'],
    );
    assert.deepEqual(miss?.matches, []);
    assert.match(miss?.warnings[0] ?? '', /no version ordering known/);
  });
});
