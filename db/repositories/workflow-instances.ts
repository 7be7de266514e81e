/**
 * workflow_orchestrator_service.workflow_instances: the SQL mirror of each Temporal run.
 * Mirror writes carry a monotonic `mirror_seq`; a write only applies when it is newer than the row.
 */
import type { Knex } from 'knex';
import { STARTER_MIRROR_SEQ } from '../../common/definitions/types';
import type { Db } from './sql';
import { toDb, transition } from './sql';
import { paginate, type Page, type PageRequest } from './keyset';

/** Lifecycle of a run as mirrored from Temporal. */
export type WorkflowInstanceStatus =
  | 'queued'
  | 'pending'
  | 'running'
  | 'waiting'
  | 'paused'
  | 'completed'
  | 'failed'
  | 'cancelled'
  | 'terminated'
  | 'timed_out';

/** Every status, in lifecycle order (list filters offer these). */
export const WORKFLOW_INSTANCE_STATUSES: readonly WorkflowInstanceStatus[] = [
  'queued',
  'pending',
  'running',
  'waiting',
  'paused',
  'completed',
  'failed',
  'cancelled',
  'terminated',
  'timed_out',
];

/** Statuses after which a run never changes again. */
export const TERMINAL_WORKFLOW_STATUSES: readonly WorkflowInstanceStatus[] = [
  'completed',
  'failed',
  'cancelled',
  'terminated',
  'timed_out',
];

/**
 * Statuses of a run that is not over: live for event routing (exclusive starts, CANCEL triggers), open for the
 * reconciler, kept by partition retention. The one list every such check uses: a new open status goes here.
 */
export const OPEN_WORKFLOW_STATUSES: readonly WorkflowInstanceStatus[] = ['pending', 'running', 'waiting', 'paused'];

/** A row of workflow_instances. */
export interface WorkflowInstanceRow {
  id: string;
  temporal_workflow_id: string;
  temporal_run_id: string | null;
  workflow_definition_id: string;
  definition_workflow_id: string;
  definition_version: string;
  status: WorkflowInstanceStatus;
  input: unknown;
  output: unknown;
  error: unknown;
  variables: Record<string, unknown>;
  current_steps: string[];
  correlation_key: string | null;
  business_key: string | null;
  trigger: Record<string, unknown> | null;
  parent_instance_id: string | null;
  parent_step_id: string | null;
  started_at: Date | null;
  completed_at: Date | null;
  mirror_seq: number;
  /** The run this one redrove or reran (#15). */
  origin_instance_id?: string | null;
  origin_kind?: 'redrive' | 'rerun' | null;
  /** Flow control (#15): the value of the definition's concurrency key, the queue order of a queued start. */
  concurrency_key?: string | null;
  queue_seq?: number | null;
  /** What a queued start begins with (interpreter options, priority). */
  start_request?: Record<string, unknown> | null;
  priority?: number | null;
  created_at: Date;
  updated_at: Date;
}

/** Values to create a run's row (id may be chosen by the starter, e.g. InterpreterInput.instanceId). */
export type WorkflowInstanceInsert = Partial<Omit<WorkflowInstanceRow, 'created_at' | 'updated_at'>> &
  Pick<
    WorkflowInstanceRow,
    'temporal_workflow_id' | 'workflow_definition_id' | 'definition_workflow_id' | 'definition_version'
  >;

/** Fields a mirror write may change. */
export type WorkflowInstancePatch = Partial<
  Pick<
    WorkflowInstanceRow,
    | 'temporal_run_id'
    | 'status'
    | 'input'
    | 'output'
    | 'error'
    | 'variables'
    | 'current_steps'
    | 'correlation_key'
    | 'started_at'
    | 'completed_at'
  >
>;

/** Filters of the instance list. */
export interface WorkflowInstanceFilter {
  status?: WorkflowInstanceStatus | WorkflowInstanceStatus[];
  definitionWorkflowId?: string;
  definitionVersion?: string;
  workflowDefinitionId?: string;
  correlationKey?: string;
  businessKey?: string;
  parentInstanceId?: string;
  createdAfter?: Date;
  createdBefore?: Date;
}

export const WORKFLOW_INSTANCES = 'workflow_orchestrator_service.workflow_instances';

