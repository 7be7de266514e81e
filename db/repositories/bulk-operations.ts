/**
 * workflow_orchestrator_service.bulk_operations and bulk_operation_items (#15): an operation, the targets its filter
 * matched (one item row each, so each acts once), and the queries that find those targets.
 */
import type { BulkAction, BulkItemStatus, BulkOperationStatus } from '../../common/contracts/bulk-operations';
import { AppError } from '../../common/errors';
import { DEAD_LETTER_QUEUE, type DeadLetterStatus } from './dead-letter-queue';
import { paginate, type Page, type PageRequest } from './keyset';
import type { Db } from './sql';
import { toDb, transition } from './sql';
import { WORKFLOW_INSTANCES, type WorkflowInstanceStatus } from './workflow-instances';

export const BULK_OPERATIONS = 'workflow_orchestrator_service.bulk_operations';
export const BULK_OPERATION_ITEMS = 'workflow_orchestrator_service.bulk_operation_items';

/** A row of bulk_operations. */
export interface BulkOperationRow {
  id: string;
  action: BulkAction;
  filter: Record<string, unknown>;
  options: Record<string, unknown>;
  status: BulkOperationStatus;
  matched: number | null;
  succeeded: number;
  failed: number;
  skipped: number;
  rate_per_second: number;
  requested_by: string | null;
  idempotency_key: string | null;
  temporal_workflow_id: string | null;
  error: unknown;
  started_at: Date | null;
  completed_at: Date | null;
  created_at: Date;
  updated_at: Date;
}

/** Values of a new operation. */
export type BulkOperationInsert = Pick<BulkOperationRow, 'action' | 'filter' | 'options' | 'rate_per_second'> &
  Partial<Pick<BulkOperationRow, 'id' | 'requested_by' | 'idempotency_key' | 'temporal_workflow_id'>>;

/** A row of bulk_operation_items. */
export interface BulkItemRow {
  bulk_operation_id: string;
  target_id: string;
  position: number;
  status: BulkItemStatus;
  result: unknown;
  error: unknown;
  processed_at: Date | null;
}

/** Inserts an operation; undefined when its idempotency key is taken (the caller answers the existing one). */
export async function insertBulkOperation(db: Db, values: BulkOperationInsert): Promise<BulkOperationRow | undefined> {
  const [row] = await db(BULK_OPERATIONS).insert(toDb(values)).onConflict('idempotency_key').ignore().returning('*');
  return row as BulkOperationRow | undefined;
}

/** An operation by id. */
export async function getBulkOperation(db: Db, id: string): Promise<BulkOperationRow | undefined> {
  return (await db(BULK_OPERATIONS).where({ id }).first()) as BulkOperationRow | undefined;
}

/** The operation a request with this idempotency key created. */
export async function findBulkOperationByKey(db: Db, key: string): Promise<BulkOperationRow | undefined> {
  return (await db(BULK_OPERATIONS).where({ idempotency_key: key }).first()) as BulkOperationRow | undefined;
}

/** Deletes an operation (and its items): its workflow could not start. */
export async function deleteBulkOperation(db: Db, id: string): Promise<void> {
  await db(BULK_OPERATIONS).where({ id }).delete();
}

/** Operations newest first. */
export function listBulkOperations(
  db: Db,
  f: { status?: BulkOperationStatus; action?: BulkAction; createdAfter?: string; createdBefore?: string } = {},
  page: PageRequest = {},
): Promise<Page<BulkOperationRow>> {
  const q = db(`${BULK_OPERATIONS} as b`);
  if (f.status) q.where('b.status', f.status);
  if (f.action) q.where('b.action', f.action);
  if (f.createdAfter) q.where('b.created_at', '>=', f.createdAfter);
  if (f.createdBefore) q.where('b.created_at', '<', f.createdBefore);
  return paginate<BulkOperationRow>(q, 'b', page);
}

/** pending -> running (a retried begin finds it running: answered as is). */
export async function markBulkOperationRunning(db: Db, id: string): Promise<BulkOperationRow | undefined> {
  const moved = await transition<BulkOperationRow>(db, BULK_OPERATIONS, id, 'running', ['pending'], {
    started_at: new Date(),
  });
  return moved ?? getBulkOperation(db, id);
}

