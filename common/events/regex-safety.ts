/**
 * Guards against catastrophic-backtracking regexes in user-supplied payload schemas (`pattern`,
 * `patternProperties`): V8's regex engine backtracks, so `(a+)+$` against a long near-match string can pin
 * the API's event loop for seconds. Unsafe patterns are refused when the definition is written (star-height
 * check of safe-regex2, pure JS), and every pattern test is capped in input length as a second line.
 */
import type { RegExpEngine } from 'ajv/dist/types';
import safeRegex from 'safe-regex2';
import type { FieldError } from '../errors';

/** Longest string a payload schema `pattern` is tested against; longer strings do not match. */
export const MAX_PATTERN_INPUT = 10_000;

// Keywords whose values are data, not schemas: a `pattern` key inside them is not a regex.
const DATA_KEYWORDS = new Set(['const', 'enum', 'default', 'examples', 'example']);

const escape = (key: string) => key.replace(/~/g, '~0').replace(/\//g, '~1');

function regexProblem(source: string): string | undefined {
  try {
    new RegExp(source, 'u');
  } catch (err) {
    return `is not a valid regular expression: ${(err as Error).message}`;
  }
  return safeRegex(source)
    ? undefined
    : 'is a regular expression prone to catastrophic backtracking (nested or overlapping repetition); simplify it';
}

/** Field errors for every unsafe or invalid regex in a JSON Schema, with pointers under `at`. */
export function unsafePatternErrors(schema: unknown, at: string): FieldError[] {
  const errors: FieldError[] = [];
  const stack: Array<{ node: unknown; path: string }> = [{ node: schema, path: at }];
  while (stack.length > 0) {
    const { node, path } = stack.pop()!;
    if (node === null || typeof node !== 'object') continue;
    for (const [key, value] of Object.entries(node)) {
      const here = `${path}/${escape(key)}`;
      if (!Array.isArray(node) && DATA_KEYWORDS.has(key)) continue;
      if (key === 'pattern' && typeof value === 'string') {
        const problem = regexProblem(value);
        if (problem) errors.push({ pointer: here, message: problem });
        continue;
      }
      if (key === 'patternProperties' && value !== null && typeof value === 'object') {
        for (const re of Object.keys(value)) {
          const problem = regexProblem(re);
          if (problem) errors.push({ pointer: `${here}/${escape(re)}`, message: problem });
        }
      }
      stack.push({ node: value, path: here });
    }
  }
  return errors;
}

/** Ajv's regex engine for payload schemas: native RegExp, never run on strings over {@link MAX_PATTERN_INPUT}. */
export const cappedRegExp: RegExpEngine = Object.assign(
  (pattern: string, flags: string) => {
    const re = new RegExp(pattern, flags);
    return { test: (s: string) => s.length <= MAX_PATTERN_INPUT && re.test(s) };
  },
  { code: 'cappedRegExp' },
);
