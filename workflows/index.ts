/** Workflow bundle entry: the interpreter, the event dispatcher and the test run workflow. */
export { interpreterWorkflow } from './interpreter';
export { eventDispatcherWorkflow } from './event-dispatcher';
export { testRunWorkflow } from './test-run';
