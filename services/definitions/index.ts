/** Definitions application service: lifecycle of workflow and task definitions, and run resolution. */
export * from './workflow-definitions';
export * from './task-definitions';
export { resolveDefinition, resolveTasks, resolveWorkflowRow } from './resolve';
export { collectTaskRefs, parseTaskRef, type TaskRef } from './task-refs';
export { compareVersions } from './semver';
