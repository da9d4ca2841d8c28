/**
 * Kubernetes label selectors with the semantics of k8s.io/apimachinery (`metav1.LabelSelectorAsSelector`,
 * `labels.Parse`, `labels.Requirement.Matches`):
 *
 * - the structured form (`matchLabels` + `matchExpressions` with In/NotIn/Exists/DoesNotExist), as found in
 *   Deployments, NetworkPolicies, admission policy namespace/object selectors and VAP paramRef selectors;
 * - the string form (`a=b,c!=d,e in (x,y),f notin (z),g,!h`), as used by `kubectl -l` and the list API.
 *
 * Both compile to one `Selector`. An empty selector (`{}` or `""`) matches everything; `nothingSelector`
 * (what upstream returns for a nil selector) matches nothing. Inputs are treated as hostile: every field is
 * type-checked, keys and values are validated like the API server does, and label maps are read with own
 * property checks only (a label called `constructor` must not find `Object.prototype.constructor`).
 */

/** The operators of the structured form. */
export type LabelSelectorOperator = 'In' | 'NotIn' | 'Exists' | 'DoesNotExist';

export interface LabelSelectorRequirement {
  key: string;
  operator: LabelSelectorOperator;
  values?: string[];
}

/** `metav1.LabelSelector`: matchLabels and matchExpressions are ANDed. */
export interface LabelSelector {
  matchLabels?: Record<string, string>;
  matchExpressions?: LabelSelectorRequirement[];
}

/** Operators of a compiled requirement; `=`/`!=` are kept apart from In/NotIn only for `toString()`. */
export type RequirementOperator = 'In' | 'NotIn' | 'Exists' | 'DoesNotExist' | 'Equals' | 'NotEquals';

export interface Requirement {
  readonly key: string;
  readonly operator: RequirementOperator;
  /** Sorted and de-duplicated; empty for Exists/DoesNotExist. */
  readonly values: readonly string[];
}

export type Labels = Readonly<Record<string, string>>;

export interface Selector {
  /** Requirements sorted by key (upstream order), all of which must hold. */
  readonly requirements: readonly Requirement[];
  /** True when the selector has no requirement and so matches every label set. */
  readonly empty: boolean;
  matches(labels: Labels | undefined): boolean;
  /** The canonical string form (`labels.Selector.String()`), parseable by `parseSelector`. */
  toString(): string;
}

/** A selector the API server would reject; `field` is the offending field inside the selector. */
export class LabelSelectorError extends Error {
  override readonly name = 'LabelSelectorError';
  constructor(
    message: string,
    /** Path below the selector, e.g. `matchExpressions[1].values`; empty for the string form. */
    readonly field: string,
  ) {
    super(field ? `${field}: ${message}` : message);
  }
}

// ---------------------------------------------------------------------------------------------------------
// Validation of keys and values (k8s.io/apimachinery/pkg/util/validation).

const NAME_PART = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;
const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;
const MAX_NAME_PART = 63;
const MAX_PREFIX = 253;
const MAX_VALUE = 63;
/** Far above anything real; bounds the work a hostile selector can cause. */
const MAX_REQUIREMENTS = 1000;
const MAX_VALUES = 10000;
const MAX_SELECTOR_TEXT = 100_000;

/** Why `key` is not a valid label key (a qualified name), or undefined when it is. */
export function labelKeyProblem(key: string): string | undefined {
  const slash = key.indexOf('/');
  let name = key;
  if (slash >= 0) {
    const prefix = key.slice(0, slash);
    name = key.slice(slash + 1);
    if (prefix.length === 0) return `invalid label key "${key}": prefix part must be non-empty`;
    if (prefix.length > MAX_PREFIX)
      return `invalid label key "${clip(key)}": prefix part must be no more than ${MAX_PREFIX} characters`;
    if (!DNS1123_SUBDOMAIN.test(prefix))
      return `invalid label key "${clip(key)}": prefix part must be a lowercase RFC 1123 subdomain`;
  }
  if (name.length === 0) return `invalid label key "${clip(key)}": name part must be non-empty`;
  if (name.length > MAX_NAME_PART)
    return `invalid label key "${clip(key)}": name part must be no more than ${MAX_NAME_PART} characters`;
  if (!NAME_PART.test(name))
    return (
      `invalid label key "${clip(key)}": name part must consist of alphanumeric characters, '-', '_' or '.', ` +
      'and must start and end with an alphanumeric character'
    );
  return undefined;
}

