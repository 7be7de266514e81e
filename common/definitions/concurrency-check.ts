/**
 * Semantic checks of a definition's run flow control (#15): the `concurrency.key` expression must parse and may
 * read only the run's input (`$input`, or `$`, which is the input too): it is evaluated when the run is started,
 * before any step, variable or event exists (services/runs/flow-control.ts).
 */
import jsonata from 'jsonata';
import { bareExpression, expressionErrors } from './expression-check';
import type { ValidationError } from './validation-error';

/** Variables of the interpreter's expression scope that do not exist yet when a start is admitted. */
const RUN_SCOPE = ['steps', 'vars', 'event', 'item', 'index', 'output', 'workflow', 'error'];

/** The run-scope variables an expression reads (function names and its own bindings are not variables here). */
function runScopeVariables(source: string): string[] {
  const found = new Set<string>();
  const stack: unknown[] = [jsonata(source).ast()];
  while (stack.length > 0) {
    const node = stack.pop() as Record<string, unknown> | null;
    if (node === null || typeof node !== 'object') continue;
    if (node.type === 'variable' && RUN_SCOPE.includes(node.value as string)) found.add(node.value as string);
    for (const [k, v] of Object.entries(node)) if (k !== 'procedure') stack.push(v);
  }
  return [...found];
}

/** Errors of `concurrency` (the schema checks its shape). */
export function concurrencyErrors(concurrency: unknown): ValidationError[] {
  if (concurrency === null || typeof concurrency !== 'object') return [];
  const key = (concurrency as Record<string, unknown>).key;
  if (typeof key !== 'string') return [];
  const pointer = '/concurrency/key';
  const parse = expressionErrors(key, pointer);
  if (parse.length > 0 || !key.includes('{%')) return parse;
  return runScopeVariables(bareExpression(key)).map((name) => ({
    pointer,
    code: 'unavailable_variable',
    message: `the concurrency key is evaluated when a run is started, over its input only: $${name} does not exist yet (use $input)`,
  }));
}
