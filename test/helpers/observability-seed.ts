/**
 * Telemetry of one run seeded straight into the tables, as the exporters and the log sink would write it: three
 * step executions (validate; charge, retried once; notify, failed) in task_instances, their spans in one trace
 * (the workflow span, a `step <id>` span per step with `RunActivity:runTask` attempts under it, and an orphan whose
 * parent is not stored), and log lines of every level with `%` and `_` in some messages.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import type { Knex } from 'knex';

const OBS = 'observability_service';
const hex = (bytes: number) => randomBytes(bytes).toString('hex');

/** What was seeded: ids to query by, and the run's start. */
export interface SeededRun {
  instanceId: string;
  temporalWorkflowId: string;
  traceId: string;
  /** span ids by name of their role */
  spans: Record<
    'workflow' | 'validate' | 'validateAttempt' | 'route' | 'charge' | 'charge1' | 'charge2' | 'notify' | 'orphan',
    string
  >;
  /** Parent of the orphan (never stored). */
  missingParent: string;
  t0: Date;
  requestId: string;
}

/** A span row. */
function span(
  s: { trace: string; id: string; parent?: string; name: string; from: number; ms: number; step?: string },
  run: { instanceId: string; wf: string; t0: number },
  extra: Record<string, unknown> = {},
) {
  return {
    trace_id: s.trace,
    span_id: s.id,
    parent_span_id: s.parent ?? null,
    name: s.name,
    service: s.name.startsWith('step') || s.name.startsWith('Run') ? 'aos-worker' : 'aos-api',
    kind: 'internal',
    status: 'ok',
    started_at: new Date(run.t0 + s.from),
    ended_at: new Date(run.t0 + s.from + s.ms),
    duration_ms: s.ms,
    temporal_workflow_id: run.wf,
    workflow_instance_id: run.instanceId,
    attributes: JSON.stringify(s.step ? { 'aos.step_id': s.step, 'aos.workflow_instance_id': run.instanceId } : {}),
    ...extra,
  };
}

/** Seeds the telemetry of the existing run `instanceId` (its Temporal workflow id `wf`), starting at `t0`. */
export async function seedRunTelemetry(db: Knex, instanceId: string, wf: string, t0: Date): Promise<SeededRun> {
  const T = t0.getTime();
  const run = { instanceId, wf, t0: T };
  const traceId = hex(16);
  const ids = {
    workflow: hex(8),
    validate: hex(8),
    validateAttempt: hex(8),
    route: hex(8),
    charge: hex(8),
    charge1: hex(8),
    charge2: hex(8),
    notify: hex(8),
    orphan: hex(8),
  };
  const missingParent = hex(8);
  const tr = traceId;
  await db(`${OBS}.observability_traces`).insert([
    span({ trace: tr, id: ids.workflow, name: 'RunWorkflow:interpreterWorkflow', from: 0, ms: 3200 }, run),
    span(
      {
        trace: tr,
        id: ids.validate,
        parent: ids.workflow,
        name: 'step validate',
        from: 100,
        ms: 500,
        step: 'validate',
      },
      run,
    ),
    span(
      {
        trace: tr,
        id: ids.validateAttempt,
        parent: ids.validate,
        name: 'RunActivity:runTask',
        from: 150,
        ms: 400,
        step: 'validate',
      },
      run,
    ),
    // A choice step: no task_instances row, only its span.
    span({ trace: tr, id: ids.route, parent: ids.workflow, name: 'step route', from: 620, ms: 30 }, run, {
      attributes: JSON.stringify({ 'aos.step_id': 'route', 'aos.step_type': 'choice' }),
    }),
    span(
      { trace: tr, id: ids.charge, parent: ids.workflow, name: 'step charge', from: 700, ms: 2100, step: 'charge' },
      run,
    ),
    span(
      {
        trace: tr,
        id: ids.charge1,
        parent: ids.charge,
        name: 'RunActivity:runTask',
        from: 750,
        ms: 450,
        step: 'charge',
      },
      run,
      {
        status: 'error',
        events: JSON.stringify([{ name: 'exception', attributes: { 'exception.message': 'declined' } }]),
      },
    ),
    span(
      {
        trace: tr,
        id: ids.charge2,
        parent: ids.charge,
        name: 'RunActivity:runTask',
        from: 1500,
        ms: 1250,
        step: 'charge',
      },
      run,
    ),
    span(
      { trace: tr, id: ids.notify, parent: ids.workflow, name: 'step notify', from: 2900, ms: 250, step: 'notify' },
      run,
      {
        status: 'error',
      },
    ),
    // Its parent (an upstream service's span) never reached this database.
    span({ trace: tr, id: ids.orphan, parent: missingParent, name: 'emit order.charged', from: 2850, ms: 20 }, run, {
      service: 'aos-events',
    }),
  ]);
  const at = (ms: number) => new Date(T + ms);
  const task = (step: string, status: string, attempt: number, from: number, to: number, type = 'task') => ({
    workflow_instance_id: instanceId,
    step_id: step,
    step_type: type,
    task_id: type === 'task' ? `${step}-task` : null,
    execution_key: step,
    status,
    attempt,
    started_at: at(from),
    completed_at: at(to),
    duration_ms: to - from,
    created_at: at(from),
  });
  await db('task_execution_service.task_instances').insert([
    task('validate', 'completed', 1, 100, 600),
    task('charge', 'completed', 2, 700, 2800),
    task('notify', 'failed', 1, 2900, 3150),
  ]);
  const requestId = `req-${hex(4)}`;
  const log = (ms: number, level: string, message: string, extra: Record<string, unknown> = {}) => ({
    timestamp: at(ms),
    level,
    message,
    service: 'aos-worker',
    temporal_workflow_id: wf,
    workflow_instance_id: instanceId,
    trace_id: traceId,
    attributes: JSON.stringify({ seeded: true }),
    ...extra,
  });
  await db(`${OBS}.observability_logs`).insert([
    log(0, 'info', 'run started', { request_id: requestId, service: 'aos-api' }),
    log(50, 'debug', 'Interpreting step validate'),
    log(200, 'info', 'Validated 100% of the order lines', { step_id: 'validate', span_id: ids.validateAttempt }),
    log(300, 'info', 'validated 1000 items', { step_id: 'validate' }),
    log(1100, 'warn', 'task attempt failed: card declined', { step_id: 'charge', span_id: ids.charge1 }),
    log(2700, 'info', 'charged order_id 42', { step_id: 'charge' }),
    log(2750, 'info', 'charged orderXid 43', { step_id: 'charge' }),
    log(3100, 'error', 'step notify failed', { step_id: 'notify' }),
    log(3200, 'fatal', 'run failed', { step_id: null }),
  ]);
  return { instanceId, temporalWorkflowId: wf, traceId, spans: ids, missingParent, t0, requestId };
}

/** A fresh uuid (for unknown runs). */
export const someUuid = (): string => randomUUID();
