/**
 * The one JSONata evaluator of the platform: workflow code, task templates, transform tasks and trigger
 * expressions all compile and evaluate through here, so every expression runs under the same budget
 * ({@link ExpressionLimits}), with the same safe regular expressions and the same function library.
 * Pure and sandbox-safe: no Node builtins, no clock, no randomness of its own.
 */
import jsonata from 'jsonata';
import { BUDGET_BINDING, newBudget, onEvaluateExit, checkValue } from './budget';
import { EXTENSIONS } from './extensions';
import { OVERRIDES } from './library';
import { DEFAULT_EXPRESSION_LIMITS, ExpressionLimitError, type ExpressionLimits, type LimitName } from './limits';
import { SafeRegexEngine } from './regex';

const EXIT_HOOK = Symbol.for('jsonata.__evaluate_exit') as unknown as string;
const MAX_CACHED = 5000;

// Compiled expressions per limits object (the limits are compile options); parsed ASTs are pure, so caching
// them per isolate is safe, and spares re-parsing on every evaluation.
const caches = new WeakMap<ExpressionLimits, Map<string, jsonata.Expression>>();

/** Parses `source` into an expression that enforces `limits`; throws JSONata's error when unparsable. */
export function compile(source: string, limits: ExpressionLimits = DEFAULT_EXPRESSION_LIMITS): jsonata.Expression {
  let cache = caches.get(limits);
  if (!cache) caches.set(limits, (cache = new Map()));
  let expr = cache.get(source);
  if (!expr) {
    expr = jsonata(source, {
      stack: limits.depth,
      sequence: limits.arrayLength,
      RegexEngine: SafeRegexEngine as unknown as RegExpConstructor,
    });
    expr.assign(EXIT_HOOK, onEvaluateExit);
    for (const [name, fn] of Object.entries(OVERRIDES)) expr.assign(name, fn);
    for (const [name, fn] of Object.entries(EXTENSIONS))
      expr.registerFunction(
        name,
        fn.implementation as unknown as Parameters<typeof expr.registerFunction>[1],
        fn.signature,
      );
    if (cache.size >= MAX_CACHED) cache.clear();
    cache.set(source, expr);
  }
  return expr;
}

/**
 * Evaluates a compiled expression over `input` (JSONata's `$`) with `bindings`, under `limits`. An object or
 * array result is checked once more as a whole. Throws what JSONata throws, or
 * {@link ExpressionLimitError}; {@link describeFailure} turns either into a message.
 */
export async function evaluate(
  source: string,
  input: unknown,
  bindings: Record<string, unknown>,
  limits: ExpressionLimits = DEFAULT_EXPRESSION_LIMITS,
  meter?: ExpressionMeter,
): Promise<unknown> {
  const expr = compile(source, limits);
  const budget = newBudget(limits);
  let result: unknown;
  try {
    result = await expr.evaluate(input, { ...bindings, [BUDGET_BINDING]: budget });
  } finally {
    if (meter) meter.expressionSteps += budget.steps;
  }
  // A string result was checked where it was made (operators and functions); one read from the input was not made.
  if (typeof result !== 'string') checkValue(budget, result);
  return result;
}

/** Where a caller adds up the steps its evaluations spent (the interpreter: per workflow activation). */
export interface ExpressionMeter {
  expressionSteps: number;
}

/** How an evaluation failed: a message, JSONata's error code when it has one, and the limit when one was hit. */
export interface ExpressionFailure {
  message: string;
  code?: string;
  limit?: LimitName;
}

// JSONata's own guards, reported as our limits.
const NATIVE_LIMITS: Record<string, LimitName> = { D1011: 'depth', D2014: 'arrayLength', D2015: 'arrayLength' };

/** Describes any error thrown by {@link evaluate} (looks through `$eval`'s wrapping to the cause). */
export function describeFailure(err: unknown, limits: ExpressionLimits = DEFAULT_EXPRESSION_LIMITS): ExpressionFailure {
  let inner = err as { message?: string; code?: string; error?: unknown } | undefined;
  while (inner && (inner.code === 'D3120' || inner.code === 'D3121') && inner.error)
    inner = inner.error as typeof inner;
  if (inner instanceof ExpressionLimitError) return { message: inner.message, code: inner.code, limit: inner.limit };
  const limit = inner?.code ? NATIVE_LIMITS[inner.code] : undefined;
  if (limit) return { message: new ExpressionLimitError(limit, limits[limit]).message, code: inner?.code, limit };
  if (inner instanceof RangeError) return { message: `expression budget exceeded: ${inner.message}` };
  const top = err as { message?: string; code?: string } | undefined;
  return { message: top?.message ?? String(err), ...(top?.code && { code: top.code }) };
}
