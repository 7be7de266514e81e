/**
 * JSONata templates for task configs: any string `"{% expr %}"` inside a JSON value is evaluated with the
 * given bindings (`$input`, `$response`, ...). A string that is exactly one expression yields the raw value;
 * text mixing literals and expressions (`"https://x/{% $input.id %}"`) yields a string.
 *
 * This runs in activities, through the same budgeted evaluator as the interpreter's step expressions
 * (common/expressions), so templates and workflow expressions share one budget and one function library.
 */
import { FailureType } from '../../common/errors';
import { compile, describeFailure, evaluate as evaluateExpression } from '../../common/expressions/engine';
import { DEFAULT_EXPRESSION_LIMITS, type ExpressionLimits } from '../../common/expressions/limits';
import { nonRetryable } from './failures';

const WHOLE = /^\s*\{%([\s\S]*?)%\}\s*$/;
const PART = /\{%([\s\S]*?)%\}/g;

/**
 * Evaluates one expression (with `context` as JSONata's input `$`, if given) under `limits`; a syntax error
 * is non-retryable BadTaskConfig, a runtime error (the budget included) non-retryable ExpressionError, both
 * naming `where`.
 */
export async function evaluate(
  source: string,
  bindings: Record<string, unknown>,
  where: string,
  context?: unknown,
  limits: ExpressionLimits = DEFAULT_EXPRESSION_LIMITS,
): Promise<unknown> {
  try {
    compile(source, limits);
  } catch (err) {
    throw nonRetryable(
      FailureType.BadTaskConfig,
      `${where}: cannot parse JSONata "${source.trim()}": ${(err as Error).message}`,
    );
  }
  try {
    return await evaluateExpression(source, context, bindings, limits);
  } catch (err) {
    const f = describeFailure(err, limits);
    throw nonRetryable(FailureType.ExpressionError, `${where}: ${f.message}`, {
      code: f.code,
      ...(f.limit && { limit: f.limit }),
    });
  }
}

/** Strips the `{% %}` markers when present: `transform` accepts both `"{% a+b %}"` and `"a+b"`. */
export function expressionSource(value: string): string {
  const m = WHOLE.exec(value);
  return m ? m[1] : value;
}

/** Renders a template (any JSON value) with `bindings`; `where` is a JSON-pointer-like label for errors. */
export async function render(template: unknown, bindings: Record<string, unknown>, where: string): Promise<unknown> {
  if (typeof template === 'string') return renderString(template, bindings, where);
  if (Array.isArray(template)) return Promise.all(template.map((v, i) => render(v, bindings, `${where}/${i}`)));
  if (template && typeof template === 'object') {
    const entries = await Promise.all(
      Object.entries(template).map(async ([k, v]) => [k, await render(v, bindings, `${where}/${k}`)] as const),
    );
    return Object.fromEntries(entries);
  }
  return template;
}

async function renderString(value: string, bindings: Record<string, unknown>, where: string): Promise<unknown> {
  const whole = WHOLE.exec(value);
  if (whole && !whole[1].includes('%}')) return evaluate(whole[1], bindings, where);
  if (!value.includes('{%')) return value;
  const parts: string[] = [];
  let last = 0;
  for (const m of value.matchAll(PART)) {
    parts.push(value.slice(last, m.index));
    const v = await evaluate(m[1], bindings, where);
    parts.push(v === undefined || v === null ? '' : typeof v === 'object' ? JSON.stringify(v) : String(v));
    last = (m.index ?? 0) + m[0].length;
  }
  parts.push(value.slice(last));
  return parts.join('');
}
