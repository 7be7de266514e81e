/** workflow_instances as event routing and ingest read them: live runs, runs an event caused, a run's trigger. */
import type { Db } from './sql';
import { OPEN_WORKFLOW_STATUSES, WORKFLOW_INSTANCES } from './workflow-instances';

// Statuses of a run that can still receive or be cancelled by an event (pending rows count: a start in flight).
const LIVE = [...OPEN_WORKFLOW_STATUSES];

/** Of `workflowIds`, the runs that `eventId` started (a run never receives the event that started it). */
export async function runsStartedByEvent(db: Db, workflowIds: string[], eventId: string): Promise<string[]> {
  return (await db(WORKFLOW_INSTANCES)
    .whereIn('temporal_workflow_id', workflowIds)
    .whereRaw(`"trigger"->>'eventId' = ?`, [eventId])
    .pluck('temporal_workflow_id')) as string[];
}

/** Workflow ids of the live runs of a definition (business id) with this correlation key. */
export async function liveRunIds(db: Db, definitionWorkflowId: string, correlationKey: string): Promise<string[]> {
  const rows = await db(WORKFLOW_INSTANCES)
    .where({ definition_workflow_id: definitionWorkflowId, correlation_key: correlationKey })
    .whereIn('status', LIVE)
    .select('temporal_workflow_id');
  return rows.map((r: { temporal_workflow_id: string }) => r.temporal_workflow_id);
}

/** Like {@link liveRunIds}, only those Temporal has started (run id recorded), other than `ownId`. */
export async function startedLiveRunIds(
  db: Db,
  definitionWorkflowId: string,
  correlationKey: string,
  ownId: string,
): Promise<string[]> {
  const rows = await db(WORKFLOW_INSTANCES)
    .where({ definition_workflow_id: definitionWorkflowId, correlation_key: correlationKey })
    .whereIn('status', LIVE)
    .whereNotNull('temporal_run_id')
    .whereNot('temporal_workflow_id', ownId)
    .select('temporal_workflow_id');
  return rows.map((r: { temporal_workflow_id: string }) => r.temporal_workflow_id);
}

/** The trigger a run was started with (its `eventId` when an event started it); undefined when no row. */
export async function runTrigger(
  db: Db,
  instanceId: string,
): Promise<{ trigger: { eventId?: string; startedBy?: string } | null } | undefined> {
  return (await db(WORKFLOW_INSTANCES).where({ id: instanceId }).first('trigger')) as
    { trigger: { eventId?: string; startedBy?: string } | null } | undefined;
}

/** Whether a run's row exists (a run started on Temporal directly gets it from the mirror, a moment later). */
export async function runRowExists(db: Db, instanceId: string): Promise<boolean> {
  return (await db(WORKFLOW_INSTANCES).where({ id: instanceId }).first('id')) !== undefined;
}
