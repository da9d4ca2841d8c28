import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  MAX_NESTING_DEPTH,
  nestingExceeds,
  parseYamlDocuments,
  resolvePlain,
  type FieldPath,
} from './yaml-source.js';
import { UserError } from './errors.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

/** Every path into a value, plus paths that do not exist (they resolve to the nearest ancestor). */
function allPaths(v: unknown, prefix: FieldPath = [], out: FieldPath[] = []): FieldPath[] {
  out.push(prefix, [...prefix, 'no-such-key'], [...prefix, 99]);
  if (Array.isArray(v)) v.forEach((x, i) => allPaths(x, [...prefix, i], out));
  else if (typeof v === 'object' && v !== null) {
    for (const [k, x] of Object.entries(v)) allPaths(x, [...prefix, k], out);
  }
  return out;
}

function outcome(text: string, fast: boolean): unknown {
  try {
    return parseYamlDocuments(text, 'f.yaml', 0, { fast }).map((d) => ({
      index: d.index,
      line: d.line,
      value: d.value,
      lines: allPaths(d.value).map((p) => d.lineOf(p)),
    }));
  } catch (e) {
    if (e instanceof UserError) return { error: e.oneLine() };
    throw e;
  }
}

/** The fast path must give exactly what the yaml library gives: values, document lines, every lineOf. */
function assertSameAsLibrary(text: string, label = JSON.stringify(text.slice(0, 60))): void {
  assert.deepStrictEqual(outcome(text, true), outcome(text, false), label);
}

test('fast path matches the yaml library on every YAML fixture in the repository', () => {
  const files: string[] = [];
  const walk = (dir: string): void => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      if (e.name === 'node_modules' || e.name.startsWith('.') || e.name === 'dist') continue;
      const p = join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else if (/\.ya?ml$/.test(e.name) && statSync(p).size < 1 << 20) files.push(p);
    }
  };
  for (const d of ['src', 'test', 'examples', 'docs']) {
    try {
      walk(join(ROOT, d));
    } catch {
      // directory absent in this checkout
    }
  }
  assert.ok(files.length > 20, `found only ${files.length} fixtures`);
  for (const f of files) assertSameAsLibrary(readFileSync(f, 'utf8'), f);
});

test('fast path matches the yaml library on tricky constructs', () => {
  const cases = [
    'a: 1\nb: -2\nc: +3\nd: 0o17\ne: 0x1F\nf: 1.5\ng: .5\nh: 1e3\ni: 1.\nj: .inf\nk: -.Inf\nl: .nan\nm: 08\n',
    'a: true\nb: True\nc: TRUE\nd: yes\ne: off\nf: ~\ng: null\nh: Null\ni:\nj: NULL\nk: nil\n',
    'a: "x\\ty\\n\\u00e9\\x41\\"q\\\\"\nb: \'it\'\'s\'\nc: "#not a comment" # comment\nd: a#b\ne: a #b\n',
    'url: http://example.com:8080/x\ntime: 12:30\nneg: -x\nq: ?x\nc: :x\n',
    'a: |\n  line1\n   indented\n\n  line3\n\nb: |-\n  x\n\n\nc: |+\n  y\n\n\nd: >\n  one\n  two\n\n  three\ne: >-\n  f\n  g\n',
    'a: |\n  x\n# trailing comment at column 0\nb: 1\n',
    'a: |\n  # not a comment\n  x\n',
    'a: |\n  x',
    'a: |+\n  x\n\n',
    'a: [1, "two", \'three\', [4, {b: 5}], {}]\nb: {c: d, "e": [f], g: {h: 1}}\nc: []\nd: {}\n',
    'list:\n- a\n- b:\n    c: 1\n  d: 2\n-\n- - nested\nafter: 1\n',
    'seq:\n  - name: a\n    value: 1\n  - name: b\n\n    value: 2\n  -   spaced: 3\n',
    '"quoted key": 1\n\'single\': 2\n1: one\ntrue: t\n~: n\n1.0: f\n0x10: h\n',
    'dup: 1\nother: x\ndup: 2\nm:\n  k: 1\n  k: [2]\n',
    'toString: 1\nconstructor: 2\nhasOwnProperty: 3\n__proto__: 4\n<<: 5\n',
    '# lead\n\n---\n# c\na: 1\n...\n# after end\n---\nb: 2\n---\n---\n\n',
    '--- # marker comment\na: 1\n--- !tag\nb: 2\n--- |\n  text\n',
    'a: b\n  continued plain\nc: "multi\n  line"\n',
    'a: &x 1\nb: *x\nc: !!str 5\n',
    '{"apiVersion": "v1", "kind": "List",\n "items": [{"a": 1}]}\n',
    'plain scalar document\n',
    '- top\n- level\n',
    '  indented: 1\n  map: 2\n',
    'a:\n  b: 1\n c: 2\n',
    'a: 1\n\tb: 2\n',
    'a: b: c\n',
    'k: v # comment\n  # indented comment\nn: 1\n',
    'empty:\nnext: 1\nlast:',
    'a: {x: 1, y: 2,}\nb: [1,]\nc: [a: b]\nd: {system:masters: x}\n',
  ];
  for (const c of cases) assertSameAsLibrary(c);
});

