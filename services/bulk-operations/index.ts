/** Bulk operations (#15 item 3): one action on every run or dead letter a filter matches, tracked and rate-bounded. */
export {
  cancelBulkOperation,
  createBulkOperation,
  getBulkOperationView,
  listBulkOperationItems,
  listBulkOperationViews,
  type BulkOperationView,
  type BulkOptions,
  type BulkRequest,
  type BulkRequester,
} from './operations';
export { beginBulkOperation, finishBulkOperation, processBulkBatch } from './process';
export { BULK_ACTION_FNS, BULK_ACTION_PERMISSIONS, type BulkActionFn, type BulkDeps } from './actions';
export { RUN_FILTER_STATUSES, DEAD_LETTER_FILTER_STATUSES, type BulkFilter } from './filter';
