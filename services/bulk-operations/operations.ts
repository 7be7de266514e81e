/**
 * Bulk operations as the API uses them: request one (permission checks, filter checks, idempotency, the workflow
 * started after the row is written), read its progress and failures, list, cancel.
 */
import { randomUUID } from 'node:crypto';
import { WorkflowIdReusePolicy, WorkflowNotFoundError } from '@temporalio/client';
import {
  BULK_OPERATION_WORKFLOW_TYPE,
  BULK_RATE,
  bulkOperationWorkflowId,
  type BulkAction,
  type BulkItemStatus,
  type BulkOperationStatus,
} from '../../common/contracts/bulk-operations';
import { AppError } from '../../common/errors';
import {
  deleteBulkOperation,
  endBulkOperation,
  findBulkOperationByKey,
  getBulkOperation,
  insertBulkOperation,
  listBulkItems,
  listBulkOperations,
  type BulkItemRow,
  type BulkOperationRow,
} from '../../db/repositories/bulk-operations';
import type { Page, PageRequest } from '../../db/repositories/keyset';
import { BULK_ACTION_PERMISSIONS, type BulkDeps } from './actions';
import { checkFilter, checkVisibilityQuery, resolveTrigger, type BulkFilter } from './filter';

/** Options of a request. */
export interface BulkOptions {
  /** Why (terminate: the termination reason; recorded in each run's control history). */
  reason?: string;
  /** Items acted on per second (bounded by {@link BULK_RATE}). */
  rate_per_second?: number;
  /** Only find and count the targets (their items stay pending); nothing is acted on. */
  dry_run?: boolean;
}

/** `POST /bulk-operations`. */
export interface BulkRequest {
  action: BulkAction;
  filter: BulkFilter;
  options?: BulkOptions;
  idempotency_key?: string;
}

/** Who asks, and what they may do. */
export interface BulkRequester {
  username: string;
  userId?: string;
  holds(permission: string): boolean;
}

/** An operation as the API shows it. */
export interface BulkOperationView {
  id: string;
  action: BulkAction;
  filter: Record<string, unknown>;
  options: Record<string, unknown>;
  status: BulkOperationStatus;
  dry_run: boolean;
  matched: number | null;
  succeeded: number;
  failed: number;
  skipped: number;
  /** Matched items not acted on yet (null until the targets are found). */
  pending: number | null;
  rate_per_second: number;
  requested_by: string | null;
  idempotency_key: string | null;
  workflow_id: string | null;
  error: unknown;
  started_at: Date | null;
  completed_at: Date | null;
  created_at: Date;
  updated_at: Date;
  /** The first failed items (GET of one operation): target and reason; the rest through the items list. */
  failures?: Array<{ target_id: string; error: unknown }>;
}

/** How many failures GET of one operation shows. */
const FAILURES_SHOWN = 20;

/** The API's view of a row (the requester's user id stays internal). */
export function bulkOperationView(row: BulkOperationRow): BulkOperationView {
  const { requested_by_id: _internal, ...options } = row.options;
  const done = row.succeeded + row.failed + row.skipped;
  return {
    id: row.id,
    action: row.action,
    filter: row.filter,
    options,
    status: row.status,
    dry_run: options.dry_run === true,
    matched: row.matched,
    succeeded: row.succeeded,
    failed: row.failed,
    skipped: row.skipped,
    pending: row.matched === null ? null : Math.max(0, row.matched - done),
    rate_per_second: Number(row.rate_per_second),
    requested_by: row.requested_by,
    idempotency_key: row.idempotency_key,
    workflow_id: row.temporal_workflow_id,
    error: row.error ?? null,
    started_at: row.started_at,
    completed_at: row.completed_at,
    created_at: row.created_at,
    updated_at: row.updated_at,
  };
}

function checkRate(rate: number | undefined): number {
  const r = rate ?? BULK_RATE.default;
  if (!(r >= BULK_RATE.min && r <= BULK_RATE.max))
    throw AppError.unprocessable('rate_per_second is out of bounds', [
      { pointer: '/body/options/rate_per_second', message: `must be between ${BULK_RATE.min} and ${BULK_RATE.max}` },
    ]);
  return r;
}

/**
 * Requests an operation; `created: false` answers the operation an earlier request with the same idempotency key
 * created (nothing acts twice). The caller needs the per-item permission of the action too (a dry run acts on
 * nothing and needs only bulk_operations:create). The workflow starts after the row is written; if it cannot, the
 * row is deleted.
 */
