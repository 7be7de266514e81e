/** Workflow bundle entry: the interpreter is the only workflow type. */
export { interpreterWorkflow } from './interpreter';
