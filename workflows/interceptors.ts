/**
 * The workflow interceptors of the interpreter's bundle: Temporal's OpenTelemetry interceptors for every workflow
 * type except the event dispatcher. The dispatcher lives for the deployment (continue-as-new carries the trace
 * context on), so traced it would be one trace that never ends, gaining spans at every pass. Untraced, each pass's
 * activity starts its own small trace (RunActivity:dispatchPending, event.dispatch), and each event's routing
 * joins the event's own trace (see services/events/tracing.ts).
 */
import { interceptors as tracedInterceptors } from '@temporalio/interceptors-opentelemetry/lib/workflow-interceptors';
import { workflowInfo, type WorkflowInterceptors } from '@temporalio/workflow';

/** Workflow types that run without the OpenTelemetry interceptors. */
export const UNTRACED_WORKFLOW_TYPES: readonly string[] = ['eventDispatcherWorkflow'];

/** Called by the SDK once per workflow run, with its info already set. */
export function interceptors(): WorkflowInterceptors {
  return UNTRACED_WORKFLOW_TYPES.includes(workflowInfo().workflowType) ? {} : tracedInterceptors();
}
