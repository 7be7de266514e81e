/**
 * Who did what to a run (#15): every control action records its principal and time. Services call
 * {@link recordControl} after the action took effect (a refused action records nothing).
 */
import type { Db } from '../../db/repositories/sql';
import {
  insertControlAction,
  listControlActions,
  type ControlAction,
  type ControlActionRow,
} from '../../db/repositories/control-actions';

/** Who acted: a person or key (API calls), or a platform component (`system:schedule`, `system:flow-control`). */
export interface Actor {
  username: string;
  userId?: string;
  /** The bulk operation this action is an item of. */
  bulkOperationId?: string;
}

/** The actor of platform-initiated actions. */
export const systemActor = (component: string): Actor => ({ username: `system:${component}` });

/** Records that `actor` did `action` to the run `instanceId` (details: reason, new run id, event id...). */
export async function recordControl(
  db: Db,
  instanceId: string,
  action: ControlAction,
  actor: Actor | undefined,
  details: Record<string, unknown> = {},
): Promise<ControlActionRow> {
  return insertControlAction(db, {
    workflow_instance_id: instanceId,
    action,
    principal: actor?.username ?? 'unknown',
    principal_id: actor?.userId ?? null,
    details,
    bulk_operation_id: actor?.bulkOperationId ?? null,
  });
}

/**
 * Records a start that took effect: `actor`, or `system:trigger` / `system:<trigger kind>` for the platform's
 * own starts. The run has started by then, so a failed write is swallowed rather than undo the start.
 */
export async function recordStart(
  db: Db,
  instanceId: string,
  actor: Actor | undefined,
  trigger: { kind: string; triggerId?: string; eventId?: string; scheduleId?: string; scheduledTime?: string },
): Promise<void> {
  const who = actor ?? systemActor(trigger.kind === 'event' ? 'trigger' : trigger.kind);
  const details = {
    trigger: trigger.kind,
    ...(trigger.triggerId && { trigger_id: trigger.triggerId }),
    ...(trigger.eventId && { event_id: trigger.eventId }),
    ...(trigger.scheduleId && { schedule_id: trigger.scheduleId }),
    ...(trigger.scheduledTime && { scheduled_time: trigger.scheduledTime }),
  };
  await recordControl(db, instanceId, 'start', who, details).catch(() => undefined);
}

/** A run's control history, oldest first. */
export function controlHistory(db: Db, instanceId: string): Promise<ControlActionRow[]> {
  return listControlActions(db, instanceId);
}

export type { ControlAction, ControlActionRow };
