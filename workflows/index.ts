/**
 * Workflow bundle entry: the interpreter, the event dispatcher, the test run workflow, the single-task test and
 * the action of schedules.
 */
export { interpreterWorkflow } from './interpreter';
export { eventDispatcherWorkflow } from './event-dispatcher';
export { testRunWorkflow } from './test-run';
export { taskTestWorkflow } from './task-test';
export { bulkOperationWorkflow } from './bulk-operation';
export { scheduledRunWorkflow } from './scheduled-run';
