/**
 * Step spans, in the workflow sandbox: `step <id>` for every execution of a step, child of the run's RunWorkflow
 * span (or of the enclosing block step's span), parent of the StartActivity spans of the activities it schedules.
 * The tracer is the one Temporal's workflow interceptors register in the sandbox (their spans leave through the
 * worker's exporter sink, never during replay); without the interceptors it is a no-op.
 *
 * Determinism: starting and ending a span issues no command and awaits nothing. {@link inStepSpan} calls its
 * function inside `context.with` (synchronously: no extra promise or microtask hop), so commands keep their order.
 * Span ids come from the run's seeded Math.random (the same ids on replay).
 */
import { context, SpanStatusCode, trace, type Span } from '@opentelemetry/api';
import { ContinueAsNew } from '@temporalio/workflow';
import type { Step } from '../common/definitions/types';
import type { RunState } from './runtime';
import { CANCELLED, toStepError } from './step-errors';

/** The instrumentation scope of the interpreter's spans. */
const TRACER_NAME = 'aos-workflow';

/** Starts the span of one execution of `step` (end it with {@link endStepSpan}). */
export function startStepSpan(step: Step, run: RunState): Span {
  return trace.getTracer(TRACER_NAME).startSpan(`step ${step.id}`, {
    attributes: {
      'aos.step_id': step.id,
      'aos.step_type': step.type,
      'aos.workflow_instance_id': run.input.instanceId,
      'aos.workflow_definition_id': run.input.definition.workflow_id,
      temporalWorkflowId: run.workflowId,
    },
  });
}

/** Calls `fn` with `span` active: spans started inside (activities, child workflows, nested steps) are its children. */
export function inStepSpan<T>(span: Span, fn: () => T): T {
  return context.with(trace.setSpan(context.active(), span), fn);
}

/**
 * Ends a step's span: when `err` is a failure (a continue-as-new is not), an error status with the message and
 * `aos.error_type` that `catch` sees (the inner failure, not Temporal's "Activity task failed"), and the exception.
 */
export function endStepSpan(span: Span, err?: unknown): void {
  if (err !== undefined && !(err instanceof ContinueAsNew)) {
    const error = toStepError(err);
    span.setStatus({ code: SpanStatusCode.ERROR, message: error.message });
    span.setAttribute('aos.error_type', error.type);
    if (err instanceof Error) span.recordException(err);
    if (error.type === CANCELLED) span.setAttribute('aos.cancelled', true);
  }
  span.end();
}
