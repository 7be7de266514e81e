/**
 * Parse-time checks of `"{% jsonata %}"` expressions inside definition values: each must parse and use no
 * regular expression prone to catastrophic backtracking (common/expressions/check.ts).
 */
import { expressionProblems } from '../expressions/check';
import type { ValidationError } from './validation-error';

const EMBEDDED = /\{%([\s\S]*?)%\}/g;

/** Errors for every refused (unparsable, unsafe) expression in `value` (`bare`: the whole string is JSONata, no `{% %}`). */
export function expressionErrors(value: string, pointer: string, bare = false): ValidationError[] {
  const sources = bare ? [value] : [...value.matchAll(EMBEDDED)].map((m) => m[1]);
  const errors: ValidationError[] = [];
  if (!bare && value.includes('{%') && sources.length === 0) {
    errors.push({ pointer, code: 'invalid_expression', message: 'unterminated expression: "{%" without "%}"' });
  }
  for (const src of sources) {
    for (const message of expressionProblems(src)) errors.push({ pointer, code: 'invalid_expression', message });
  }
  return errors;
}

/** A bare JSONata source given with or without the definition language's `{% %}` delimiters (test mocks and asserts). */
export function bareExpression(text: string): string {
  const m = /^\s*\{%([\s\S]*)%\}\s*$/.exec(text);
  return (m ? m[1] : text).trim();
}

/** Walks any JSON value and reports refused expressions in its strings, with pointers. */
export function templateErrors(value: unknown, pointer: string): ValidationError[] {
  if (typeof value === 'string') return expressionErrors(value, pointer);
  if (Array.isArray(value)) return value.flatMap((v, i) => templateErrors(v, `${pointer}/${i}`));
  if (value !== null && typeof value === 'object') {
    return Object.entries(value).flatMap(([k, v]) => templateErrors(v, `${pointer}/${escapePointer(k)}`));
  }
  return [];
}

/** Escapes a JSON pointer reference token (RFC 6901). */
export function escapePointer(token: string): string {
  return token.replace(/~/g, '~0').replace(/\//g, '~1');
}
