/**
 * JSONata expressions inside definition values: `"{% expr %}"`. A string that is exactly one expression
 * yields the raw value (number, object, ...); expressions embedded in longer text are interpolated as text.
 * Runs in the workflow sandbox, where Date and Math.random are deterministic, so `$now()` is workflow time;
 * evaluation goes through the platform's one budgeted evaluator (common/expressions).
 */
import { ApplicationFailure, patched } from '@temporalio/workflow';
import jsonata from 'jsonata';
import { describeFailure, evaluate as evaluateExpression, type ExpressionMeter } from '../common/expressions/engine';
import { FailureType } from '../common/errors/catalogue';
import { NOT_SIMPLE, readSimplePath } from './expression-paths';
import { visibleSteps, type Frame, type RunState } from './runtime';

const WHOLE = /^\s*\{%([\s\S]*?)%\}\s*$/;
const EMBEDDED = /\{%([\s\S]*?)%\}/g;

/** The variables every expression sees. */
export function bindings(run: RunState, frame: Frame, extra: Record<string, unknown> = {}): Record<string, unknown> {
  const def = run.input.definition;
  return {
    input: run.input.input,
    steps: visibleSteps(run, frame),
    vars: run.vars,
    event: run.lastEvent,
    item: frame.item,
    index: frame.index,
    workflow: {
      id: run.workflowId,
      runId: run.runId,
      instanceId: run.input.instanceId,
      definitionId: def.workflow_id,
      definitionRowId: run.input.definitionRowId,
      version: def.version,
      name: def.name,
      correlationKey: run.input.correlationKey,
      trigger: run.input.trigger,
    },
    ...extra,
  };
}

/**
 * Histories recorded before the expression budget replay with the evaluator they ran with (plain JSONata): the
 * budget changes outcomes (an expression over it now fails, `$base64encode` now works) and the number of
 * microtasks an evaluation takes. A run whose workflow task never completed (the runaway the budget exists for)
 * evaluates that expression afresh, so the patch applies to it and it fails cleanly.
 */
export const EXPRESSION_BUDGET_PATCH = 'expression-budget';

const legacyCache = new Map<string, jsonata.Expression>();

function legacyEvaluate(src: string, vars: Record<string, unknown>): Promise<unknown> {
  let expr = legacyCache.get(src);
  if (!expr) {
    expr = jsonata(src);
    if (legacyCache.size > 5000) legacyCache.clear();
    legacyCache.set(src, expr);
  }
  return expr.evaluate(vars.input, vars);
}

async function evalOne(
  src: string,
  vars: Record<string, unknown>,
  where: string,
  meter: ExpressionMeter,
): Promise<unknown> {
  const direct = readSimplePath(src, vars);
  if (direct !== NOT_SIMPLE) return direct;
  try {
    // The root `$` is the run input, so `{% order.id %}` reads like Step Functions' input paths. The budget is
    // the fixed default (docs/definition-language.md#limits): a count of steps and sizes, never time.
    return await (patched(EXPRESSION_BUDGET_PATCH)
      ? evaluateExpression(src, vars.input, vars, undefined, meter)
      : legacyEvaluate(src, vars));
  } catch (err) {
    const f = describeFailure(err);
    throw ApplicationFailure.create({
      type: FailureType.ExpressionError,
      message: `${where}: expression "${src.trim()}" failed: ${f.message}`,
      details: [{ code: f.code, ...(f.limit && { limit: f.limit }), expression: src }],
      nonRetryable: true,
    });
  }
}

function textOf(value: unknown): string {
  if (value === undefined || value === null) return '';
  return typeof value === 'string' ? value : JSON.stringify(value);
}