test('fast path matches the yaml library on CRLF and BOM input', () => {
  const doc =
    'apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\n  labels: {a: b}\nspec:\n  containers:\n    - name: c\n      image: x\n';
  assertSameAsLibrary(doc.replace(/\n/g, '\r\n'));
  assertSameAsLibrary(`\ufeff${doc}`);
  assertSameAsLibrary(`\ufeff${doc}---\n${doc}`.replace(/\n/g, '\r\n'));
});

test('CRLF line endings keep lines right', () => {
  const text = 'a: 1\r\n---\r\n# c\r\nb:\r\n  c: |\r\n    x\r\n  d: 2\r\n';
  const docs = parseYamlDocuments(text, 'f.yaml');
  assert.equal(docs.length, 2);
  assert.equal(docs[1]?.line, 4);
  assert.deepEqual(docs[1]?.value, { b: { c: 'x\n', d: 2 } });
  assert.equal(docs[1]?.lineOf(['b', 'd']), 7);
});

test('a UTF-8 byte order mark is ignored', () => {
  const [doc] = parseYamlDocuments('\ufeffkind: Pod\nmetadata:\n  name: x\n', 'f.yaml');
  assert.deepEqual(doc?.value, { kind: 'Pod', metadata: { name: 'x' } });
  assert.equal(doc?.lineOf(['metadata', 'name']), 3);
});

test('duplicate keys: the last value wins and lineOf points at it', () => {
  const [doc] = parseYamlDocuments('a: 1\nb: 2\na: 3\n', 'f.yaml');
  assert.deepEqual(doc?.value, { a: 3, b: 2 });
  assert.equal(doc?.lineOf(['a']), 3);
  const [slow] = parseYamlDocuments('a: 1\nb: &x 2\na: 3\n', 'f.yaml'); // library path (anchor)
  assert.equal(slow?.lineOf(['a']), 3);
});

test('lineOffset shifts every line on both paths', () => {
  for (const text of ['a:\n  b: 1\n', 'a:\n  b: &x 1\n']) {
    const [doc] = parseYamlDocuments(text, 'f.yaml', 10);
    assert.equal(doc?.line, 11);
    assert.equal(doc?.lineOf(['a', 'b']), 12);
  }
});

test('syntax errors name file and 1-based line, also in later documents', () => {
  const text = 'a: 1\n---\nkind: Pod\nmetadata:\n  name: x\n labels: {}\n';
  assert.throws(
    () => parseYamlDocuments(text, 'bad.yaml'),
    (e: unknown) =>
      e instanceof UserError &&
      e.where?.file === 'bad.yaml' &&
      e.where.line === 6 &&
      /^invalid YAML: All mapping items must start at the same column$/.test(e.message),
  );
  assert.throws(
    () => parseYamlDocuments('a: 1\nb: [1, 2\nc: 3\n', 'bad.yaml'),
    (e: unknown) => e instanceof UserError && e.where?.line === 3,
  );
});