/** Inserts a run's row; when its temporal_workflow_id exists already, returns the existing row (duplicate start). */
export async function insertWorkflowInstance(
  db: Db,
  values: WorkflowInstanceInsert,
): Promise<{ row: WorkflowInstanceRow; created: boolean }> {
  const [row] = await db(WORKFLOW_INSTANCES)
    .insert(toDb(values))
    .onConflict('temporal_workflow_id')
    .ignore()
    .returning('*');
  if (row) return { row: row as WorkflowInstanceRow, created: true };
  const existing = await getWorkflowInstanceByTemporalId(db, values.temporal_workflow_id);
  if (!existing) throw new Error(`workflow instance ${values.temporal_workflow_id} vanished during insert`);
  return { row: existing, created: false };
}

/**
 * The starter's mirror of a successful start: the run id, and status running (Temporal's status of a started
 * execution) unless the run's own writes got there first (mirror_seq guard: they are all later than the start).
 */
export async function markRunStarted(db: Db, instanceId: string, runId: string, at: Date = new Date()): Promise<void> {
  await db(WORKFLOW_INSTANCES)
    .where({ id: instanceId })
    .update({
      temporal_run_id: db.raw('coalesce(temporal_run_id, ?)', [runId]),
      started_at: db.raw('coalesce(started_at, ?)', [at]),
      status: db.raw("CASE WHEN status = 'pending' AND mirror_seq < ? THEN 'running' ELSE status END", [
        STARTER_MIRROR_SEQ,
      ]),
      mirror_seq: db.raw('greatest(mirror_seq, ?)', [STARTER_MIRROR_SEQ]),
    });
}

/**
 * The idempotent, ordered mirror write: creates the row if missing, otherwise applies `patch` only when
 * `seq` is greater than the stored mirror_seq. Returns true when the write took effect.
 */
export async function mirrorWorkflowInstance(
  db: Db,
  values: WorkflowInstanceInsert,
  patch: WorkflowInstancePatch,
  seq: number,
): Promise<boolean> {
  const data = toDb({ ...values, ...patch, mirror_seq: seq });
  const updatable = Object.keys(toDb({ ...patch, mirror_seq: seq }));
  const rows = await db(WORKFLOW_INSTANCES)
    .insert(data)
    .onConflict('temporal_workflow_id')
    .merge(updatable)
    .whereRaw('workflow_instances.mirror_seq < excluded.mirror_seq')
    .returning('id');
  return rows.length > 0;
}

/** Applies `patch` to an existing row when `seq` is newer; false when missing or stale. */
export async function updateWorkflowInstanceMirror(
  db: Db,
  temporalWorkflowId: string,
  patch: WorkflowInstancePatch,
  seq: number,
): Promise<boolean> {
  const n = await db(WORKFLOW_INSTANCES)
    .where({ temporal_workflow_id: temporalWorkflowId })
    .where('mirror_seq', '<', seq)
    .update({ ...toDb(patch), mirror_seq: seq });
  return n > 0;
}

/** A run by its row id. */
export async function getWorkflowInstance(db: Db, id: string): Promise<WorkflowInstanceRow | undefined> {
  return (await db(WORKFLOW_INSTANCES).where({ id }).first()) as WorkflowInstanceRow | undefined;
}

/** A run by its Temporal workflow id (the business identifier). */
export async function getWorkflowInstanceByTemporalId(
  db: Db,
  temporalWorkflowId: string,
): Promise<WorkflowInstanceRow | undefined> {
  return (await db(WORKFLOW_INSTANCES).where({ temporal_workflow_id: temporalWorkflowId }).first()) as
    WorkflowInstanceRow | undefined;
}