/** Why `value` is not a valid label value, or undefined when it is (the empty string is valid). */
export function labelValueProblem(value: string): string | undefined {
  if (value.length > MAX_VALUE)
    return `invalid label value "${clip(value)}": must be no more than ${MAX_VALUE} characters`;
  if (!LABEL_VALUE.test(value))
    return (
      `invalid label value "${clip(value)}": a valid label must be an empty string or consist of alphanumeric ` +
      "characters, '-', '_' or '.', and must start and end with an alphanumeric character"
    );
  return undefined;
}

function clip(s: string): string {
  return s.length > 80 ? `${s.slice(0, 77)}...` : s;
}

// ---------------------------------------------------------------------------------------------------------
// Requirements and the compiled selector.

function requirement(
  key: string,
  operator: RequirementOperator,
  values: readonly string[],
  field: string,
): Requirement {
  const keyProblem = labelKeyProblem(key);
  if (keyProblem) throw new LabelSelectorError(keyProblem, field ? `${field}.key` : '');
  const valuesField = field ? `${field}.values` : '';
  switch (operator) {
    case 'In':
    case 'NotIn':
      if (values.length === 0)
        throw new LabelSelectorError("for 'in', 'notin' operators, values set can't be empty", valuesField);
      break;
    case 'Equals':
    case 'NotEquals':
      if (values.length !== 1)
        throw new LabelSelectorError('exact-match compatibility requires one single value', valuesField);
      break;
    case 'Exists':
    case 'DoesNotExist':
      if (values.length !== 0)
        throw new LabelSelectorError('values set must be empty for exists and does not exist', valuesField);
      break;
  }
  values.forEach((v, i) => {
    const problem = labelValueProblem(v);
    if (problem) throw new LabelSelectorError(problem, field ? `${valuesField}[${i}]` : '');
  });
  return { key, operator, values: [...new Set(values)].sort() };
}

function has(labels: Labels, key: string): boolean {
  return Object.prototype.hasOwnProperty.call(labels, key);
}

/** `labels.Requirement.Matches`: NotIn and `!=` also match when the label is absent. */
export function requirementMatches(r: Requirement, labels: Labels): boolean {
  switch (r.operator) {
    case 'In':
    case 'Equals':
      return has(labels, r.key) && r.values.includes(labels[r.key] as string);
    case 'NotIn':
    case 'NotEquals':
      return !has(labels, r.key) || !r.values.includes(labels[r.key] as string);
    case 'Exists':
      return has(labels, r.key);
    case 'DoesNotExist':
      return !has(labels, r.key);
  }
}

function requirementString(r: Requirement): string {
  switch (r.operator) {
    case 'Equals':
      return `${r.key}=${r.values[0] ?? ''}`;
    case 'NotEquals':
      return `${r.key}!=${r.values[0] ?? ''}`;
    case 'In':
      return `${r.key} in (${r.values.join(',')})`;
    case 'NotIn':
      return `${r.key} notin (${r.values.join(',')})`;
    case 'Exists':
      return r.key;
    case 'DoesNotExist':
      return `!${r.key}`;
  }
}

function selectorOf(requirements: Requirement[]): Selector {
  // Stable sort by key, as upstream's internalSelector does, so toString() is canonical.
  const sorted = [...requirements].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  return {
    requirements: sorted,
    empty: sorted.length === 0,
    matches(labels) {
      const set = labels ?? {};
      return sorted.every((r) => requirementMatches(r, set));
    },
    toString() {
      return sorted.map(requirementString).join(',');
    },
  };
}

/** Matches every label set (an empty selector). */
export const everythingSelector: Selector = selectorOf([]);

/** Matches no label set: what upstream makes of a nil (absent) selector where "absent" means "none". */
export const nothingSelector: Selector = {
  requirements: [],
  empty: false,
  matches: () => false,
  toString: () => '<none>',
};

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

const OPERATORS: readonly LabelSelectorOperator[] = ['In', 'NotIn', 'Exists', 'DoesNotExist'];

/**
 * Validates and compiles a structured selector (`metav1.LabelSelectorAsSelector`). The input is untrusted
 * JSON: anything malformed throws `LabelSelectorError` naming the field. `null`/`undefined` compile to
 * `everythingSelector` only when `absent` says so (admission policies default absent selectors to `{}`);
 * by default they compile to `nothingSelector`, as upstream does for a nil selector.
 */
