import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { checkCatalogue } from './index.js';
import { renderCatalogue } from '../../report/catalogue.js';

test('docs/checks.md is the current catalogue (regenerate with `make docs`)', () => {
  const committed = readFileSync(new URL('../../../docs/checks.md', import.meta.url), 'utf8');
  assert.equal(committed, renderCatalogue(checkCatalogue(), 'markdown', { color: false }));
});
