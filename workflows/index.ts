/** Workflow bundle entry: the interpreter and the event delivery workflow. */
export { interpreterWorkflow } from './interpreter';
export { deliverEventWorkflow } from './event-delivery';