/** Lists runs, newest first, with filters and keyset pagination. */
export async function listWorkflowInstances(
  db: Db,
  f: WorkflowInstanceFilter = {},
  page: PageRequest = {},
): Promise<Page<WorkflowInstanceRow>> {
  const q = db(`${WORKFLOW_INSTANCES} as wi`);
  if (f.status) q.whereIn('wi.status', Array.isArray(f.status) ? f.status : [f.status]);
  if (f.definitionWorkflowId) q.where('wi.definition_workflow_id', f.definitionWorkflowId);
  if (f.definitionVersion) q.where('wi.definition_version', f.definitionVersion);
  if (f.workflowDefinitionId) q.where('wi.workflow_definition_id', f.workflowDefinitionId);
  if (f.correlationKey) q.where('wi.correlation_key', f.correlationKey);
  if (f.businessKey) q.where('wi.business_key', f.businessKey);
  if (f.parentInstanceId) q.where('wi.parent_instance_id', f.parentInstanceId);
  if (f.createdAfter) q.where('wi.created_at', '>=', f.createdAfter);
  if (f.createdBefore) q.where('wi.created_at', '<', f.createdBefore);
  return paginate<WorkflowInstanceRow>(q, 'wi', page);
}

/** Non-terminal runs of a definition sharing a correlation key (CANCEL triggers, on_running checks). */
export async function findActiveByCorrelation(
  db: Db,
  definitionWorkflowId: string,
  correlationKey: string,
): Promise<WorkflowInstanceRow[]> {
  return (await db(WORKFLOW_INSTANCES)
    .where({ definition_workflow_id: definitionWorkflowId, correlation_key: correlationKey })
    .whereNotIn('status', TERMINAL_WORKFLOW_STATUSES as WorkflowInstanceStatus[])) as WorkflowInstanceRow[];
}

/** Guarded status change outside the mirror (e.g. the API marking a pending run cancelled); undefined when not allowed. */
export async function transitionWorkflowInstance(
  db: Db,
  id: string,
  to: WorkflowInstanceStatus,
  from: readonly WorkflowInstanceStatus[],
  extra: WorkflowInstancePatch = {},
): Promise<WorkflowInstanceRow | undefined> {
  return transition<WorkflowInstanceRow>(db, WORKFLOW_INSTANCES, id, to, from, extra);
}

/**
 * Serialises the exclusive starts of one (definition, correlation key) pair: a transaction-scoped advisory lock
 * (two-int form over `hashtext`, apart from the one-bigint locks used elsewhere). Call inside a transaction.
 */
export async function lockCorrelationStarts(
  trx: Db,
  definitionWorkflowId: string,
  correlationKey: string,
): Promise<void> {
  await trx.raw('SELECT pg_advisory_xact_lock(hashtext(?), hashtext(?))', [definitionWorkflowId, correlationKey]);
}

/** Deletes a run's row while it is still pending (its Temporal start failed). */
export async function deletePendingWorkflowInstance(db: Db, id: string): Promise<void> {
  await db(WORKFLOW_INSTANCES).where({ id, status: 'pending' }).delete();
}

/** How a run closed outside the interpreter (terminate, quarantine, reconciled from Temporal). */
export interface WorkflowInstanceClose {
  status: WorkflowInstanceStatus;
  /** Written as JSON, null when undefined. */
  error: unknown;
  /** Written (JSON, null when undefined) only when the key is present. */
  output?: unknown;
  completedAt: Date;
}

/**
 * Closes a run's row (current steps emptied) unless it is terminal already: a closed run never changes again.
 * Returns the updated row, undefined when it was already closed or is missing.
 */
export async function closeOpenWorkflowInstance(
  db: Db,
  id: string,
  close: WorkflowInstanceClose,
): Promise<WorkflowInstanceRow | undefined> {
  const json = (v: unknown) => (v === undefined ? null : JSON.stringify(v));
  const open = db(WORKFLOW_INSTANCES)
    .where({ id })
    .whereNotIn('status', TERMINAL_WORKFLOW_STATUSES as string[]);
  const [row] = await open
    .update({
      status: close.status,
      ...('output' in close && { output: json(close.output) }),
      error: json(close.error),
      current_steps: '[]',
      completed_at: close.completedAt,
    })
    .returning('*');
  return row as WorkflowInstanceRow | undefined;
}

/** An open row as the reconciler checks it. */
export interface OpenWorkflowInstance {
  id: string;
  temporal_workflow_id: string;
  definition_workflow_id: string;
  status: string;
  created_at: Date;
}

