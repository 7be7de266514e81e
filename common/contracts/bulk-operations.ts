/**
 * Contract of bulk operations (#15 item 3, docs/bulk-operations.md): one action applied to every run or dead letter
 * a filter matches, as a tracked job that `bulkOperationWorkflow` runs durably at a bounded rate. Types and constants
 * only: sandbox-safe.
 */

/** The actions a bulk operation may take (the CHECK list of bulk_operations.action, migration 018). */
export const BULK_ACTIONS = [
  'cancel',
  'terminate',
  'redrive',
  'pause',
  'resume',
  'discard_dead_letters',
  'redrive_dead_letters',
] as const;

/** One bulk action. */
export type BulkAction = (typeof BULK_ACTIONS)[number];

/** What a bulk action acts on: runs (workflow_instances) or dead letters (dead_letter_queue). */
export type BulkTargetKind = 'runs' | 'dead_letters';

/** The actions on dead letters; every other action acts on runs. */
export const DEAD_LETTER_ACTIONS: readonly BulkAction[] = ['discard_dead_letters', 'redrive_dead_letters'];

/** The kind of target `action` acts on. */
export function targetKindOf(action: BulkAction): BulkTargetKind {
  return DEAD_LETTER_ACTIONS.includes(action) ? 'dead_letters' : 'runs';
}

/** Lifecycle of an operation (bulk_operations.status). */
export type BulkOperationStatus = 'pending' | 'running' | 'completed' | 'cancelled' | 'failed';

/** Lifecycle of one item (bulk_operation_items.status). */
export type BulkItemStatus = 'pending' | 'succeeded' | 'failed' | 'skipped';

/** Bounds and default of `options.rate_per_second` (items acted on per second). */
export const BULK_RATE = { default: 10, min: 0.1, max: 100 } as const;

/** Prefix of the workflow ids of bulk operations. */
export const BULK_OPERATION_WORKFLOW_PREFIX = 'aos-bulk.';

/** Workflow id of an operation's workflow. */
export function bulkOperationWorkflowId(operationId: string): string {
  return `${BULK_OPERATION_WORKFLOW_PREFIX}${operationId}`;
}

/** Workflow type name of the bulk operation workflow. */
export const BULK_OPERATION_WORKFLOW_TYPE = 'bulkOperationWorkflow';

/** How the workflow paces the operation, fixed when it begins (carried across continue-as-new). */
export interface BulkOperationPlan {
  /** Items acted on per batch (one batch per activity). */
  batchSize: number;
  ratePerSecond: number;
  dryRun: boolean;
  matched: number;
}

/** Input of `bulkOperationWorkflow`; `plan` is set once the targets are materialised (after continue-as-new). */
export interface BulkOperationWorkflowInput {
  operationId: string;
  plan?: BulkOperationPlan;
}

/** What one batch did. */
export interface BulkBatchResult {
  /** Items this batch moved out of `pending`. */
  processed: number;
  /** No pending item is left, or the operation is no longer running (cancelled meanwhile). */
  done: boolean;
}

/** How an operation ended (also the workflow's result). */
export interface BulkOperationOutcome {
  status: BulkOperationStatus;
  matched: number | null;
  succeeded: number;
  failed: number;
  skipped: number;
}

/** The activities of a bulk operation (activities/bulk-operations/), on the main task queue. */
export interface BulkOperationActivities {
  /** Marks the operation running and writes one pending item per matched target (idempotent); answers the plan. */
  beginBulkOperation(req: { operationId: string }): Promise<BulkOperationPlan>;
  /** Acts on the next `limit` pending items, each once (its row's status guards it). */
  processBulkBatch(req: { operationId: string; limit: number }): Promise<BulkBatchResult>;
  /** Records how the operation ended (the counters are kept current by each item). */
  finishBulkOperation(req: {
    operationId: string;
    status: Exclude<BulkOperationStatus, 'pending' | 'running'>;
    error?: { type: string; message: string };
  }): Promise<BulkOperationOutcome>;
}
