// Optional: imports the real OSV and KEV data under ../shared/data (beside the repository) and checks a
// few known advisories. Skips when that directory is absent.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { matchPackage } from '../match/index.js';
import { dbStatus, getAdvisory, importKev, importOsv, lookupKev, openVulnDb, type VulnDb } from './index.js';

const SHARED =
  process.env.KUBEWARD_SHARED_DATA ?? fileURLToPath(new URL('../../../../shared/data/', import.meta.url));
const OSV = join(SHARED, 'osv');
const KEV = join(SHARED, 'kev', 'known_exploited_vulnerabilities.json');
const present = existsSync(OSV) && existsSync(KEV);
const skip = present ? false : `real data not found at ${SHARED} (set KUBEWARD_SHARED_DATA to run this test)`;

describe('real OSV + KEV data', { skip }, () => {
  let dir: string;
  let db: VulnDb;
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'kw-real-'));
    db = openVulnDb({ cacheDir: dir });
    await importOsv(db, join(OSV, 'Go'), { name: 'osv:Go' });
    await importOsv(db, join(OSV, 'PyPI'), { name: 'osv:PyPI' });
    await importOsv(db, join(OSV, 'crates.io'), { name: 'osv:crates.io' });
    await importKev(db, KEV);
  });
  after(() => {
    db?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const ids = (ecosystem: string, name: string, version: string): string[] =>
    matchPackage(db, { ecosystem, name, version }).map((m) => m.id);

  test('every source imported without malformed records', () => {
    const s = dbStatus(db);
    assert.deepEqual(
      s.sources.map((x) => x.name),
      ['cisa-kev', 'osv:Go', 'osv:PyPI', 'osv:crates.io'],
    );
    for (const src of s.sources) assert.ok(src.records > 100, `${src.name}: ${src.records} records`);
    const kev = JSON.parse(readFileSync(KEV, 'utf8')) as { vulnerabilities: unknown[] };
    assert.equal(s.counts.kev, kev.vulnerabilities.length);
  });

  test('Go: GO-2020-0001 (gin) affects < 1.6.0', () => {
    const [m] = matchPackage(db, {
      ecosystem: 'Go',
      name: 'github.com/gin-gonic/gin',
      version: 'v1.5.0',
    }).filter((x) => x.id === 'GO-2020-0001');
    assert.ok(m);
    assert.equal(m.fixed, '1.6.0');
    assert.ok(m.aliases.includes('CVE-2020-36567'));
    assert.ok(!ids('Go', 'github.com/gin-gonic/gin', 'v1.6.0').includes('GO-2020-0001'));
  });

  test('PyPI: PYSEC-2021-142 (PyYAML < 5.4), PYSEC-2023-74 (requests 2.3.0 – 2.31.0)', () => {
    const py = matchPackage(db, { ecosystem: 'PyPI', name: 'PyYAML', version: '5.3.1' }).find(
      (x) => x.id === 'PYSEC-2021-142',
    );
    assert.equal(py?.fixed, '5.4');
    assert.ok(!ids('PyPI', 'pyyaml', '5.4').includes('PYSEC-2021-142'));
    const rq = matchPackage(db, { ecosystem: 'PyPI', name: 'requests', version: '2.30.0' });
    assert.equal(rq.find((x) => x.id === 'PYSEC-2023-74')?.fixed, '2.31.0');
    assert.ok(!rq.some((x) => x.id === 'PYSEC-2014-13'), 'fixed in 2.3.0');
    assert.ok(!ids('PyPI', 'requests', '2.31.0').includes('PYSEC-2023-74'));
  });

  test('crates.io: RUSTSEC-2016-0001 (openssl < 0.9.0)', () => {
    assert.ok(ids('crates.io', 'openssl', '0.8.3').includes('RUSTSEC-2016-0001'));
    assert.ok(!ids('crates.io', 'openssl', '0.9.0').includes('RUSTSEC-2016-0001'));
  });

  test('withdrawn advisories are stored but not matched', () => {
    const w = getAdvisory(db, 'RUSTSEC-2020-0053');
    assert.ok(w?.withdrawn);
    const pkg = w.affected?.[0]?.package;
    assert.ok(pkg);
    assert.ok(!ids(pkg.ecosystem, pkg.name, '0.0.1').includes('RUSTSEC-2020-0053'));
  });

  test('KEV: Log4Shell is listed', () => {
    const k = lookupKev(db, ['CVE-2021-44228']).get('CVE-2021-44228');
    assert.equal(k?.vendorProject, 'Apache');
  });
});
