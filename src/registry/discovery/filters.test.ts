import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compareTagsNewestFirst, filterRepositories, filterTags } from './filters.js';

test('version-aware tag order: numbers as numbers, pre-releases below their release', () => {
  const tags = [
    'v1.9',
    'v1.10',
    'v1.9-rc1',
    'v1.9.1',
    'latest',
    'v2.0.0-beta.2',
    'v2.0.0-beta.10',
    'v2.0.0',
    '007',
    '7',
  ];
  assert.deepEqual([...tags].sort(compareTagsNewestFirst), [
    'v2.0.0',
    'v2.0.0-beta.10',
    'v2.0.0-beta.2',
    'v1.10',
    'v1.9.1',
    'v1.9',
    'v1.9-rc1',
    'latest',
    '7',
    '007',
  ]);
});

test('tag globs and maxTags; repository globs with * and **', () => {
  const tags = ['v1.0', 'v1.1', 'v1.2-rc1', 'v1.2', 'dev', 'v1.1'];
  assert.deepEqual(filterTags(tags, { include: ['v*'], exclude: ['*-rc*'], maxTags: 2 }), ['v1.2', 'v1.1']);
  assert.deepEqual(filterTags(tags, { include: [], exclude: [] }), [
    'v1.2',
    'v1.2-rc1',
    'v1.1',
    'v1.0',
    'dev',
  ]);
  const repos = ['acme/api', 'acme/team/web', 'acme/tmp-x', 'other/x'];
  assert.deepEqual(filterRepositories(repos, { include: ['acme/*'], exclude: ['acme/tmp-*'] }), ['acme/api']);
  assert.deepEqual(filterRepositories(repos, { include: ['acme/**'], exclude: [] }), [
    'acme/api',
    'acme/team/web',
    'acme/tmp-x',
  ]);
  assert.deepEqual(filterRepositories(repos, { include: [], exclude: ['**/x'] }), [
    'acme/api',
    'acme/team/web',
    'acme/tmp-x',
  ]);
});
