/** Workflow bundle entry: the interpreter, the event dispatcher and the single-task test. */
export { interpreterWorkflow } from './interpreter';
export { eventDispatcherWorkflow } from './event-dispatcher';
export { taskTestWorkflow } from './task-test';
