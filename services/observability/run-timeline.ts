/**
 * A run's timeline: its step executions from the lifecycle mirror (task_instances) and its spans, each execution
 * linked to the spans of its step, and the trace ids the run's spans belong to. Steps the mirror does not record
 * (set, delay, choice, ... run inside the workflow) appear through their `step <id>` spans.
 */
import type { Knex } from 'knex';
import { AppError } from '../../common/errors';
import { listRunSpans, type SpanRow } from '../../db/repositories/observability-queries';
import { listTaskInstancesOfWorkflow, type TaskInstanceRow } from '../../db/repositories/task-instances';
import { getWorkflowInstance } from '../../db/repositories/workflow-instances';

/** One step execution on the timeline, with the ids of its spans. */
export interface TimelineStep {
  /** The task_instances row; null for a step known only from its span. */
  id: string | null;
  /** Where the entry comes from: a task_instances row, or a `step <id>` span alone. */
  source: 'task_instances' | 'span';
  step_id: string;
  step_path: string | null;
  step_type: string;
  task_id: string | null;
  status: string;
  attempt: number;
  started_at: Date | null;
  completed_at: Date | null;
  duration_ms: number | null;
  span_ids: string[];
}

/** The run, its step executions in start order, its spans in start order, and their trace ids. */
export interface RunTimeline {
  run: {
    id: string;
    workflow_id: string;
    status: string;
    started_at: Date | null;
    completed_at: Date | null;
  };
  steps: TimelineStep[];
  spans: SpanRow[];
  trace_ids: string[];
  /** True when the run has more than {@link RUN_SPAN_LIMIT} spans (the first ones are answered). */
  truncated: boolean;
}

/** At most this many spans of one run are read. */
export const RUN_SPAN_LIMIT = 2000;
/** Spans are looked for from this long before the run's creation to this long after its end (clock skew). */
const SLACK_MS = 5 * 60 * 1000;

/** The step a span belongs to: its `aos.step_id` attribute, or the id in a `step <id>` name. */
export function spanStepId(span: Pick<SpanRow, 'name' | 'attributes'>): string | undefined {
  const attr = span.attributes?.['aos.step_id'];
  if (typeof attr === 'string' && attr) return attr;
  return /^step (.+)$/.exec(span.name)?.[1];
}

const overlaps = (s: SpanRow, t: TaskInstanceRow, now: number): boolean => {
  if (!t.started_at) return true;
  const start = t.started_at.getTime() - 1000;
  const end = (t.completed_at?.getTime() ?? now) + 1000;
  return s.started_at.getTime() <= end && (s.ended_at?.getTime() ?? now) >= start;
};

/**
 * Links each execution to the spans of its step; when a step ran several times (attempts of a retried step,
 * foreach iterations), to those overlapping the execution's own start and end, if any does.
 */
export function linkSteps(
  tasks: readonly TaskInstanceRow[],
  spans: readonly SpanRow[],
  now = Date.now(),
): TimelineStep[] {
  const byStep = new Map<string, SpanRow[]>();
  for (const s of spans) {
    const step = spanStepId(s);
    if (step) byStep.set(step, [...(byStep.get(step) ?? []), s]);
  }
  const ordered = [...tasks].sort(
    (a, b) =>
      (a.started_at ?? a.created_at).getTime() - (b.started_at ?? b.created_at).getTime() ||
      a.execution_key.localeCompare(b.execution_key),
  );
  return ordered.map((t) => {
    const mine = byStep.get(t.step_id) ?? [];
    const during = mine.filter((s) => overlaps(s, t, now));
    return {
      id: t.id,
      source: 'task_instances' as const,
      step_id: t.step_id,
      step_path: t.step_path,
      step_type: t.step_type,
      task_id: t.task_id,
      status: t.status,
      attempt: t.attempt,
      started_at: t.started_at,
      completed_at: t.completed_at,
      duration_ms: t.duration_ms,
      span_ids: (during.length > 0 ? during : mine).map((s) => s.span_id),
    };
  });
}

const SPAN_STATUS = { ok: 'completed', error: 'failed' } as const;

/**
 * Entries for the steps no execution row records, one per `step <id>` span, with the spans of that step inside
 * it (its activity attempts).
 */
export function spanOnlySteps(tasks: readonly TaskInstanceRow[], spans: readonly SpanRow[]): TimelineStep[] {
  const recorded = new Set(tasks.map((t) => t.step_id));
  return spans
    .filter((s) => /^step /.test(s.name) && !recorded.has(spanStepId(s) ?? ''))
    .map((s) => {
      const stepId = spanStepId(s)!;
      const end = s.ended_at?.getTime() ?? Infinity;
      const inside = spans.filter(
        (x) => x !== s && spanStepId(x) === stepId && x.started_at >= s.started_at && x.started_at.getTime() <= end,
      );
      const type = s.attributes?.['aos.step_type'];
      return {
        id: null,
        source: 'span' as const,
        step_id: stepId,
        step_path: null,
        step_type: typeof type === 'string' ? type : 'step',
        task_id: null,
        status: s.status === 'unset' ? (s.ended_at ? 'completed' : 'running') : SPAN_STATUS[s.status],
        attempt: 1,
        started_at: s.started_at,
        completed_at: s.ended_at,
        duration_ms: s.duration_ms,
        span_ids: [s.span_id, ...inside.map((x) => x.span_id)],
      };
    });
}

const startOf = (s: TimelineStep) => s.started_at?.getTime() ?? Infinity;

/** The timeline of run `instanceId`; 404 for an unknown run. */
export async function runTimeline(db: Knex, instanceId: string): Promise<RunTimeline> {
  const run = await getWorkflowInstance(db, instanceId);
  if (!run) throw AppError.notFound(`Workflow instance ${instanceId} not found`);
  const now = Date.now();
  const tasks = await listTaskInstancesOfWorkflow(db, run.id);
  // The run's lifetime, widened to its step executions (a mirror row may carry the worker's clock).
  const times = [run.created_at, run.started_at, ...tasks.map((t) => t.started_at ?? t.created_at)];
  const first = Math.min(...times.flatMap((t) => (t ? [t.getTime()] : [])));
  const last = run.completed_at
    ? Math.max(run.completed_at.getTime(), ...tasks.map((t) => t.completed_at?.getTime() ?? 0))
    : now;
  const spans = await listRunSpans(
    db,
    {
      workflowInstanceId: run.id,
      temporalWorkflowId: run.temporal_workflow_id,
      from: new Date(first - SLACK_MS),
      to: new Date(last + SLACK_MS),
    },
    RUN_SPAN_LIMIT + 1,
  );
  const kept = spans.slice(0, RUN_SPAN_LIMIT);
  return {
    run: {
      id: run.id,
      workflow_id: run.temporal_workflow_id,
      status: run.status,
      started_at: run.started_at ?? run.created_at,
      completed_at: run.completed_at,
    },
    // A stable sort: executions keep their order among equal starts.
    steps: [...linkSteps(tasks, kept, now), ...spanOnlySteps(tasks, kept)].sort((a, b) => startOf(a) - startOf(b)),
    spans: kept,
    trace_ids: [...new Set(kept.map((s) => s.trace_id))],
    truncated: spans.length > RUN_SPAN_LIMIT,
  };
}
