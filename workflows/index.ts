/** Workflow bundle entry: the interpreter and the event dispatcher. */
export { interpreterWorkflow } from './interpreter';
export { eventDispatcherWorkflow } from './event-dispatcher';