export function compileLabelSelector(
  input: unknown,
  opts: { absent?: 'everything' | 'nothing' } = {},
): Selector {
  if (input === undefined || input === null)
    return opts.absent === 'everything' ? everythingSelector : nothingSelector;
  if (!isPlainObject(input)) throw new LabelSelectorError('must be an object', '');
  for (const k of Object.keys(input)) {
    if (k !== 'matchLabels' && k !== 'matchExpressions')
      throw new LabelSelectorError(`unknown field "${clip(k)}"`, '');
  }
  const reqs: Requirement[] = [];
  const { matchLabels, matchExpressions } = input;
  if (matchLabels !== undefined && matchLabels !== null) {
    if (!isPlainObject(matchLabels)) throw new LabelSelectorError('must be a map of strings', 'matchLabels');
    for (const [k, v] of Object.entries(matchLabels)) {
      if (typeof v !== 'string') throw new LabelSelectorError('must be a string', `matchLabels.${clip(k)}`);
      reqs.push(requirement(k, 'Equals', [v], `matchLabels.${clip(k)}`));
      if (reqs.length > MAX_REQUIREMENTS)
        throw new LabelSelectorError('too many requirements', 'matchLabels');
    }
  }
  if (matchExpressions !== undefined && matchExpressions !== null) {
    if (!Array.isArray(matchExpressions)) throw new LabelSelectorError('must be a list', 'matchExpressions');
    if (matchExpressions.length > MAX_REQUIREMENTS)
      throw new LabelSelectorError('too many requirements', 'matchExpressions');
    matchExpressions.forEach((e: unknown, i) => {
      const field = `matchExpressions[${i}]`;
      if (!isPlainObject(e)) throw new LabelSelectorError('must be an object', field);
      const { key, operator, values } = e;
      if (typeof key !== 'string') throw new LabelSelectorError('must be a string', `${field}.key`);
      if (typeof operator !== 'string' || !OPERATORS.includes(operator as LabelSelectorOperator))
        throw new LabelSelectorError(
          `${JSON.stringify(typeof operator === 'string' ? clip(operator) : (operator ?? null))} is not a valid label selector operator`,
          `${field}.operator`,
        );
      let vals: string[] = [];
      if (values !== undefined && values !== null) {
        if (!Array.isArray(values))
          throw new LabelSelectorError('must be a list of strings', `${field}.values`);
        if (values.length > MAX_VALUES) throw new LabelSelectorError('too many values', `${field}.values`);
        values.forEach((v: unknown, j) => {
          if (typeof v !== 'string')
            throw new LabelSelectorError('must be a string', `${field}.values[${j}]`);
        });
        vals = values as string[];
      }
      reqs.push(requirement(key, operator as LabelSelectorOperator, vals, field));
    });
  }
  return selectorOf(reqs);
}

/** Convenience: does `labels` match the structured selector? A nil selector matches nothing. */
export function matchesLabelSelector(selector: unknown, labels: Labels | undefined): boolean {
  return compileLabelSelector(selector).matches(labels);
}

/** Selector of a plain label map (`labels.SelectorFromSet`): every key must equal its value. */
export function selectorFromSet(set: Labels): Selector {
  return selectorOf(Object.entries(set).map(([k, v]) => requirement(k, 'Equals', [v], `${k}`)));
}

// ---------------------------------------------------------------------------------------------------------
// String form (k8s.io/apimachinery/pkg/labels/selector.go, Parse): a small lexer and a loop parser.

type Token =
  | { t: 'id'; v: string; at: number }
  | { t: 'in' | 'notin' | '(' | ')' | ',' | '=' | '==' | '!=' | '!' | 'end'; at: number }
  | { t: 'unsupported'; v: string; at: number };

const SPECIAL = new Set(['=', '!', '(', ')', ',', '>', '<']);

function isSpace(c: string): boolean {
  return c === ' ' || c === '\t' || c === '\r' || c === '\n';
}

function lex(text: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  while (i < text.length) {
    const c = text[i] as string;
    if (isSpace(c)) {
      i++;
      continue;
    }
    const at = i;
    if (SPECIAL.has(c)) {
      const two = text.slice(i, i + 2);
      if (two === '==' || two === '!=') {
        out.push({ t: two, at });
        i += 2;
      } else if (c === '=' || c === '!' || c === '(' || c === ')' || c === ',') {
        out.push({ t: c, at });
        i++;
      } else {
        // `>`/`<` (Gt/Lt) exist upstream only for node affinity–style integer comparisons; label
        // selectors in manifests never use them, so they are rejected rather than half supported.
        out.push({ t: 'unsupported', v: c, at });
        i++;
      }
      continue;
    }
    let j = i;
    while (j < text.length && !SPECIAL.has(text[j] as string) && !isSpace(text[j] as string)) j++;
    const word = text.slice(i, j);
    if (word === 'in' || word === 'notin') out.push({ t: word, at });
    else out.push({ t: 'id', v: word, at });
    i = j;
  }
  out.push({ t: 'end', at: text.length });
  return out;
}

