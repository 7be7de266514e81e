/**
 * Size checks in workflow code: a task's activity input, a child's start input and the run's output are
 * measured as the payload converter will encode them before Temporal sees them. Over the limit, the step (or
 * the run) fails with a catchable, non-retryable `PayloadTooLarge`, where Temporal would otherwise fail the
 * whole run on the command (no catch, and the mirror left claiming what Temporal refused).
 */
import { defaultPayloadConverter, patched } from '@temporalio/workflow';
import {
  DEFAULT_PAYLOAD_LIMIT_BYTES,
  oversize,
  PAYLOAD_TOO_LARGE,
  payloadTooLargeMessage,
} from '../common/payload-size';
import type { RunState } from './runtime';
import { failure } from './step-errors';

/** Patch id of the size checks (only an oversized value asks for it, so ordinary histories get no marker). */
export const PAYLOAD_CHECK_PATCH = 'payload-size-checked';

/** Throws PayloadTooLarge when `values` (one payload each) exceed the run's payload limit. */
export function checkPayloadSize(run: RunState, what: string, values: unknown[]): void {
  const limit = run.input.options?.payloadLimitBytes ?? DEFAULT_PAYLOAD_LIMIT_BYTES;
  const size = oversize(defaultPayloadConverter, values, limit);
  // Before the patch Temporal refused such a command and failed the run: those histories replay without the check.
  if (size !== undefined && patched(PAYLOAD_CHECK_PATCH))
    throw failure(PAYLOAD_TOO_LARGE, payloadTooLargeMessage(what, size, limit));
}