async function walk(
  value: unknown,
  vars: Record<string, unknown>,
  where: string,
  meter: ExpressionMeter,
): Promise<unknown> {
  if (typeof value === 'string') {
    if (!value.includes('{%')) return value;
    const whole = WHOLE.exec(value);
    if (whole && !whole[1].includes('%}')) return evalOne(whole[1], vars, where, meter);
    const parts = await Promise.all([...value.matchAll(EMBEDDED)].map((m) => evalOne(m[1], vars, where, meter)));
    let i = 0;
    return value.replace(EMBEDDED, () => textOf(parts[i++]));
  }
  if (Array.isArray(value)) {
    const out: unknown[] = [];
    for (const v of value) out.push(await walk(v, vars, where, meter));
    return out;
  }
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = await walk(v, vars, where, meter);
    return out;
  }
  return value;
}

/** Evaluates every expression in `template` (any JSON value) in the context of `frame`. */
export async function evaluate(
  template: unknown,
  run: RunState,
  frame: Frame,
  where: string,
  extra?: Record<string, unknown>,
): Promise<unknown> {
  if (!hasExpression(template)) return template;
  return evaluateWith(template, bindings(run, frame, extra), where, run.limits.task);
}

// The expression steps spent count against the activation's budget (block-limits.ts), as the steps run do.
async function evaluateWith(
  template: unknown,
  vars: Record<string, unknown>,
  where: string,
  meter: ExpressionMeter,
): Promise<unknown> {
  return normalize(await walk(template, vars, where, meter));
}

/**
 * `evaluate` without a promise when it can: when every expression in `template` is a simple path (or there is
 * none), the value itself, computed synchronously; otherwise `evaluate`'s promise. Hot steps call it as
 * `const v = evaluateNow(...); const value = isPromise(v) ? await v : v;`: each promise created in the sandbox
 * costs a stack capture (see expression-paths.ts), and a step's input is usually plain paths.
 */
export function evaluateNow(
  template: unknown,
  run: RunState,
  frame: Frame,
  where: string,
  extra?: Record<string, unknown>,
): unknown {
  if (!hasExpression(template)) return template;
  const vars = bindings(run, frame, extra);
  const direct = walkSimple(template, vars);
  return direct === NOT_SIMPLE ? evaluateWith(template, vars, where, run.limits.task) : normalize(direct);
}

/** True for a promise (what `evaluateNow` returns when JSONata has to run). */
export function isPromise(value: unknown): value is Promise<unknown> {
  return value instanceof Promise;
}

/** `walk` for templates whose expressions are all simple paths (same answers); NOT_SIMPLE when one is not. */
function walkSimple(value: unknown, vars: Record<string, unknown>): unknown {
  if (typeof value === 'string') {
    if (!value.includes('{%')) return value;
    const whole = WHOLE.exec(value);
    if (whole && !whole[1].includes('%}')) return readSimplePath(whole[1], vars);
    let simple = true;
    const text = value.replace(EMBEDDED, (_, src: string) => {
      const v = simple ? readSimplePath(src, vars) : NOT_SIMPLE;
      if (v === NOT_SIMPLE) simple = false;
      return simple ? textOf(v) : '';
    });
    return simple ? text : NOT_SIMPLE;
  }
  if (Array.isArray(value)) {
    const out: unknown[] = [];
    for (const v of value) {
      const r = walkSimple(v, vars);
      if (r === NOT_SIMPLE) return NOT_SIMPLE;
      out.push(r);
    }
    return out;
  }
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) {
      const r = walkSimple(v, vars);
      if (r === NOT_SIMPLE) return NOT_SIMPLE;
      out[k] = r;
    }
    return out;
  }
  return value;
}

/** Makes JSONata results plain JSON (its arrays carry extra flags; functions cannot travel in payloads). */
function normalize(value: unknown): unknown {
  if (value === undefined || typeof value === 'function') return value === undefined ? undefined : null;
  if (Array.isArray(value)) return value.map(normalize);
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) if (v !== undefined && typeof v !== 'function') out[k] = normalize(v);
    return out;
  }
  return value;
}

/** True when `value` contains at least one `{% %}` expression somewhere. */
export function hasExpression(value: unknown): boolean {
  if (typeof value === 'string') return value.includes('{%');
  if (Array.isArray(value)) return value.some(hasExpression);
  if (value !== null && typeof value === 'object') return Object.values(value).some(hasExpression);
  return false;
}
