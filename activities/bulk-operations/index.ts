/**
 * The bulk operation activities (contract: common/contracts/bulk-operations.ts): thin adapters over
 * services/bulk-operations that heartbeat while they go.
 */
import { Context } from '@temporalio/activity';
import type { BulkOperationActivities } from '../../common/contracts/bulk-operations';
import {
  beginBulkOperation,
  finishBulkOperation,
  processBulkBatch,
  type BulkDeps,
} from '../../services/bulk-operations';

const heartbeat = () => Context.current().heartbeat();

/** The activities of `bulkOperationWorkflow`. */
export function createBulkOperationActivities(deps: BulkDeps): BulkOperationActivities {
  return {
    beginBulkOperation: ({ operationId }) => beginBulkOperation(deps, operationId, heartbeat),
    processBulkBatch: ({ operationId, limit }) => processBulkBatch(deps, operationId, limit, heartbeat),
    finishBulkOperation: ({ operationId, status, error }) => finishBulkOperation(deps, operationId, status, error),
  };
}
