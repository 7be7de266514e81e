/**
 * The `mirrorWorkflow` local activity (common/contracts/mirror.ts): a thin adapter over the workflow mirror
 * (services/mirror/workflow-mirror.ts). A DB error is thrown (plain, so retryable): the local activity's retry
 * policy in the interpreter rides out an outage.
 */
import type { Knex } from 'knex';
import type { MirrorActivities, MirrorWorkflowUpdate } from '../../common/contracts/mirror';
import type { Logger } from '../../common/logger';
import { isPermanentDbError } from '../../services/mirror/retry';
import { applyWorkflowUpdate } from '../../services/mirror/workflow-mirror';

/** The local activity, built over a knex. */
export function createMirrorActivities({ db, logger }: { db: Knex; logger: Logger }): MirrorActivities {
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
    },
  };
}