export async function createBulkOperation(
  deps: BulkDeps,
  req: BulkRequest,
  by: BulkRequester,
): Promise<{ operation: BulkOperationView; created: boolean }> {
  const options = req.options ?? {};
  const needed = BULK_ACTION_PERMISSIONS[req.action];
  if (!options.dry_run && !by.holds(needed))
    throw new AppError(403, 'Forbidden', `The bulk action ${req.action} also requires the permission ${needed}`);
  if (req.idempotency_key) {
    const existing = await findBulkOperationByKey(deps.db, req.idempotency_key);
    if (existing) return { operation: bulkOperationView(existing), created: false };
  }
  checkFilter(req.action, req.filter);
  const rate = checkRate(options.rate_per_second);
  if (req.filter.query) await checkVisibilityQuery(deps.temporal, req.filter.query);
  const filter = await resolveTrigger(deps.db, req.filter);
  const id = randomUUID();
  const row = await insertBulkOperation(deps.db, {
    id,
    action: req.action,
    filter: filter as Record<string, unknown>,
    options: { ...options, ...(by.userId && { requested_by_id: by.userId }) },
    rate_per_second: rate,
    requested_by: by.username,
    idempotency_key: req.idempotency_key ?? null,
    temporal_workflow_id: bulkOperationWorkflowId(id),
  });
  if (!row) {
    // The same key won a race with this request: answer that operation.
    const existing = await findBulkOperationByKey(deps.db, req.idempotency_key as string);
    if (existing) return { operation: bulkOperationView(existing), created: false };
    throw AppError.conflict('The operation could not be recorded');
  }
  try {
    await deps.temporal.workflow.start(BULK_OPERATION_WORKFLOW_TYPE, {
      taskQueue: deps.config.taskQueue,
      workflowId: bulkOperationWorkflowId(id),
      workflowIdReusePolicy: WorkflowIdReusePolicy.REJECT_DUPLICATE,
      args: [{ operationId: id }],
      staticSummary: `bulk ${req.action}${options.dry_run ? ' (dry run)' : ''}`,
    });
  } catch (err) {
    await deleteBulkOperation(deps.db, id);
    throw err;
  }
  return { operation: bulkOperationView(row), created: true };
}

async function rowOf(deps: Pick<BulkDeps, 'db'>, id: string): Promise<BulkOperationRow> {
  const row = await getBulkOperation(deps.db, id);
  if (!row) throw AppError.notFound(`Bulk operation ${id} not found`);
  return row;
}

/** One operation with its progress and first failures; 404 when missing. */
export async function getBulkOperationView(deps: Pick<BulkDeps, 'db'>, id: string): Promise<BulkOperationView> {
  const row = await rowOf(deps, id);
  const failed =
    row.failed > 0 ? await listBulkItems(deps.db, id, { status: 'failed' }, { limit: FAILURES_SHOWN }) : undefined;
  return {
    ...bulkOperationView(row),
    failures: (failed?.items ?? []).map((i) => ({ target_id: i.target_id, error: i.error })),
  };
}

/** Operations newest first. */
export async function listBulkOperationViews(
  deps: Pick<BulkDeps, 'db'>,
  f: { status?: BulkOperationStatus; action?: BulkAction; createdAfter?: string; createdBefore?: string },
  page: PageRequest,
): Promise<Page<BulkOperationView>> {
  const rows = await listBulkOperations(deps.db, f, page);
  return { items: rows.items.map(bulkOperationView), nextCursor: rows.nextCursor };
}

/** An operation's items in match order, optionally of one status; 404 when the operation is missing. */
export async function listBulkOperationItems(
  deps: Pick<BulkDeps, 'db'>,
  id: string,
  f: { status?: BulkItemStatus },
  page: { limit: number; cursor?: string },
): Promise<{ items: BulkItemRow[]; nextCursor: string | null }> {
  await rowOf(deps, id);
  return listBulkItems(deps.db, id, f, page);
}

/**
 * Cancels an operation: its workflow stops after the current batch and marks it `cancelled`; items not acted on stay
 * `pending`. An operation without a workflow (it never started, or is gone) is marked at once. 409 once it ended.
 */
export async function cancelBulkOperation(deps: BulkDeps, id: string): Promise<BulkOperationView> {
  const row = await rowOf(deps, id);
  if (!['pending', 'running'].includes(row.status))
    throw AppError.conflict(`Bulk operation ${id} has ended (${row.status})`);
  try {
    await deps.temporal.workflow.getHandle(row.temporal_workflow_id ?? bulkOperationWorkflowId(id)).cancel();
  } catch (err) {
    if (!(err instanceof WorkflowNotFoundError)) throw err;
    await endBulkOperation(deps.db, id, 'cancelled', { type: 'Cancelled', message: 'its workflow was not found' });
  }
  return bulkOperationView(await rowOf(deps, id));
}
