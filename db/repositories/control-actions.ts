/**
 * workflow_orchestrator_service.workflow_control_actions: who did what to a run, and when (#15). One row per
 * control action (start, cancel, terminate, redrive, rerun, pause, resume, event, dequeue); a bulk operation's
 * actions name it.
 */
import type { Db } from './sql';
import { toDb } from './sql';

export const WORKFLOW_CONTROL_ACTIONS = 'workflow_orchestrator_service.workflow_control_actions';

/** What was done (the CHECK constraint of migration 018 lists the same values). */
export type ControlAction =
  'start' | 'cancel' | 'terminate' | 'redrive' | 'rerun' | 'pause' | 'resume' | 'event' | 'dequeue';

/** A recorded control action. */
export interface ControlActionRow {
  id: string;
  workflow_instance_id: string;
  action: ControlAction;
  /** Username, or `system:<component>` when the platform acted (a trigger, a schedule, flow control). */
  principal: string;
  principal_id: string | null;
  details: Record<string, unknown>;
  bulk_operation_id: string | null;
  at: Date;
}

/** Values of a new record. */
export interface ControlActionInsert {
  workflow_instance_id: string;
  action: ControlAction;
  principal: string;
  principal_id?: string | null;
  details?: Record<string, unknown>;
  bulk_operation_id?: string | null;
  at?: Date;
}

/** Records one control action. */
export async function insertControlAction(db: Db, values: ControlActionInsert): Promise<ControlActionRow> {
  const [row] = await db(WORKFLOW_CONTROL_ACTIONS).insert(toDb(values)).returning('*');
  return row as ControlActionRow;
}

/** A run's control history, oldest first. */
export async function listControlActions(db: Db, instanceId: string, limit = 500): Promise<ControlActionRow[]> {
  return (await db(WORKFLOW_CONTROL_ACTIONS)
    .where({ workflow_instance_id: instanceId })
    .orderBy([
      { column: 'at', order: 'asc' },
      { column: 'id', order: 'asc' },
    ])
    .limit(limit)) as ControlActionRow[];
}
