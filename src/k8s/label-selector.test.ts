import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  compileLabelSelector,
  everythingSelector,
  LabelSelectorError,
  labelKeyProblem,
  labelValueProblem,
  matchesLabelSelector,
  nothingSelector,
  parseSelector,
  selectorFromSet,
} from './label-selector.js';

const web = { app: 'web', tier: 'frontend', env: 'prod' };

test('structured selectors match with upstream semantics', () => {
  const cases: [string, unknown, Record<string, string> | undefined, boolean][] = [
    ['empty selector matches everything', {}, web, true],
    ['empty selector matches no labels', {}, undefined, true],
    ['matchLabels equal', { matchLabels: { app: 'web' } }, web, true],
    ['matchLabels different value', { matchLabels: { app: 'db' } }, web, false],
    ['matchLabels missing key', { matchLabels: { team: 'a' } }, web, false],
    ['matchLabels all must hold', { matchLabels: { app: 'web', env: 'dev' } }, web, false],
    ['matchLabels empty value', { matchLabels: { app: '' } }, { app: '' }, true],
    [
      'In hit',
      { matchExpressions: [{ key: 'env', operator: 'In', values: ['prod', 'staging'] }] },
      web,
      true,
    ],
    ['In miss', { matchExpressions: [{ key: 'env', operator: 'In', values: ['dev'] }] }, web, false],
    ['In absent key', { matchExpressions: [{ key: 'team', operator: 'In', values: ['a'] }] }, web, false],
    ['NotIn hit', { matchExpressions: [{ key: 'env', operator: 'NotIn', values: ['prod'] }] }, web, false],
    ['NotIn miss', { matchExpressions: [{ key: 'env', operator: 'NotIn', values: ['dev'] }] }, web, true],
    [
      'NotIn absent key matches',
      { matchExpressions: [{ key: 'team', operator: 'NotIn', values: ['a'] }] },
      web,
      true,
    ],
    ['Exists', { matchExpressions: [{ key: 'tier', operator: 'Exists' }] }, web, true],
    ['Exists absent', { matchExpressions: [{ key: 'team', operator: 'Exists' }] }, web, false],
    ['DoesNotExist', { matchExpressions: [{ key: 'team', operator: 'DoesNotExist' }] }, web, true],
    ['DoesNotExist present', { matchExpressions: [{ key: 'app', operator: 'DoesNotExist' }] }, web, false],
    [
      'Exists with empty values list',
      { matchExpressions: [{ key: 'app', operator: 'Exists', values: [] }] },
      web,
      true,
    ],
    [
      'matchLabels AND matchExpressions',
      {
        matchLabels: { app: 'web' },
        matchExpressions: [{ key: 'env', operator: 'NotIn', values: ['prod'] }],
      },
      web,
      false,
    ],
    [
      'prefixed key',
      { matchLabels: { 'kubernetes.io/metadata.name': 'kube-system' } },
      { 'kubernetes.io/metadata.name': 'kube-system' },
      true,
    ],
    // A label named like an Object.prototype member must not be found on the prototype.
    [
      'constructor is not inherited',
      { matchExpressions: [{ key: 'constructor', operator: 'Exists' }] },
      {},
      false,
    ],
    [
      'toString NotIn absent',
      { matchExpressions: [{ key: 'toString', operator: 'NotIn', values: ['x'] }] },
      {},
      true,
    ],
    ['null fields are absent', { matchLabels: null, matchExpressions: null }, web, true],
  ];
  for (const [name, sel, labels, want] of cases) {
    assert.equal(compileLabelSelector(sel).matches(labels), want, name);
  }
});

test('absent selectors: nothing by default, everything when asked', () => {
  assert.equal(matchesLabelSelector(undefined, web), false);
  assert.equal(matchesLabelSelector(null, {}), false);
  assert.equal(compileLabelSelector(undefined, { absent: 'everything' }).matches(web), true);
  assert.equal(nothingSelector.matches({}), false);
  assert.equal(everythingSelector.matches(undefined), true);
  assert.equal(everythingSelector.empty, true);
  assert.equal(compileLabelSelector({}).empty, true);
  assert.equal(compileLabelSelector({ matchLabels: { a: 'b' } }).empty, false);
});

