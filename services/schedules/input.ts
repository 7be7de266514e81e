/**
 * A schedule's input: static JSON, or a template whose strings hold `{% expression %}`s, evaluated when each run
 * starts with `$scheduledTime` (the action's due time, ISO 8601) and `$schedule` (the schedule's id) bound. The
 * expressions are checked when the schedule is stored; static input is checked against the definition's
 * input_schema then too (a template's result is checked by the start, as every run's input).
 */
import type { FieldError } from '../../common/errors';
import { expressionProblems } from '../../common/expressions/check';

const PART = /\{%([\s\S]*?)%\}/g;

const escape = (key: string) => key.replace(/~/g, '~0').replace(/\//g, '~1');

/** Every string of `value` with its JSON pointer under `pointer`. */
function* strings(value: unknown, pointer: string): Generator<[string, string]> {
  if (typeof value === 'string') yield [value, pointer];
  else if (Array.isArray(value)) for (const [i, v] of value.entries()) yield* strings(v, `${pointer}/${i}`);
  else if (value && typeof value === 'object')
    for (const [k, v] of Object.entries(value)) yield* strings(v, `${pointer}/${escape(k)}`);
}

/** True when the input holds at least one `{% %}` expression (a template, rendered per run). */
export function isTemplate(input: unknown): boolean {
  for (const [s] of strings(input, '')) if (s.includes('{%')) return true;
  return false;
}

/** The problems of the template's expressions (unparsable, unsafe regular expressions), with pointers. */
export function templateErrors(input: unknown, pointer: string): FieldError[] {
  const errors: FieldError[] = [];
  for (const [s, at] of strings(input, pointer))
    for (const m of s.matchAll(PART))
      for (const message of expressionProblems(m[1])) errors.push({ pointer: at, message });
  return errors;
}

/** The bindings a template is rendered with. */
export interface ScheduleInputBindings {
  /** The action's due time, ISO 8601. */
  scheduledTime: string;
  /** The schedule's business id. */
  schedule: string;
}