/** Records how many targets matched. */
export async function setBulkOperationMatched(db: Db, id: string, matched: number): Promise<void> {
  await db(BULK_OPERATIONS).where({ id }).update({ matched });
}

/** pending/running -> an end status; undefined when it had ended already. */
export function endBulkOperation(
  db: Db,
  id: string,
  status: Exclude<BulkOperationStatus, 'pending' | 'running'>,
  error?: unknown,
): Promise<BulkOperationRow | undefined> {
  return transition<BulkOperationRow>(db, BULK_OPERATIONS, id, status, ['pending', 'running'], {
    completed_at: new Date(),
    ...(error !== undefined && { error }),
  });
}

/** Adds items (one per target); a target already listed is left as it is, so a retried page adds nothing twice. */
export async function insertBulkItems(
  db: Db,
  operationId: string,
  targets: Array<{ id: string; position: number }>,
): Promise<void> {
  if (targets.length === 0) return;
  await db(BULK_OPERATION_ITEMS)
    .insert(targets.map((t) => ({ bulk_operation_id: operationId, target_id: t.id, position: t.position })))
    .onConflict(['bulk_operation_id', 'target_id'])
    .ignore();
}

/** Number of items of an operation. */
export async function countBulkItems(db: Db, operationId: string): Promise<number> {
  const [{ n }] = (await db(BULK_OPERATION_ITEMS)
    .where({ bulk_operation_id: operationId })
    .count<{ n: string }[]>('* as n')) as Array<{ n: string }>;
  return Number(n);
}

/** The next pending items in match order. */
export async function nextPendingItems(db: Db, operationId: string, limit: number): Promise<BulkItemRow[]> {
  return (await db(BULK_OPERATION_ITEMS)
    .where({ bulk_operation_id: operationId, status: 'pending' })
    .orderBy('position')
    .limit(limit)) as BulkItemRow[];
}

/**
 * pending -> `status` for one item and the operation's counter with it, in one transaction; false when the item had
 * been settled already (a retried batch), which then counts nothing.
 */
export async function settleBulkItem(
  db: Db,
  operationId: string,
  targetId: string,
  status: Exclude<BulkItemStatus, 'pending'>,
  outcome: { result?: unknown; error?: unknown },
): Promise<boolean> {
  return db.transaction(async (trx) => {
    const settled = await trx(BULK_OPERATION_ITEMS)
      .where({ bulk_operation_id: operationId, target_id: targetId, status: 'pending' })
      .update({ ...toDb({ result: outcome.result, error: outcome.error }), status, processed_at: new Date() });
    if (settled === 0) return false;
    await trx(BULK_OPERATIONS).where({ id: operationId }).increment(status, 1);
    return true;
  });
}

/** A page of items in match order (keyset on position). */
export async function listBulkItems(
  db: Db,
  operationId: string,
  f: { status?: BulkItemStatus } = {},
  page: { limit: number; cursor?: string },
): Promise<{ items: BulkItemRow[]; nextCursor: string | null }> {
  const q = db(BULK_OPERATION_ITEMS).where({ bulk_operation_id: operationId });
  if (f.status) q.where('status', f.status);
  if (page.cursor) q.where('position', '>', decodePositionCursor(page.cursor));
  const rows = (await q.orderBy('position').limit(page.limit + 1)) as BulkItemRow[];
  const items = rows.slice(0, page.limit);
  const last = items.at(-1);
  return { items, nextCursor: rows.length > page.limit && last ? encodePositionCursor(last.position) : null };
}

const encodePositionCursor = (position: number) => Buffer.from(`p:${position}`).toString('base64url');

function decodePositionCursor(cursor: string): number {
  const m = /^p:(\d{1,10})$/.exec(Buffer.from(cursor, 'base64url').toString('utf8'));
  if (!m)
    throw AppError.badRequest('invalid cursor', [
      { pointer: '/query/cursor', message: 'is not a cursor of this list' },
    ]);
  return Number(m[1]);
}

// ---- Target queries ----