test('an unterminated quote is reported within its own document', () => {
  // The library, given the whole stream, runs the quote on past `---` and reports line 4; documents are
  // parsed one at a time here (a quoted scalar cannot contain a document marker), so the error names the
  // last line of the document that holds the open quote.
  assert.throws(
    () => parseYamlDocuments('a: "unterminated\n---\nb: 1\n', 'q.yaml'),
    (e: unknown) => e instanceof UserError && e.where?.line === 2 && /Missing closing "quote/.test(e.message),
  );
});

test('a billion-laughs document is rejected quickly', () => {
  const lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]'];
  for (let i = 1; i < 10; i++) {
    const name = String.fromCharCode(97 + i);
    const prev = String.fromCharCode(96 + i);
    lines.push(`${name}: &${name} [${Array(9).fill(`*${prev}`).join(',')}]`);
  }
  const started = performance.now();
  assert.throws(
    () => parseYamlDocuments(lines.join('\n'), 'bomb.yaml'),
    (e: unknown) => e instanceof UserError && /YAML bomb/.test(e.message) && e.where?.line === 1,
  );
  assert.ok(performance.now() - started < 1000, 'took longer than 1 s');
});

test('very deep nesting is a clear error, not a stack overflow or a crash', () => {
  const cases: Array<[string, number]> = [
    ['['.repeat(100_000), 1],
    ['['.repeat(100_000) + ']'.repeat(100_000), 1],
    [`kind: Pod\nspec: ${'{a: '.repeat(50_000)}1${'}'.repeat(50_000)}\n`, 2],
    [Array.from({ length: 1000 }, (_, i) => `${' '.repeat(i)}a:`).join('\n'), MAX_NESTING_DEPTH + 1],
    [`${'- '.repeat(100_000)}x\n`, 1],
  ];
  for (const [text, line] of cases) {
    const started = performance.now();
    assert.throws(
      () => parseYamlDocuments(text, 'deep.yaml'),
      (e: unknown) => e instanceof UserError && /nest/.test(e.message) && e.where?.line === line,
      text.slice(0, 30),
    );
    assert.ok(performance.now() - started < 1000, `${text.slice(0, 20)} took longer than 1 s`);
  }
});

test('the nesting pre-scan does not trip on ordinary content', () => {
  const script = Array.from(
    { length: 500 },
    (_, i) => `    if [ "$x" = "${i}" ]; then echo "[unbalanced"; fi`,
  ).join('\n');
  const text = `kind: ConfigMap\ndata:\n  msg: "[not flow"\n  other: a [b\n  run.sh: |\n${script}\n  j: '{'\n`;
  assert.equal(nestingExceeds(text, MAX_NESTING_DEPTH), undefined);
  assert.equal(parseYamlDocuments(text, 'f.yaml').length, 1);
  // A quoted key containing `: [` must not hide real nesting that follows.
  const sneaky = `"k: [": v\nx: ${'['.repeat(1000)}${']'.repeat(1000)}\n`;
  assert.equal(nestingExceeds(sneaky, MAX_NESTING_DEPTH), 2);
});

test('empty streams, `---` only, and comment-only documents yield no documents', () => {
  for (const text of ['', '\n\n', '---', '---\n---\n', '# only a comment\n', '---\n# c\n---\n# d\n...\n']) {
    assert.deepEqual(parseYamlDocuments(text, 'f.yaml'), [], JSON.stringify(text));
  }
});

test('resolvePlain follows the YAML 1.2 core schema', () => {
  assert.equal(resolvePlain('0o17'), 15);
  assert.equal(resolvePlain('0x1F'), 31);
  assert.equal(resolvePlain('1e3'), 1000);
  assert.equal(resolvePlain('yes'), 'yes');
  assert.equal(resolvePlain('~'), null);
  assert.equal(resolvePlain('1.2.3'), '1.2.3');
});
