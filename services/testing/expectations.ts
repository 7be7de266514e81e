/**
 * Checking a case's expectations against what its run did (docs/testing.md, "Expectations"). Pure apart from the
 * JSONata evaluation: each expectation yields results with the JSON pointer of the mismatch in the actual result,
 * the expected and the actual value.
 */
import type { ExpectationResult, TestExpectations } from '../../common/contracts/testing';
import { parseDuration } from '../../common/definitions/duration';
import { bareExpression } from '../../common/definitions/expression-check';
import { describeFailure, evaluate } from '../../common/expressions/engine';

/** What a case's run did. */
export interface CaseActual {
  status: 'completed' | 'failed' | 'cancelled';
  output?: unknown;
  error?: { type: string; message: string; details?: unknown };
  /** `$steps.<id>` records: `{ output }` or `{ error }`. */
  steps: Record<string, { output?: unknown; error?: unknown }>;
  path: string[];
  events: Array<{ event: string; payload: unknown }>;
  /** Real duration x time scale. */
  simulatedDurationMs: number;
  durationMs: number;
}

/** At most this many mismatches are reported per expectation (a wholly different output is one story). */
const MAX_MISMATCHES = 20;

const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);
const segment = (key: string | number) => String(key).replace(/~/g, '~0').replace(/\//g, '~1');

/** A difference between an expected and an actual value, at `pointer`. */
export interface Mismatch {
  pointer: string;
  expected: unknown;
  actual: unknown;
  message: string;
}

/**
 * The differences between `expected` and `actual`: all of them (`exact`), or only where `actual` lacks what
 * `expected` has (`contains`: objects need the expected keys, recursively; arrays need the expected elements at
 * the same indexes, and at least as many elements).
 */
export function differences(expected: unknown, actual: unknown, mode: 'exact' | 'contains', pointer = ''): Mismatch[] {
  const out: Mismatch[] = [];
  const walk = (exp: unknown, act: unknown, at: string) => {
    if (out.length >= MAX_MISMATCHES) return;
    if (isObject(exp) && isObject(act)) {
      for (const key of Object.keys(exp)) {
        const here = `${at}/${segment(key)}`;
        if (!(key in act)) out.push({ pointer: here, expected: exp[key], actual: undefined, message: 'is missing' });
        else walk(exp[key], act[key], here);
      }
      if (mode === 'exact')
        for (const key of Object.keys(act))
          if (!(key in exp))
            out.push({
              pointer: `${at}/${segment(key)}`,
              expected: undefined,
              actual: act[key],
              message: 'is not expected',
            });
      return;
    }
    if (Array.isArray(exp) && Array.isArray(act)) {
      if (mode === 'exact' ? act.length !== exp.length : act.length < exp.length) {
        out.push({
          pointer: at,
          expected: exp,
          actual: act,
          message: `has ${act.length} items, expected ${mode === 'exact' ? '' : 'at least '}${exp.length}`,
        });
        return;
      }
      exp.forEach((item, i) => walk(item, act[i], `${at}/${i}`));
      return;
    }
    if (!sameJson(exp, act)) out.push({ pointer: at, expected: exp, actual: act, message: 'differs' });
  };
  walk(expected, actual, pointer);
  return out;
}

function sameJson(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== typeof b || a === null || b === null || typeof a !== 'object') return false;
  return JSON.stringify(a) === JSON.stringify(b);
}

const pass = (expectation: string, pointer: string, message: string, expected?: unknown): ExpectationResult => ({
  expectation,
  pointer,
  passed: true,
  ...(expected !== undefined && { expected }),
  message,
});

const fail = (expectation: string, m: Mismatch): ExpectationResult => ({
  expectation,
  pointer: m.pointer,
  passed: false,
  expected: m.expected,
  actual: m.actual,
  message: m.message,
});

function compare(expectation: string, expected: unknown, actual: unknown, mode: 'exact' | 'contains', at: string) {
  const found = differences(expected, actual, mode, at);
  return found.length === 0
    ? [pass(expectation, at, mode === 'exact' ? 'equals' : 'contains the expected values', expected)]
    : found.map((m) => fail(expectation, m));
}

/** Is `wanted` a subsequence of `seq` (in order, others may come between)? Answers the first item not found. */
function missingInOrder<T>(wanted: T[], seq: T[], same: (a: T, b: T) => boolean): number | undefined {
  let from = 0;
  for (let i = 0; i < wanted.length; i++) {
    const at = seq.findIndex((s, j) => j >= from && same(wanted[i], s));
    if (at < 0) return i;
    from = at + 1;
  }
  return undefined;
}

