/**
 * What each bulk action does to one target, through the same service functions the single-target routes call, and
 * the permission a caller needs for it. An item whose target is already where the action would take it (a run
 * already closed, a dead letter no longer open) is `skipped`, not failed.
 */
import type { Client } from '@temporalio/client';
import type { Knex } from 'knex';
import type { BulkAction } from '../../common/contracts/bulk-operations';
import type { Config } from '../../common/config';
import { AppError } from '../../common/errors';
import type { Logger } from '../../common/logger';
import { TERMINAL_WORKFLOW_STATUSES, type WorkflowInstanceRow } from '../../db/repositories/workflow-instances';
import { discardDeadLetters, redriveDeadLetters } from '../events/dead-letters';
import { cancelRun, getRunRow, pauseRun, redriveRun, REDRIVABLE_STATUSES, resumeRun, terminateRun } from '../runs';
import { recordControl, type Actor, type ControlAction } from '../runs/control-history';

/** What the actions need. */
export interface BulkDeps {
  db: Knex;
  temporal: Client;
  config: Config;
  logger?: Logger;
}

/** One item being acted on: the operation's actor (carrying its id) and options. */
export interface BulkActionContext {
  deps: BulkDeps;
  operationId: string;
  actor: Actor;
  options: { reason?: string };
}

/** How one item went, when the action did not throw (a throw is a `failed` item with its reason). */
export interface BulkItemOutcome {
  status: 'succeeded' | 'skipped';
  result?: Record<string, unknown>;
}

/** Acts on one target. */
export type BulkActionFn = (ctx: BulkActionContext, targetId: string) => Promise<BulkItemOutcome>;

const skipped = (reason: string, extra: Record<string, unknown> = {}): BulkItemOutcome => ({
  status: 'skipped',
  result: { reason, ...extra },
});

/**
 * A per-run action: skipped when `skipIf` names a reason (the run is already where the action would take it) or
 * the service refuses with 409 (it got there meanwhile); `record` writes the control history entry here, for
 * service functions that do not record it themselves.
 */
function runAction(
  act: (ctx: BulkActionContext, id: string) => Promise<unknown>,
  opts: { skipIf: (row: WorkflowInstanceRow) => string | undefined; record?: ControlAction },
): BulkActionFn {
  return async (ctx, id) => {
    const row = await getRunRow(ctx.deps, id);
    const skip = opts.skipIf(row);
    if (skip) return skipped(skip, { run_status: row.status });
    try {
      await act(ctx, id);
    } catch (err) {
      if (err instanceof AppError && err.status === 409) return skipped(err.message);
      throw err;
    }
    if (opts.record)
      await recordControl(
        ctx.deps.db,
        id,
        opts.record,
        ctx.actor,
        ctx.options.reason ? { reason: ctx.options.reason } : {},
      );
    return { status: 'succeeded', result: { workflow_id: row.temporal_workflow_id } };
  };
}

const closed = (row: WorkflowInstanceRow) =>
  TERMINAL_WORKFLOW_STATUSES.includes(row.status) ? `already ${row.status}` : undefined;

/** What each action does to one target. */
export const BULK_ACTION_FNS: Record<BulkAction, BulkActionFn> = {
  cancel: runAction((c, id) => cancelRun(c.deps, id, c.actor), { skipIf: closed }),
  terminate: runAction(
    (c, id) => terminateRun(c.deps, id, c.options.reason ?? `terminated by bulk operation ${c.operationId}`, c.actor),
    { skipIf: closed },
  ),
  redrive: runAction((c, id) => redriveRun(c.deps, id, c.actor), {
    skipIf: (r) =>
      (REDRIVABLE_STATUSES as readonly string[]).includes(r.status) ? undefined : `not redrivable (${r.status})`,
  }),
  pause: runAction((c, id) => pauseRun(c.deps, id, c.actor, c.options.reason), {
    skipIf: (r) => closed(r) ?? (r.status === 'paused' ? 'already paused' : undefined),
  }),
  resume: runAction((c, id) => resumeRun(c.deps, id, c.actor, c.options.reason), {
    skipIf: (r) => (r.status === 'paused' ? undefined : `not paused (${r.status})`),
  }),
  discard_dead_letters: async (c, id) => {
    const [o] = await discardDeadLetters(c.deps.db, [id]);
    return o.outcome === 'not_open' ? skipped('not open') : { status: 'succeeded', result: { event_id: o.eventId } };
  },
  redrive_dead_letters: async (c, id) => {
    const [o] = await redriveDeadLetters(c.deps, [id]);
    return o.outcome === 'not_open' ? skipped('not open') : { status: 'succeeded', result: { event_id: o.eventId } };
  },
};

/** The permission the single-target route of each action requires; a bulk request needs it too. */
export const BULK_ACTION_PERMISSIONS: Record<BulkAction, string> = {
  cancel: 'workflow_instances:cancel',
  terminate: 'workflow_instances:terminate',
  redrive: 'workflow_instances:redrive',
  pause: 'workflow_instances:pause',
  resume: 'workflow_instances:pause',
  discard_dead_letters: 'dead_letters:write',
  redrive_dead_letters: 'dead_letters:write',
};