/** Runs a bulk operation may match (all criteria AND together). */
export interface RunTargetFilter {
  definition?: string;
  version?: string;
  status?: WorkflowInstanceStatus[];
  correlationKey?: string;
  businessKey?: string;
  createdAfter?: string;
  createdBefore?: string;
  startedAfter?: string;
  startedBefore?: string;
  /** Only rows that existed when the operation was created. */
  createdUpTo: Date;
  /** Only these Temporal workflow ids (a visibility query's answer). */
  temporalWorkflowIds?: string[];
}

/** Dead letters a bulk operation may match. */
export interface DeadLetterTargetFilter {
  event?: string;
  eventId?: string;
  /** A regular expression the letter's event name, prefixed with a dot, must match (a trigger's pattern). */
  eventPatternRegex?: string;
  consumer?: string;
  errorType?: string;
  status?: DeadLetterStatus[];
  createdAfter?: string;
  createdBefore?: string;
  createdUpTo: Date;
}

/** Keyset position in a target scan, oldest first. */
export interface TargetCursor {
  createdAt: string;
  id: string;
}

/** One page of targets, oldest first. */
export interface TargetPage {
  ids: string[];
  next: TargetCursor | null;
}

async function scan(q: ReturnType<Db>, alias: string, after: TargetCursor | null, limit: number): Promise<TargetPage> {
  if (after) q.whereRaw(`(${alias}.created_at, ${alias}.id) > (?::timestamptz, ?::uuid)`, [after.createdAt, after.id]);
  const rows = (await q
    .select(`${alias}.id`, q.client.raw(`${alias}.created_at::text AS created_text`))
    .orderBy([`${alias}.created_at`, `${alias}.id`])
    .limit(limit)) as Array<{ id: string; created_text: string }>;
  const last = rows.at(-1);
  return {
    ids: rows.map((r) => r.id),
    next: rows.length === limit && last ? { createdAt: last.created_text, id: last.id } : null,
  };
}

/** A page of the runs `f` matches. */
export function selectRunTargets(db: Db, f: RunTargetFilter, after: TargetCursor | null, limit: number) {
  const q = db(`${WORKFLOW_INSTANCES} as wi`).where('wi.created_at', '<=', f.createdUpTo);
  if (f.definition) q.where('wi.definition_workflow_id', f.definition);
  if (f.version) q.where('wi.definition_version', f.version);
  if (f.status) q.whereIn('wi.status', f.status);
  if (f.correlationKey) q.where('wi.correlation_key', f.correlationKey);
  if (f.businessKey) q.where('wi.business_key', f.businessKey);
  if (f.createdAfter) q.where('wi.created_at', '>=', f.createdAfter);
  if (f.createdBefore) q.where('wi.created_at', '<', f.createdBefore);
  if (f.startedAfter) q.where('wi.started_at', '>=', f.startedAfter);
  if (f.startedBefore) q.where('wi.started_at', '<', f.startedBefore);
  if (f.temporalWorkflowIds) q.whereIn('wi.temporal_workflow_id', f.temporalWorkflowIds);
  return scan(q, 'wi', after, limit);
}

/** A page of the dead letters `f` matches. */
export function selectDeadLetterTargets(db: Db, f: DeadLetterTargetFilter, after: TargetCursor | null, limit: number) {
  const q = db(`${DEAD_LETTER_QUEUE} as d`).where('d.created_at', '<=', f.createdUpTo);
  if (f.event) q.whereRaw(`d.context->'event'->>'pattern' = ?`, [f.event]);
  if (f.eventId) q.where('d.event_id', f.eventId);
  if (f.eventPatternRegex) q.whereRaw(`('.' || (d.context->'event'->>'pattern')) ~ ?`, [f.eventPatternRegex]);
  if (f.consumer) q.where('d.consumer', f.consumer);
  if (f.errorType) q.whereRaw(`d.error->>'type' = ?`, [f.errorType]);
  if (f.status) q.whereIn('d.status', f.status);
  if (f.createdAfter) q.where('d.created_at', '>=', f.createdAfter);
  if (f.createdBefore) q.where('d.created_at', '<', f.createdBefore);
  return scan(q, 'd', after, limit);
}
