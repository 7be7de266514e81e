/**
 * Bounds on validating one definition: 10,000 non-object steps (40 KB) once took 5.7 s of the API's event loop
 * and answered megabytes of errors. The step count is checked first, by a walk linear in the document; schema
 * checks go step by step and stop at {@link MAX_VALIDATION_ERRORS} (step-wise-schema.ts); answers list at most
 * that many errors.
 */
import type { ValidationError } from './validation-error';
import { childStepLists } from './walk';

/** Most steps a workflow definition may hold, every list and nesting level counted together. */
export const MAX_DEFINITION_STEPS = 1000;

/**
 * Most `{% %}` expressions a workflow definition may hold (every `{%` in any of its strings counted). Each one is
 * parsed at validation, about 0.15 ms apiece: 20,000 of them (420 KB of `vars`) took 7 s to check.
 */
export const MAX_DEFINITION_EXPRESSIONS = 5000;

/** Most errors one validation reports; a last entry says there were more. */
export const MAX_VALIDATION_ERRORS = 100;

const isObj = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);

/**
 * Every step list of a definition: `steps`, and the lists nested in its steps. Checked before the schema, so
 * a list is read wherever a block key holds one, whatever the step's type: the count covers the whole document.
 */
function* stepLists(doc: Record<string, unknown>): Generator<unknown[]> {
  const pending: unknown[] = [doc.steps];
  while (pending.length > 0) {
    const list = pending.pop();
    if (!Array.isArray(list)) continue;
    yield list;
    for (const step of list) for (const nested of childStepLists(step, '', true)) pending.push(nested.steps);
  }
}

/** An error when the definition holds more than {@link MAX_DEFINITION_STEPS} steps (then nothing else is checked). */
export function stepCountErrors(doc: unknown): ValidationError[] {
  if (!isObj(doc)) return [];
  let count = 0;
  for (const list of stepLists(doc)) {
    count += list.length;
    if (count > MAX_DEFINITION_STEPS) {
      return [
        {
          pointer: '/steps',
          code: 'too_many_steps',
          message: `a definition holds at most ${MAX_DEFINITION_STEPS} steps, nested ones included`,
        },
      ];
    }
  }
  return [];
}

/** A value met by {@link expressionCountErrors}; it keeps its parent, so only the reported string gets a pointer. */
interface Node {
  value: unknown;
  key: string;
  parent?: Node;
}

/**
 * An error when the definition holds more than {@link MAX_DEFINITION_EXPRESSIONS} expressions, pointing at the
 * string where the count went over (then nothing else is checked). One pass over the document, no parsing.
 */
export function expressionCountErrors(doc: unknown): ValidationError[] {
  let count = 0;
  const pending: Node[] = [{ value: doc, key: '' }];
  while (pending.length > 0) {
    const node = pending.pop()!;
    const { value } = node;
    if (typeof value === 'string') {
      for (let at = value.indexOf('{%'); at !== -1; at = value.indexOf('{%', at + 2)) count++;
      if (count > MAX_DEFINITION_EXPRESSIONS) {
        return [
          {
            pointer: pointerOf(node),
            code: 'too_many_expressions',
            message: `a definition holds at most ${MAX_DEFINITION_EXPRESSIONS} {% %} expressions`,
          },
        ];
      }
    } else if (value !== null && typeof value === 'object') {
      // Pushed in reverse: the string reported is the first one, in document order, past the limit.
      const entries = Array.isArray(value) ? value.map((v, i) => [String(i), v] as const) : Object.entries(value);
      for (let i = entries.length - 1; i >= 0; i--)
        pending.push({ value: entries[i][1], key: entries[i][0], parent: node });
    }
  }
  return [];
}

function pointerOf(node: Node): string {
  const keys: string[] = [];
  for (let n: Node | undefined = node; n?.parent !== undefined; n = n.parent) keys.push(n.key);
  return keys
    .reverse()
    .map((k) => `/${k.replace(/~/g, '~0').replace(/\//g, '~1')}`)
    .join('');
}

/** `errors` cut to {@link MAX_VALIDATION_ERRORS}, the last entry counting the ones left out. */
export function capErrors(errors: ValidationError[]): ValidationError[] {
  if (errors.length <= MAX_VALIDATION_ERRORS) return errors;
  // Schema errors stop being collected at the cap, so how many more there are is not known.
  return [
    ...errors.slice(0, MAX_VALIDATION_ERRORS - 1),
    { pointer: '', code: 'too_many_errors', message: 'more errors not listed; fix the ones above first' },
  ];
}
