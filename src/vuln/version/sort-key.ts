/**
 * Building blocks of sort keys: strings whose plain code-unit order (`<` in JavaScript) is a comparator's
 * version order, so a version that is compared with thousands of advisory events is parsed once instead of
 * once per comparison, and the events' keys are computed at database import.
 *
 * A key is a sequence of fields written so that no field's encoding is a proper prefix of another that can
 * stand at the same position: numbers carry their length, text ends with a terminator lower than any of its
 * characters, and optional parts start with a marker. Every character is printable ASCII other than `"` and
 * `\` (or, for numbers longer than 32 digits, a non-ASCII length character), so keys stored in JSON need no
 * escapes.
 */

/** The length character of a 0-digit number; longer numbers count up from here. */
const LENGTH_BASE = 0x5d; // ']'
/** Longest number a key can hold: its length character must stay below the surrogate range. */
const MAX_DIGITS = 0xd7ff - LENGTH_BASE;

/**
 * A run of ASCII digits, ordered by numeric value: leading zeros dropped, then its length, then the digits.
 * Undefined past {@link MAX_DIGITS} digits, which makes the whole key undefined (callers fall back to the
 * comparator).
 */
export function numberKey(digits: string): string | undefined {
  let i = 0;
  while (i < digits.length && digits.charCodeAt(i) === 48) i++;
  return rawNumberKey(i ? digits.slice(i) : digits);
}

/** A run of digits ordered by its length, then by code units, zeros and all (the match SEMVER rule). */
export function rawNumberKey(digits: string): string | undefined {
  if (digits.length > MAX_DIGITS) return undefined;
  return String.fromCharCode(LENGTH_BASE + digits.length) + digits;
}

/**
 * Text ordered by code units, a shorter text first when it is a prefix of a longer one: the text, then `!`.
 * Only for text whose characters are all above `!` and are neither `"` nor `\` (identifiers of the version
 * grammars).
 */
export function textKey(text: string): string {
  return `${text}!`;
}

/**
 * The digit runs of `v` from `start` when the rest is only numbers joined by single dots (`1.2.3`), else
 * undefined. Most installed versions have this shape; the comparators key it without their full grammar,
 * whose regular expression a fresh process would otherwise compile and run for every package.
 */
export function dottedNumbers(v: string, start: number): string[] | undefined {
  const runs: string[] = [];
  let from = start;
  for (let i = start; i <= v.length; i++) {
    const c = i < v.length ? v.charCodeAt(i) : 46; // the end closes the last run like a dot
    if (c === 46) {
      if (i === from) return undefined; // an empty run: leading, trailing or doubled dot, or nothing at all
      runs.push(v.slice(from, i));
      from = i + 1;
    } else if (c < 48 || c > 57) {
      return undefined;
    }
  }
  return runs;
}
