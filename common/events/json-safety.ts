/**
 * Checks that a parsed JSON value can be stored in PostgreSQL jsonb and walked safely: bounded depth,
 * no NUL characters and no lone UTF-16 surrogates (jsonb rejects both, which would otherwise surface
 * as a 500 from the database instead of a 4xx naming the field).
 */
import type { FieldError } from '../errors';

/** Deepest nesting accepted anywhere in an event or trigger document. */
export const MAX_JSON_DEPTH = 32;

const UNSTORABLE = /\u0000|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** Field errors for every unstorable spot in `value` (iterative: hostile depth cannot blow the stack). */
export function jsonSafetyErrors(value: unknown, prefix = '', maxDepth = MAX_JSON_DEPTH): FieldError[] {
  const errors: FieldError[] = [];
  const stack: Array<{ v: unknown; path: string; depth: number }> = [{ v: value, path: prefix, depth: 0 }];
  while (stack.length > 0 && errors.length < 20) {
    const { v, path, depth } = stack.pop()!;
    if (typeof v === 'string') {
      if (UNSTORABLE.test(v))
        errors.push({ pointer: path, message: 'contains a NUL character or an unpaired surrogate' });
      continue;
    }
    if (v === null || typeof v !== 'object') continue;
    if (depth >= maxDepth) {
      errors.push({ pointer: path, message: `nesting deeper than ${maxDepth} levels` });
      continue;
    }
    for (const [k, child] of Object.entries(v)) {
      const childPath = `${path}/${k.replace(/~/g, '~0').replace(/\//g, '~1')}`;
      if (UNSTORABLE.test(k))
        errors.push({ pointer: childPath, message: 'key contains a NUL character or an unpaired surrogate' });
      stack.push({ v: child, path: childPath, depth: depth + 1 });
    }
  }
  return errors;
}