/** Checks every expectation of a case (the status is always checked: `completed` unless said otherwise). */
export async function checkExpectations(expect: TestExpectations, actual: CaseActual): Promise<ExpectationResult[]> {
  const results: ExpectationResult[] = [];
  const expectedStatus = expect.status ?? (expect.error ? 'failed' : 'completed');
  results.push(
    actual.status === expectedStatus
      ? pass('status', '/status', `is ${expectedStatus}`, expectedStatus)
      : {
          expectation: 'status',
          pointer: '/status',
          passed: false,
          expected: expectedStatus,
          actual: actual.status,
          message: actual.error
            ? `is ${actual.status}: ${actual.error.type}: ${actual.error.message}`
            : `is ${actual.status}`,
        },
  );
  if ('output' in expect) results.push(...compare('output', expect.output, actual.output, 'exact', '/output'));
  if ('output_contains' in expect)
    results.push(...compare('output_contains', expect.output_contains, actual.output, 'contains', '/output'));
  if (expect.error) {
    const { type, message_contains } = expect.error;
    if (type !== undefined)
      results.push(
        actual.error?.type === type
          ? pass('error.type', '/error/type', `is ${type}`, type)
          : fail('error.type', {
              pointer: '/error/type',
              expected: type,
              actual: actual.error?.type,
              message: 'differs',
            }),
      );
    if (message_contains !== undefined)
      results.push(
        actual.error?.message.includes(message_contains)
          ? pass('error.message_contains', '/error/message', 'contains the text', message_contains)
          : fail('error.message_contains', {
              pointer: '/error/message',
              expected: message_contains,
              actual: actual.error?.message,
              message: 'does not contain the text',
            }),
      );
  }
  if (expect.path) results.push(...checkPath(expect.path, actual.path));
  if (expect.path_contains) {
    const missing = missingInOrder(expect.path_contains, actual.path, (a, b) => a === b);
    results.push(
      missing === undefined
        ? pass('path_contains', '/path', 'has the steps in order', expect.path_contains)
        : fail('path_contains', {
            pointer: '/path',
            expected: expect.path_contains,
            actual: actual.path,
            message: `step "${expect.path_contains[missing]}" did not run${missing > 0 ? ` after "${expect.path_contains[missing - 1]}"` : ''}`,
          }),
    );
  }
  for (const id of expect.path_excludes ?? []) {
    const at = actual.path.indexOf(id);
    results.push(
      at < 0
        ? pass('path_excludes', '/path', `step "${id}" did not run`, id)
        : fail('path_excludes', {
            pointer: `/path/${at}`,
            expected: undefined,
            actual: id,
            message: `step "${id}" ran`,
          }),
    );
  }
  for (const [id, expected] of Object.entries(expect.steps ?? {})) {
    const record = actual.steps[id];
    const at = `/steps/${segment(id)}/output`;
    if (!record) {
      results.push(
        fail(`steps.${id}`, { pointer: `/steps/${segment(id)}`, expected, actual: undefined, message: 'did not run' }),
      );
      continue;
    }
    results.push(...compare(`steps.${id}`, expected, record.output, 'contains', at));
  }
  if (expect.events) results.push(...checkEvents(expect.events, actual.events));
  if (expect.max_duration !== undefined) {
    const bound = parseDuration(expect.max_duration);
    results.push(
      actual.simulatedDurationMs <= bound
        ? pass('max_duration', '/duration_ms', `took ${actual.simulatedDurationMs} ms (simulated)`, bound)
        : fail('max_duration', {
            pointer: '/duration_ms',
            expected: bound,
            actual: actual.simulatedDurationMs,
            message: `took longer than ${expect.max_duration} (simulated)`,
          }),
    );
  }
  const asserts = expect.assert === undefined ? [] : Array.isArray(expect.assert) ? expect.assert : [expect.assert];
  for (const [i, source] of asserts.entries()) results.push(await checkAssertion(source, i, asserts.length, actual));
  return results;
}

function checkPath(expected: string[], actual: string[]): ExpectationResult[] {
  const at = expected.findIndex((id, i) => actual[i] !== id);
  if (at < 0 && actual.length === expected.length) return [pass('path', '/path', 'equals', expected)];
  const i = at < 0 ? expected.length : at;
  return [
    fail('path', {
      pointer: `/path/${i}`,
      expected: expected[i],
      actual: actual[i],
      message:
        i >= actual.length
          ? `the run ended after ${actual.length} steps; expected "${expected[i]}" next`
          : i >= expected.length
            ? `step "${actual[i]}" ran after the expected path`
            : `step "${actual[i]}" ran where "${expected[i]}" was expected`,
    }),
  ];
}

function checkEvents(
  expected: NonNullable<TestExpectations['events']>,
  actual: CaseActual['events'],
): ExpectationResult[] {
  const missing = missingInOrder<{ event: string; payload?: unknown }>(
    expected,
    actual,
    (want, got) =>
      want.event === got.event &&
      (want.payload === undefined || differences(want.payload, got.payload, 'contains').length === 0),
  );
  if (missing === undefined) return [pass('events', '/events', 'were emitted in order', expected)];
  return [
    fail(`events`, {
      pointer: `/events`,
      expected: expected[missing],
      actual,
      message: `no emitted event matches expected event ${missing} ("${expected[missing].event}") in order`,
    }),
  ];
}

async function checkAssertion(
  source: string,
  index: number,
  count: number,
  actual: CaseActual,
): Promise<ExpectationResult> {
  const name = count > 1 ? `assert[${index}]` : 'assert';
  const pointer = count > 1 ? `/assert/${index}` : '/assert';
  const context = {
    status: actual.status,
    output: actual.output,
    error: actual.error ?? null,
    steps: actual.steps,
    path: actual.path,
    events: actual.events,
    duration_ms: actual.simulatedDurationMs,
  };
  try {
    const value = await evaluate(bareExpression(source), context, { ...context });
    return value === true
      ? pass(name, pointer, 'is true', source)
      : { expectation: name, pointer, passed: false, expected: source, actual: value ?? null, message: 'is not true' };
  } catch (err) {
    return {
      expectation: name,
      pointer,
      passed: false,
      expected: source,
      message: `cannot be evaluated: ${describeFailure(err).message}`,
    };
  }
}
