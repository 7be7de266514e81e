/** Built-in `code` handlers: small, documented examples (and the building blocks of the tests and demos). */
import { CancelledFailure } from '@temporalio/common';
import { FailureType } from '../../common/errors';
import type { CodeHandler } from './code-handlers';
import { nonRetryable } from './failures';

function record(input: unknown): Record<string, unknown> {
  return input && typeof input === 'object' && !Array.isArray(input) ? (input as Record<string, unknown>) : {};
}

/** Sleeps `ms` (default 1000) while heartbeating every second; stops at once when cancelled. */
const sleep: CodeHandler = async (input, { signal, heartbeat }) => {
  const ms = Number(record(input).ms ?? 1000);
  const until = Date.now() + ms;
  while (Date.now() < until) {
    if (signal.aborted) throw new CancelledFailure('sleep cancelled');
    heartbeat({ remainingMs: until - Date.now() });
    await new Promise((r) => setTimeout(r, Math.min(1000, until - Date.now())));
  }
  return { sleptMs: ms };
};

/** Returns the sum of `input.values` (numbers). */
const sum: CodeHandler = (input) => {
  const values = record(input).values;
  if (!Array.isArray(values) || values.some((v) => typeof v !== 'number')) {
    throw nonRetryable(FailureType.SchemaViolation, 'sum: input.values must be an array of numbers');
  }
  return { sum: (values as number[]).reduce((a, b) => a + b, 0) };
};

/** Upper-cases `input.text`. */
const uppercase: CodeHandler = (input) => ({ text: String(record(input).text ?? '').toUpperCase() });

/** Fails with `input.type` (default `DemoFailure`); `input.retryable: true` makes it retryable. Tests `catch`. */
const fail: CodeHandler = (input) => {
  const r = record(input);
  const type = typeof r.type === 'string' ? r.type : 'DemoFailure';
  const err = Object.assign(new Error(String(r.message ?? 'requested failure')), { type });
  if (r.retryable === true) throw err;
  throw nonRetryable(type, err.message);
};

/** The handlers every worker registers before the user module. */
export const builtinCodeHandlers: Record<string, CodeHandler> = { sleep, sum, uppercase, fail };
