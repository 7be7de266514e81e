/**
 * Promotion of queued starts (run flow control, #15; see flow-control.ts): when a (definition, key) is below its
 * limit, its queue head is started in `queue_seq` order, each in one transaction under the pair's lock. The row's
 * `queued` status is the guard, so each is started once whoever promotes: the mirror's terminal write, terminate,
 * a failed direct start, or the reconcile loop's sweep.
 */
import {
  WorkflowExecutionAlreadyStartedError,
  WorkflowIdReusePolicy,
  type Client,
  type WorkflowStartOptions,
} from '@temporalio/client';
import type { InterpreterInput, TriggerContext } from '../../common/definitions/types';
import type { Logger } from '../../common/logger';
import { runSearchAttributes } from '../../common/search-attributes';
import {
  countPair,
  listQueuedPairs,
  lockQueueHead,
  lockRunConcurrency,
  markQueuedStarted,
  type ConcurrencyPair,
} from '../../db/repositories/run-queue';
import { getWorkflowInstance, type WorkflowInstanceRow } from '../../db/repositories/workflow-instances';
import { INTERPRETER_WORKFLOW_TYPE, type InterpreterWorkflow } from '../../workflows/api';
import { runsStarted } from '../observability/metrics';
import { recordControl, systemActor } from './control-history';
import type { FlowDeps, QueuedStartRequest } from './flow-control';

const ACTOR = systemActor('flow-control');

/** Temporal's start options of a run (direct starts build the same in start.ts). */
function startOptions(workflowId: string, req: QueuedStartRequest, input: unknown): WorkflowStartOptions {
  const i = req.interpreter;
  const trigger: TriggerContext = i.trigger ?? { kind: 'api' };
  return {
    taskQueue: req.taskQueue,
    workflowId,
    args: [{ ...i, input } as InterpreterInput],
    workflowIdReusePolicy: WorkflowIdReusePolicy.REJECT_DUPLICATE,
    typedSearchAttributes: runSearchAttributes(
      i.definition.workflow_id,
      i.definition.version,
      trigger,
      i.correlationKey,
    ),
    memo: { instanceId: i.instanceId },
    staticSummary: `${req.definitionName} ${i.definition.version}${req.businessKey ? ` (${req.businessKey})` : ''}`,
    staticDetails: `Definition **${i.definition.workflow_id}@${i.definition.version}**, trigger ${trigger.kind}, instance ${i.instanceId}`,
    ...(req.priority !== undefined && { priority: { priorityKey: req.priority } }),
  };
}

/** Starts one queued row's Temporal run; a run already started under its id (a promoter that died) is adopted. */
async function startQueued(temporal: Client, row: WorkflowInstanceRow, req: QueuedStartRequest): Promise<string> {
  try {
    const handle = await temporal.workflow.start<InterpreterWorkflow>(
      INTERPRETER_WORKFLOW_TYPE,
      startOptions(row.temporal_workflow_id, req, row.input ?? undefined) as never,
    );
    return handle.firstExecutionRunId;
  } catch (err) {
    if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
    return (await temporal.workflow.getHandle(row.temporal_workflow_id).describe()).runId;
  }
}

/**
 * Promotes the pair's head while it is below the limit: under the lock, the head row (row-locked, so a cancel of
 * it waits) is started in Temporal and marked running in the same transaction. A Temporal error rolls back (the
 * row stays queued, for the next promoter). Returns how many started.
 */
export async function promoteQueued(deps: FlowDeps, pair: ConcurrencyPair): Promise<number> {
  let started = 0;
  for (;;) {
    const promoted = await deps.db.transaction(async (trx) => {
      await lockRunConcurrency(trx, pair);
      const head = await lockQueueHead(trx, pair);
      if (!head) return false;
      const req = head.start_request as unknown as QueuedStartRequest;
      const { open } = await countPair(trx, pair);
      if (open >= req.limit) return false;
      const at = new Date();
      const runId = await startQueued(deps.temporal, head, req);
      if (!(await markQueuedStarted(trx, head.id, runId, at))) return false;
      await recordControl(trx, head.id, 'dequeue', ACTOR, {
        queue_seq: head.queue_seq,
        waited_ms: at.getTime() - new Date(head.created_at).getTime(),
      });
      runsStarted.inc({ definition: pair.definitionWorkflowId });
      return true;
    });
    if (!promoted) return started;
    started += 1;
  }
}

/** After a run closed: when it was limited, promote its pair's queued starts. */
export async function promoteAfterClose(deps: FlowDeps, instanceId: string): Promise<number> {
  const row = await getWorkflowInstance(deps.db, instanceId);
  if (!row || row.concurrency_key == null) return 0;
  return promoteQueued(deps, { definitionWorkflowId: row.definition_workflow_id, concurrencyKey: row.concurrency_key });
}

/** The reconcile loop's safety sweep: promotes every pair with queued starts (a close whose promotion was lost). */
export async function sweepRunQueues(deps: FlowDeps, logger?: Logger, limit = 200): Promise<number> {
  let started = 0;
  for (const pair of await listQueuedPairs(deps.db, limit)) {
    try {
      started += await promoteQueued(deps, pair);
    } catch (err) {
      logger?.warn({ err, ...pair }, 'promotion of queued runs failed');
    }
  }
  return started;
}