test('invalid structured selectors are rejected naming the field', () => {
  const cases: [unknown, string, RegExp][] = [
    [
      { matchExpressions: [{ key: 'a', operator: 'In', values: [] }] },
      'matchExpressions[0].values',
      /can't be empty/,
    ],
    [{ matchExpressions: [{ key: 'a', operator: 'NotIn' }] }, 'matchExpressions[0].values', /can't be empty/],
    [
      { matchExpressions: [{ key: 'a', operator: 'Exists', values: ['x'] }] },
      'matchExpressions[0].values',
      /must be empty/,
    ],
    [
      { matchExpressions: [{ key: 'a', operator: 'DoesNotExist', values: ['x'] }] },
      'matchExpressions[0].values',
      /must be empty/,
    ],
    [
      { matchExpressions: [{ key: 'a', operator: 'in', values: ['x'] }] },
      'matchExpressions[0].operator',
      /"in" is not a valid label selector operator/,
    ],
    [
      { matchExpressions: [{ key: 'a', operator: 'Gt', values: ['1'] }] },
      'matchExpressions[0].operator',
      /not a valid/,
    ],
    [{ matchExpressions: [{ key: 'a' }] }, 'matchExpressions[0].operator', /not a valid/],
    [{ matchExpressions: [{ operator: 'Exists' }] }, 'matchExpressions[0].key', /must be a string/],
    [{ matchExpressions: [{ key: '-bad', operator: 'Exists' }] }, 'matchExpressions[0].key', /name part/],
    [
      { matchExpressions: [{ key: 'a', operator: 'In', values: ['x', 7] }] },
      'matchExpressions[0].values[1]',
      /string/,
    ],
    [
      { matchExpressions: [{ key: 'a', operator: 'In', values: ['bad value'] }] },
      'matchExpressions[0].values[0]',
      /invalid label value/,
    ],
    [{ matchExpressions: 'a=b' }, 'matchExpressions', /list/],
    [{ matchExpressions: ['x'] }, 'matchExpressions[0]', /object/],
    [{ matchLabels: ['a'] }, 'matchLabels', /map/],
    [{ matchLabels: { a: 1 } }, 'matchLabels.a', /string/],
    [{ matchLabels: { 'Bad_/x': 'y' } }, 'matchLabels.Bad_/x.key', /prefix/],
    [{ matchLabels: { a: 'x'.repeat(64) } }, 'matchLabels.a.values[0]', /63/],
    [{ matchLabel: { a: 'b' } }, '', /unknown field "matchLabel"/],
    ['app=web', '', /must be an object/],
    [[], '', /must be an object/],
  ];
  for (const [sel, field, msg] of cases) {
    assert.throws(
      () => compileLabelSelector(sel),
      (e: unknown) => e instanceof LabelSelectorError && e.field === field && msg.test(e.message),
      `${JSON.stringify(sel)} should fail at ${field}`,
    );
  }
});

test('label key and value validation follows apimachinery', () => {
  assert.equal(labelKeyProblem('app'), undefined);
  assert.equal(labelKeyProblem('app.kubernetes.io/name'), undefined);
  assert.equal(labelKeyProblem('a_b.c-d'), undefined);
  assert.match(labelKeyProblem('') ?? '', /non-empty/);
  assert.match(labelKeyProblem('/a') ?? '', /prefix part must be non-empty/);
  assert.match(labelKeyProblem('a/') ?? '', /name part must be non-empty/);
  assert.match(labelKeyProblem('UPPER.io/a') ?? '', /subdomain/);
  assert.match(labelKeyProblem('a/b/c') ?? '', /name part/);
  assert.match(labelKeyProblem('x'.repeat(64)) ?? '', /63/);
  assert.match(labelKeyProblem(`${'a'.repeat(254)}/b`) ?? '', /253/);
  assert.equal(labelValueProblem(''), undefined);
  assert.equal(labelValueProblem('v1.2_3-x'), undefined);
  assert.match(labelValueProblem('-x') ?? '', /invalid label value/);
  assert.match(labelValueProblem('a b') ?? '', /invalid label value/);
});

test('string selectors parse and match', () => {
  const cases: [string, Record<string, string>, boolean][] = [
    ['', web, true],
    ['   ', {}, true],
    ['app=web', web, true],
    ['app==web', web, true],
    ['app=db', web, false],
    ['app!=db', web, true],
    ['app!=web', web, false],
    ['team!=a', web, true],
    ['env in (prod,staging)', web, true],
    ['env in (dev)', web, false],
    ['env notin (dev, qa)', web, true],
    ['team notin (a)', web, true],
    ['tier', web, true],
    ['team', web, false],
    ['!team', web, true],
    ['!app', web, false],
    ['app=web,env in (prod),!team,tier', web, true],
    ['app=web, env notin (prod)', web, false],
    ['a=', { a: '' }, true],
    ['a=', { a: 'x' }, false],
    ['a in ()', { a: '' }, true],
    ['a in (x,)', { a: '' }, true],
    ['a=in', { a: 'in' }, true],
    ['app.kubernetes.io/name=web', { 'app.kubernetes.io/name': 'web' }, true],
  ];
  for (const [text, labels, want] of cases) {
    assert.equal(parseSelector(text).matches(labels), want, text);
  }
});

test('the example from the brief parses into six requirements', () => {
  const s = parseSelector('a=b,c!=d,e in (x,y),f notin (z),g,!h');
  assert.deepEqual(
    s.requirements.map((r) => [r.key, r.operator, [...r.values]]),
    [
      ['a', 'Equals', ['b']],
      ['c', 'NotEquals', ['d']],
      ['e', 'In', ['x', 'y']],
      ['f', 'NotIn', ['z']],
      ['g', 'Exists', []],
      ['h', 'DoesNotExist', []],
    ],
  );
  assert.equal(s.matches({ a: 'b', e: 'y', g: '' }), true);
  assert.equal(s.matches({ a: 'b', e: 'y', g: '', h: '1' }), false);
});

test('toString is canonical and round-trips', () => {
  const s = parseSelector('z in (b,a,a), a=1, !m, k');
  assert.equal(s.toString(), 'a=1,k,!m,z in (a,b)');
  assert.equal(parseSelector(s.toString()).toString(), s.toString());
  const structured = compileLabelSelector({
    matchLabels: { app: 'web' },
    matchExpressions: [
      { key: 'env', operator: 'NotIn', values: ['dev'] },
      { key: 'team', operator: 'Exists' },
    ],
  });
  assert.equal(structured.toString(), 'app=web,env notin (dev),team');
  assert.equal(selectorFromSet({ b: '2', a: '1' }).toString(), 'a=1,b=2');
});

test('malformed string selectors are rejected with a position', () => {
  const bad: [string, RegExp][] = [
    ['a in x', /expected '\('/],
    ['a in (x', /found end of string/],
    ['a in (x y)', /"y"/],
    ['a=b=c', /"=" at position 3/],
    ['a b', /"b" at position 2/],
    ['=b', /expected a label key/],
    ['!', /expected a label key/],
    ['a,', /expected a label key/],
    [',a', /expected a label key/],
    ['a>1', /">"/],
    ['a<1', /"<"/],
    ['a in ()x', /"x"/],
    ['a=(b)', /"\(" at position 2/],
    ['a notin ()x', /"x"/],
    ['-a=b', /invalid label key/],
    ['a=b c', /"c"/],
    ['a=bad!', /"!"/],
    ['a in (a b)', /"b"/],
    ['a=' + 'v'.repeat(64), /63/],
  ];
  for (const [text, msg] of bad) {
    assert.throws(
      () => parseSelector(text),
      (e: unknown) => e instanceof LabelSelectorError && msg.test(e.message),
      text,
    );
  }
});

test('hostile inputs are bounded', () => {
  assert.throws(() => parseSelector('a,'.repeat(60_000) + 'a'), LabelSelectorError);
  assert.throws(() => parseSelector(`a in (${'x,'.repeat(20_000)}x)`), /too many values/);
  const many = Array.from({ length: 1001 }, (_, i) => ({ key: `k${i}`, operator: 'Exists' }));
  assert.throws(() => compileLabelSelector({ matchExpressions: many }), /too many requirements/);
  // A selector parsed from JSON can carry an own __proto__ key; it is an invalid label key, not a prototype.
  const proto = JSON.parse('{"matchLabels":{"__proto__":"x"}}') as unknown;
  assert.throws(() => compileLabelSelector(proto), /invalid label key "__proto__"/);
  const labels = JSON.parse('{"__proto__":"x"}') as Record<string, string>;
  assert.equal(parseSelector('!constructor').matches(labels), true);
  // Deep nesting is irrelevant (selectors are flat) but large inputs must stay linear.
  const start = Date.now();
  parseSelector(Array.from({ length: 999 }, (_, i) => `k${i} in (a,b,c)`).join(','));
  assert.ok(Date.now() - start < 2000);
});
