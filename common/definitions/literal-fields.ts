/**
 * Fields where an expression would be a mistake the run cannot report: names that are used as written (error
 * types a `catch` matches on, the task or child definition to run), and the top-level `vars`, evaluated at run
 * start before any step, so they can only read `$input` and `$workflow`.
 */
import jsonata from 'jsonata';
import { escapePointer } from './expression-check';
import type { ValidationError } from './validation-error';

type Obj = Record<string, unknown>;

const isObj = (v: unknown): v is Obj => v !== null && typeof v === 'object' && !Array.isArray(v);
const EMBEDDED = /\{%([\s\S]*?)%\}/g;

/** Per step type: the string fields taken literally, and what each one names. */
const NAME_FIELDS: Record<string, Record<string, string>> = {
  fail: { error: 'the error type a catch matches on; put computed text in "message" or "details"' },
  task: { task: 'the task definition to run' },
  human_task: { task: 'the manual task definition whose form is shown' },
  sub_workflow: { workflow: 'the child definition to run', version: 'the child definition version to run' },
};

function nameError(value: unknown, pointer: string, what: string): ValidationError[] {
  if (typeof value !== 'string' || !value.includes('{%')) return [];
  return [{ pointer, code: 'expression_not_allowed', message: `not evaluated: this is ${what}, written as is` }];
}

/** Expressions in a step's literal name fields: its own (per type) and its catch and retry error names. */
export function literalNameErrors(step: Obj, ptr: string): ValidationError[] {
  const errors: ValidationError[] = [];
  for (const [field, what] of Object.entries(NAME_FIELDS[String(step.type)] ?? {}))
    errors.push(...nameError(step[field], `${ptr}/${field}`, what));
  if (Array.isArray(step.catch)) {
    step.catch.forEach((c, i) => {
      if (isObj(c) && Array.isArray(c.errors))
        c.errors.forEach((e, j) =>
          errors.push(...nameError(e, `${ptr}/catch/${i}/errors/${j}`, 'an error type to match')),
        );
    });
  }
  const retry = step.retry;
  if (isObj(retry) && Array.isArray(retry.non_retryable_errors)) {
    retry.non_retryable_errors.forEach((e, j) =>
      errors.push(...nameError(e, `${ptr}/retry/non_retryable_errors/${j}`, 'an error type to match')),
    );
  }
  return errors;
}

/** Bindings that do not exist yet when the top-level vars are evaluated (before the first step). */
const NOT_YET = new Set(['vars', 'steps', 'event', 'item', 'index', 'output']);

/** Names of the `$variables` an expression reads (lambda parameters and `:=` bindings included). */
function variablesOf(node: unknown, out: Set<string>, seen = new Set<unknown>()): Set<string> {
  if (node === null || typeof node !== 'object' || seen.has(node)) return out;
  seen.add(node);
  const n = node as Obj;
  if (n.type === 'variable' && typeof n.value === 'string') out.add(n.value);
  for (const v of Object.values(n)) variablesOf(v, out, seen);
  return out;
}

/** Top-level vars that read `$vars`, `$steps`, ... (they would silently be empty): one error per expression. */
export function initialVarsErrors(value: unknown, pointer: string): ValidationError[] {
  if (Array.isArray(value)) return value.flatMap((v, i) => initialVarsErrors(v, `${pointer}/${i}`));
  if (isObj(value))
    return Object.entries(value).flatMap(([k, v]) => initialVarsErrors(v, `${pointer}/${escapePointer(k)}`));
  if (typeof value !== 'string') return [];
  const errors: ValidationError[] = [];
  for (const [, src] of value.matchAll(EMBEDDED)) {
    let used: string[];
    try {
      used = [...variablesOf(jsonata(src).ast(), new Set())].filter((name) => NOT_YET.has(name));
    } catch {
      continue; // unparsable: reported by templateErrors
    }
    if (used.length > 0) {
      errors.push({
        pointer,
        code: 'unavailable_variable',
        message: `the definition's vars are evaluated when the run starts, before any step: only $input and $workflow are available (not ${used.map((u) => `$${u}`).join(', ')}); assign it in a first "set" step instead`,
      });
    }
  }
  return errors;
}
