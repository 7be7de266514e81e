/**
 * Temporal's OpenTelemetry interceptors on the worker: RunActivity spans (children of the workflow's
 * StartActivity span, carried in the activity's headers) and the sink through which the workflow sandbox's spans
 * (RunWorkflow, StartActivity, the interpreter's step spans) reach the process's exporters. The workflow
 * interceptors themselves are part of the workflow bundle (workers/workflow-bundle.ts), so they run with tracing
 * off too; the sink then discards their spans.
 */
import {
  makeWorkflowExporter,
  OpenTelemetryActivityInboundInterceptor,
  OpenTelemetryActivityOutboundInterceptor,
} from '@temporalio/interceptors-opentelemetry';
import type { InjectedSinks, ReplayWorkerOptions, WorkerOptions } from '@temporalio/worker';
import type { ProcessTracing } from '../services/observability/tracing';

type WorkflowSpanSinks = InjectedSinks<{ exporter: { export(spans: unknown[]): void } }>;

/** The workflow span exporter sink: the process's exporters, or a sink that discards (tracing off). */
export function workflowSpanSinks(tracing: ProcessTracing | undefined): WorkflowSpanSinks {
  if (tracing) return { exporter: makeWorkflowExporter(tracing.spanProcessor, tracing.resource) } as WorkflowSpanSinks;
  return { exporter: { export: { fn: () => undefined } } };
}

/** Worker options for tracing: the activity interceptors (when on) and the workflow span sink (always). */
export function tracingWorkerOptions(
  tracing: ProcessTracing | undefined,
): Required<Pick<WorkerOptions, 'interceptors' | 'sinks'>> {
  return {
    interceptors: {
      activity: tracing
        ? [
            (ctx) => ({
              inbound: new OpenTelemetryActivityInboundInterceptor(ctx),
              outbound: new OpenTelemetryActivityOutboundInterceptor(ctx),
            }),
          ]
        : [],
    },
    sinks: workflowSpanSinks(tracing),
  };
}

/** Replay worker options with the same workflow span sink (workflow spans are not exported during replay). */
export function tracingReplayOptions(tracing: ProcessTracing | undefined): Pick<ReplayWorkerOptions, 'sinks'> {
  return { sinks: workflowSpanSinks(tracing) };
}
