// Catalogue-wide contract: every check has a fixture that triggers it at exactly the marked lines (through
// the full scanner, so removing a check from ALL_CHECKS fails here) and a close variant that does not.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { decodeManifests } from '../../k8s/decode.js';
import { parseConfig } from '../../core/config.js';
import { scanResources } from '../scan.js';
import { ALL_CHECKS, checkCatalogue } from './index.js';
import { SEVERITIES } from '../../core/severity.js';

const TESTDATA = fileURLToPath(new URL('./testdata/', import.meta.url));

function scanFixture(id: string, kind: 'fail' | 'pass') {
  const file = join(TESTDATA, `${id}.${kind}.yaml`);
  const text = readFileSync(file, 'utf8');
  const configFile = join(TESTDATA, `${id}.config.yaml`);
  const config = existsSync(configFile) ? parseConfig(readFileSync(configFile, 'utf8'), configFile) : {};
  const { resources } = decodeManifests(text, `${id}.${kind}.yaml`);
  const findings = scanResources(resources, { config, checks: ALL_CHECKS }).findings.filter(
    (f) => f.checkId === id,
  );
  return { text, findings };
}

/** Lines (1-based) carrying `# <- ID` markers. */
function markedLines(text: string, id: string): number[] {
  const out: number[] = [];
  text.split(/\r?\n/).forEach((line, i) => {
    const m = /#\s*<-\s*([A-Z0-9-, ]+)\s*$/.exec(line);
    if (
      m?.[1]
        ?.split(',')
        .map((s) => s.trim())
        .includes(id)
    )
      out.push(i + 1);
  });
  return out;
}

test('the catalogue has at least 60 checks with unique ids and complete metadata', () => {
  const ids = new Set<string>();
  for (const c of checkCatalogue()) {
    assert.ok(!ids.has(c.id), `duplicate check id ${c.id}`);
    ids.add(c.id);
    assert.match(c.id, /^KW-[A-Z]+-\d{3}$/, `id format ${c.id}`);
    assert.ok(c.title.length > 5, `${c.id} title`);
    assert.ok(c.description.length > 20, `${c.id} description`);
    assert.ok(c.remediation.length > 10, `${c.id} remediation`);
    assert.ok(SEVERITIES.includes(c.severity), `${c.id} severity`);
    assert.ok(c.frameworks.length > 0, `${c.id} has framework mappings`);
  }
  assert.ok(ids.size >= 60, `expected >= 60 checks, have ${ids.size}`);
});

test('every check id with a fixture is in the catalogue (no orphaned fixtures)', () => {
  const ids = new Set(ALL_CHECKS.map((c) => c.id));
  for (const f of readdirSync(TESTDATA)) {
    const m = /^(KW-[A-Z]+-\d{3})\.(fail|pass|config)\.yaml$/.exec(f);
    assert.ok(m, `unexpected fixture name ${f}`);
    assert.ok(ids.has(m[1] ?? ''), `fixture ${f} has no check`);
  }
});

for (const check of ALL_CHECKS) {
  test(`${check.id} (${check.title}) fires at exactly the marked lines and not on its passing variant`, () => {
    const fail = scanFixture(check.id, 'fail');
    const expected = markedLines(fail.text, check.id);
    assert.ok(expected.length > 0, `${check.id}.fail.yaml has no "# <- ${check.id}" marker`);
    assert.deepEqual(
      fail.findings.map((f) => f.location.line).sort((a, b) => a - b),
      expected,
      `${check.id} finding lines`,
    );
    const pass = scanFixture(check.id, 'pass');
    assert.deepEqual(
      pass.findings.map((f) => `${f.location.line}: ${f.message}`),
      [],
      `${check.id}.pass.yaml must not trigger`,
    );
  });
}
