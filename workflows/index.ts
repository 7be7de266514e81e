/** Workflow bundle entry: the interpreter, the event dispatcher, the test run workflow and the single-task test. */
export { interpreterWorkflow } from './interpreter';
export { eventDispatcherWorkflow } from './event-dispatcher';
export { testRunWorkflow } from './test-run';
export { taskTestWorkflow } from './task-test';
export { bulkOperationWorkflow } from './bulk-operation';
