/**
 * Trigger expressions (condition, correlation key, input mapping values): JSONata, written bare
 * (`payload.orderId`) or wrapped like definition templates (`{% payload.orderId %}`). They are evaluated
 * over the event document `{ eventId, pattern, version, source, timestamp, payload, metadata }`, also bound as `$event`.
 */
import jsonata from 'jsonata';
import type { FieldError } from '../errors';

const WRAPPED = /^\s*\{%([\s\S]*)%\}\s*$/;
const compiled = new Map<string, jsonata.Expression>();

/** The JSONata source of a trigger expression (unwraps `{% ... %}`). */
export function expressionSource(expr: string): string {
  return WRAPPED.exec(expr)?.[1] ?? expr;
}

/** Parses an expression once and caches it. Throws JSONata's error when unparsable. */
export function compileExpression(expr: string): jsonata.Expression {
  let fn = compiled.get(expr);
  if (!fn) {
    fn = jsonata(expressionSource(expr));
    if (compiled.size > 5_000) compiled.clear();
    compiled.set(expr, fn);
  }
  return fn;
}

/** A field error when `expr` does not parse. */
export function expressionError(expr: string, pointer: string): FieldError | undefined {
  if (expressionSource(expr).trim() === '') return { pointer, message: 'empty expression' };
  try {
    compileExpression(expr);
    return undefined;
  } catch (err) {
    return { pointer, message: `unparsable JSONata: ${(err as Error).message}` };
  }
}

/** Evaluates an expression over the event document (`$event` bound too). */
export async function evaluateOnEvent(expr: string, event: object): Promise<unknown> {
  return compileExpression(expr).evaluate(event, { event });
}