/** Open (pending, running, waiting) rows last updated before `settledBefore`, least recently updated first. */
export async function listSettledOpenWorkflowInstances(
  db: Db,
  settledBefore: Date,
  limit: number,
): Promise<OpenWorkflowInstance[]> {
  return (await db(WORKFLOW_INSTANCES)
    .select('id', 'temporal_workflow_id', 'definition_workflow_id', 'status', 'created_at')
    .whereIn('status', OPEN_WORKFLOW_STATUSES as WorkflowInstanceStatus[])
    .where('updated_at', '<', settledBefore)
    .orderBy('updated_at')
    .limit(limit)) as OpenWorkflowInstance[];
}

/**
 * A `mirrorWorkflow` write of one run's row (services/mirror/workflow-mirror.ts builds `set`, JSON included).
 * Guarded: applied only when `seq` is above the row's mirror_seq and the row is not terminal.
 */
export interface WorkflowMirrorWrite {
  instanceId: string;
  seq: number;
  /** Columns to set on every write (mirror_seq among them). */
  set: Record<string, unknown>;
  /** Temporal's start time of the run: replaces started_at. When absent, `at` only fills a missing one. */
  startedAt?: string;
  /** Workflow time of the write, ISO-8601. */
  at: string;
}

/** The values a mirror write's insert adds when the row does not exist yet (the run was not started by startRun). */
export interface WorkflowMirrorInsert {
  temporal_workflow_id: string;
  /** workflow_definitions.id; looked up by (definition id, version) when absent. */
  definitionRowId?: string;
  definition_workflow_id: string;
  definition_version: string;
  input: string | null;
  correlation_key: string | null;
  trigger: string | null;
  parent_instance_id: string | null;
}

// Temporal's start time wins over what the starter wrote; an update without one only fills a missing value.
function mirroredStartedAt(db: Db, w: WorkflowMirrorWrite, column: string): Knex.Raw | string {
  return w.startedAt ?? db.raw(`coalesce(${column}, ?)`, [w.at]);
}

const mirrorGuard = (seq: number) => (q: Knex.QueryBuilder) =>
  q
    .where('workflow_instances.mirror_seq', '<', seq)
    .whereNotIn('workflow_instances.status', TERMINAL_WORKFLOW_STATUSES as string[]);

/** What a mirror write that took effect reports about the row (for the run metrics). */
export interface WorkflowMirrorApplied {
  definition_workflow_id: string;
  status: WorkflowInstanceStatus;
  started_at: Date | null;
  completed_at: Date | null;
}

const MIRROR_RETURNING = ['definition_workflow_id', 'status', 'started_at', 'completed_at'];

/** Applies a mirror write to an existing row; the row when it changed it (undefined = stale, duplicate or unknown). */
export async function updateWorkflowMirrorRow(
  db: Db,
  w: WorkflowMirrorWrite,
): Promise<WorkflowMirrorApplied | undefined> {
  const q = db(WORKFLOW_INSTANCES)
    .where({ id: w.instanceId })
    .update({ ...w.set, started_at: mirroredStartedAt(db, w, 'started_at') });
  const rows = (await mirrorGuard(w.seq)(q).returning(MIRROR_RETURNING)) as WorkflowMirrorApplied[];
  return rows[0];
}

/** Inserts the row or applies the write to it (same guard); the row when it changed it. */
export async function upsertWorkflowMirrorRow(
  db: Db,
  w: WorkflowMirrorWrite,
  values: WorkflowMirrorInsert,
): Promise<WorkflowMirrorApplied | undefined> {
  const { definitionRowId, ...columns } = values;
  const definitionId =
    definitionRowId ??
    db.raw(
      '(SELECT id FROM workflow_orchestrator_service.workflow_definitions WHERE workflow_id = ? AND version = ?)',
      [values.definition_workflow_id, values.definition_version],
    );
  const insert = {
    id: w.instanceId,
    ...columns,
    workflow_definition_id: definitionId,
    started_at: w.startedAt ?? w.at,
    ...w.set,
  };
  const rows = await mirrorGuard(w.seq)(
    // continue-as-new may send `start` again: the chain's start time (carried) wins.
    db(WORKFLOW_INSTANCES)
      .insert(insert)
      .onConflict('id')
      .merge({ ...w.set, started_at: mirroredStartedAt(db, w, 'workflow_instances.started_at') }),
  ).returning(MIRROR_RETURNING);
  return (rows as WorkflowMirrorApplied[])[0];
}
