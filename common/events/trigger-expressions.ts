/**
 * Trigger expressions (condition, correlation key, input mapping values): JSONata, written bare
 * (`payload.orderId`) or wrapped like definition templates (`{% payload.orderId %}`). They are evaluated
 * over the event document `{ eventId, pattern, version, source, timestamp, payload, metadata }`, also bound as
 * `$event`, by the platform's budgeted evaluator (common/expressions), on the worker's main thread: the budget
 * and the refusal of unsafe regular expressions are what keep one trigger from stalling event delivery.
 */
import { expressionProblems } from '../expressions/check';
import { evaluate } from '../expressions/engine';
import type { FieldError } from '../errors';

const WRAPPED = /^\s*\{%([\s\S]*)%\}\s*$/;

/** The JSONata source of a trigger expression (unwraps `{% ... %}`). */
export function expressionSource(expr: string): string {
  return WRAPPED.exec(expr)?.[1] ?? expr;
}

/** A field error when `expr` does not parse or uses an unsafe regular expression. */
export function expressionError(expr: string, pointer: string): FieldError | undefined {
  const [problem] = expressionProblems(expressionSource(expr));
  return problem === undefined ? undefined : { pointer, message: problem };
}

/** Evaluates an expression over the event document (`$event` bound too); throws what the evaluator throws. */
export async function evaluateOnEvent(expr: string, event: object): Promise<unknown> {
  return evaluate(expressionSource(expr), event, { event });
}