/** In value position the keywords are plain words (`a=in` is the value "in"), as in upstream's Values mode. */
function valueOf(tok: Token): string | undefined {
  if (tok.t === 'id') return tok.v;
  if (tok.t === 'in' || tok.t === 'notin') return tok.t;
  return undefined;
}

function describe(tok: Token): string {
  if (tok.t === 'end') return 'end of string';
  if (tok.t === 'id' || tok.t === 'unsupported') return `"${clip(tok.v)}"`;
  return `"${tok.t}"`;
}

/**
 * Parses the string form: `a=b`, `a==b`, `a!=b`, `a in (x,y)`, `a notin (x)`, `a` (exists), `!a` (does not
 * exist), joined by commas. The empty string (or only whitespace) is the empty selector that matches
 * everything. Errors are `LabelSelectorError`s naming the character position.
 */
export function parseSelector(text: string): Selector {
  if (typeof text !== 'string') throw new LabelSelectorError('label selector must be a string', '');
  if (text.length > MAX_SELECTOR_TEXT)
    throw new LabelSelectorError(`label selector longer than ${MAX_SELECTOR_TEXT} characters`, '');
  const toks = lex(text);
  let p = 0;
  const peek = (): Token => toks[p] as Token;
  const next = (): Token => toks[p++] as Token;
  const fail = (tok: Token, expected: string): never => {
    throw new LabelSelectorError(
      `unable to parse label selector "${clip(text)}": found ${describe(tok)} at position ${tok.at}, expected ${expected}`,
      '',
    );
  };
  const wrap = (fn: () => Requirement): Requirement => {
    try {
      return fn();
    } catch (e) {
      if (e instanceof LabelSelectorError)
        throw new LabelSelectorError(`unable to parse label selector "${clip(text)}": ${e.message}`, '');
      throw e;
    }
  };
  const reqs: Requirement[] = [];
  if (peek().t === 'end') return everythingSelector;
  for (;;) {
    if (reqs.length >= MAX_REQUIREMENTS) throw new LabelSelectorError('too many requirements', '');
    let tok = next();
    if (tok.t === '!') {
      const key = next();
      if (key.t !== 'id') fail(key, 'a label key');
      const k = (key as { v: string }).v;
      reqs.push(wrap(() => requirement(k, 'DoesNotExist', [], '')));
    } else if (tok.t === 'id') {
      const key = tok.v;
      const op = peek();
      if (op.t === ',' || op.t === 'end') {
        reqs.push(wrap(() => requirement(key, 'Exists', [], '')));
      } else if (op.t === '=' || op.t === '==' || op.t === '!=') {
        next();
        // An empty value (`a=`) is legal and means "label a with the empty value".
        let value = '';
        const v = valueOf(peek());
        if (v !== undefined) {
          value = v;
          next();
        } else if (peek().t !== ',' && peek().t !== 'end') fail(peek(), 'a label value');
        const operator: RequirementOperator = op.t === '!=' ? 'NotEquals' : 'Equals';
        reqs.push(wrap(() => requirement(key, operator, [value], '')));
      } else if (op.t === 'in' || op.t === 'notin') {
        next();
        const open = next();
        if (open.t !== '(') fail(open, "'('");
        const values: string[] = [];
        // Upstream accepts empty entries (`(a,,b)`, `()`) as the empty value; values are then validated.
        let expectValue = true;
        for (;;) {
          tok = next();
          if (tok.t === ')') {
            // `()` and a trailing comma stand for the empty value, as upstream parses them.
            if (expectValue) values.push('');
            break;
          }
          if (tok.t === ',') {
            if (expectValue) values.push('');
            expectValue = true;
            continue;
          }
          const value = valueOf(tok);
          if (value !== undefined && expectValue) {
            if (values.length >= MAX_VALUES) throw new LabelSelectorError('too many values', '');
            values.push(value);
            expectValue = false;
            continue;
          }
          fail(tok, "a value, ',' or ')'");
        }
        const operator: RequirementOperator = op.t === 'in' ? 'In' : 'NotIn';
        reqs.push(wrap(() => requirement(key, operator, values, '')));
      } else {
        fail(op, "'=', '!=', 'in', 'notin', ',' or end of string");
      }
    } else {
      fail(tok, "a label key or '!'");
    }
    tok = next();
    if (tok.t === 'end') break;
    if (tok.t !== ',') fail(tok, "',' or end of string");
  }
  return selectorOf(reqs);
}
