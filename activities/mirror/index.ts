/**
 * The `mirrorWorkflow` local activity (common/contracts/mirror.ts): a thin adapter over the workflow mirror
 * (services/mirror/workflow-mirror.ts). A DB error is thrown (plain, so retryable): the local activity's retry
 * policy in the interpreter rides out an outage. A terminal write that took effect frees its run's slot under
 * flow control (services/runs/flow-control.ts): queued starts of its definition are promoted, best effort (the
 * reconcile loop's sweep retries a promotion that fails here).
 */
import type { Client } from '@temporalio/client';
import type { Knex } from 'knex';
import type { MirrorActivities, MirrorWorkflowUpdate } from '../../common/contracts/mirror';
import type { Logger } from '../../common/logger';
import { isPermanentDbError } from '../../services/mirror/retry';
import { applyWorkflowUpdate } from '../../services/mirror/workflow-mirror';
import { promoteAfterClose } from '../../services/runs/flow-control';
import { TERMINAL_WORKFLOW_STATUSES, type WorkflowInstanceStatus } from '../../db/repositories/workflow-instances';

/** The local activity, built over a knex (and the Temporal client that promotes queued runs, when given). */
export function createMirrorActivities({
  db,
  logger,
  temporal,
}: {
  db: Knex;
  logger: Logger;
  temporal?: Client;
}): MirrorActivities {
  const log = logger.child({ component: 'mirror' });
  return {
    async mirrorWorkflow(update: MirrorWorkflowUpdate): Promise<void> {
      let applied: boolean;
      try {
        applied = await applyWorkflowUpdate(db, update);
      } catch (err) {
        // A constraint or syntax error will fail the same way on every retry: report it, let the run go on.
        if (!isPermanentDbError(err)) throw err;
        const { workflowId, seq } = update;
        log.error({ err, workflowId, seq }, 'workflow mirror write rejected by the database');
        return;
      }
      const { workflowId, seq, status } = update;
      log.debug({ workflowId, seq, status, applied }, 'workflow mirrored');
      if (applied && temporal && TERMINAL_WORKFLOW_STATUSES.includes(status as WorkflowInstanceStatus)) {
        await promoteAfterClose({ db, temporal }, update.instanceId).catch((err: unknown) =>
          log.warn({ err, workflowId }, 'promotion of queued runs failed; the reconcile sweep retries it'),
        );
      }
    },
  };
}
