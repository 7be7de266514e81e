/**
 * The work of a bulk operation, as its workflow's activities run it: materialise the matched targets into items
 * (idempotent), act on pending items batch by batch (each item once), record the end.
 */
import {
  BULK_RATE,
  type BulkBatchResult,
  type BulkOperationOutcome,
  type BulkOperationPlan,
  type BulkOperationStatus,
} from '../../common/contracts/bulk-operations';
import { AppError } from '../../common/errors';
import {
  countBulkItems,
  endBulkOperation,
  getBulkOperation,
  insertBulkItems,
  markBulkOperationRunning,
  nextPendingItems,
  selectDeadLetterTargets,
  selectRunTargets,
  setBulkOperationMatched,
  settleBulkItem,
  type BulkOperationRow,
  type TargetCursor,
  type TargetPage,
} from '../../db/repositories/bulk-operations';
import { BULK_ACTION_FNS, type BulkDeps } from './actions';
import { deadLetterTargetFilter, runTargetFilter, type BulkFilter } from './filter';
import { targetKindOf } from '../../common/contracts/bulk-operations';

/** Targets written per page (one statement each). */
const PAGE = 500;
/** Most items acted on per batch (one activity). */
const MAX_BATCH = 100;

/** Called after each page or item, so a long activity can heartbeat. */
export type Progress = () => void;

async function operation(deps: BulkDeps, id: string): Promise<BulkOperationRow> {
  const op = await getBulkOperation(deps.db, id);
  if (!op) throw AppError.notFound(`bulk operation ${id} not found`);
  return op;
}

/** Items of one batch: the rate's worth of a second, at least one, at most {@link MAX_BATCH}. */
export function batchSizeFor(ratePerSecond: number): number {
  return Math.max(1, Math.min(MAX_BATCH, Math.ceil(ratePerSecond)));
}

async function pages(next: (after: TargetCursor | null) => Promise<TargetPage>, add: (ids: string[]) => Promise<void>) {
  let after: TargetCursor | null = null;
  do {
    const page = await next(after);
    await add(page.ids);
    after = page.next;
  } while (after);
}

/** Writes one pending item per target the filter matches (a repeated call adds nothing twice); answers the count. */
async function materialise(deps: BulkDeps, op: BulkOperationRow, progress: Progress): Promise<number> {
  const filter = op.filter as BulkFilter;
  let position = 0;
  const add = async (ids: string[]) => {
    await insertBulkItems(
      deps.db,
      op.id,
      ids.map((id) => ({ id, position: position++ })),
    );
    progress();
  };
  if (targetKindOf(op.action) === 'dead_letters') {
    const f = deadLetterTargetFilter(filter, op.created_at);
    await pages((after) => selectDeadLetterTargets(deps.db, f, after, PAGE), add);
  } else if (filter.query) {
    // The visibility query names Temporal workflow ids; the mirror's rows (and the other criteria) pick the runs.
    const f = runTargetFilter(filter, op.created_at);
    let chunk = new Set<string>();
    const flush = async () => {
      if (chunk.size === 0) return;
      const ids = [...chunk];
      chunk = new Set();
      await add((await selectRunTargets(deps.db, { ...f, temporalWorkflowIds: ids }, null, ids.length)).ids);
    };
    for await (const wf of deps.temporal.workflow.list({ query: filter.query, pageSize: PAGE })) {
      chunk.add(wf.workflowId);
      if (chunk.size >= PAGE) await flush();
    }
    await flush();
  } else {
    const f = runTargetFilter(filter, op.created_at);
    await pages((after) => selectRunTargets(deps.db, f, after, PAGE), add);
  }
  return countBulkItems(deps.db, op.id);
}

/** Marks the operation running and materialises its targets once (`matched` is set when that is done). */
export async function beginBulkOperation(
  deps: BulkDeps,
  operationId: string,
  progress: Progress = () => undefined,
): Promise<BulkOperationPlan> {
  const op = await markBulkOperationRunning(deps.db, operationId);
  if (!op) throw AppError.notFound(`bulk operation ${operationId} not found`);
  let matched = op.matched;
  if (op.status === 'running' && matched === null) {
    matched = await materialise(deps, op, progress);
    await setBulkOperationMatched(deps.db, op.id, matched);
  }
  const rate = Number(op.rate_per_second) || BULK_RATE.default;
  return {
    batchSize: batchSizeFor(rate),
    ratePerSecond: rate,
    dryRun: op.options.dry_run === true,
    matched: matched ?? 0,
  };
}

function describe(err: unknown): { type: string; message: string; status?: number } {
  if (err instanceof AppError) return { type: err.title, message: err.message, status: err.status };
  const e = err as Error;
  return { type: e?.name ?? 'Error', message: e?.message ?? String(err) };
}

/** Acts on the next `limit` pending items; nothing once the operation is no longer running (it was cancelled). */
export async function processBulkBatch(
  deps: BulkDeps,
  operationId: string,
  limit: number,
  progress: Progress = () => undefined,
): Promise<BulkBatchResult> {
  const op = await operation(deps, operationId);
  if (op.status !== 'running') return { processed: 0, done: true };
  const items = await nextPendingItems(deps.db, operationId, limit);
  const requestedById = op.options.requested_by_id;
  const ctx = {
    deps,
    operationId,
    actor: {
      username: op.requested_by ?? 'unknown',
      ...(typeof requestedById === 'string' && { userId: requestedById }),
      bulkOperationId: operationId,
    },
    options: { reason: typeof op.options.reason === 'string' ? op.options.reason : undefined },
  };
  for (const item of items) {
    try {
      const outcome = await BULK_ACTION_FNS[op.action](ctx, item.target_id);
      await settleBulkItem(deps.db, operationId, item.target_id, outcome.status, { result: outcome.result });
    } catch (err) {
      deps.logger?.warn({ err, operationId, target: item.target_id }, 'bulk operation item failed');
      await settleBulkItem(deps.db, operationId, item.target_id, 'failed', { error: describe(err) });
    }
    progress();
  }
  return { processed: items.length, done: items.length < limit };
}

/** Records the end (a no-op once ended); answers the operation's final counters. */
export async function finishBulkOperation(
  deps: BulkDeps,
  operationId: string,
  status: Exclude<BulkOperationStatus, 'pending' | 'running'>,
  error?: { type: string; message: string },
): Promise<BulkOperationOutcome> {
  await endBulkOperation(deps.db, operationId, status, error);
  const op = await operation(deps, operationId);
  return { status: op.status, matched: op.matched, succeeded: op.succeeded, failed: op.failed, skipped: op.skipped };
}
