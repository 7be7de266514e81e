/** Definitions application service: lifecycle of workflow, task and event definitions, and run resolution. */
export * from './workflow-definitions';
export * from './task-definitions';
export * from './event-definitions';
export * from './ui-components';
export { versioned, type Versioned, type VersionedKind, type Precondition } from './versioned';
export { resolveDefinition, resolveTasks, resolveWorkflowRow } from './resolve';
export { collectTaskRefs, parseTaskRef, type TaskRef } from './task-refs';
export { compareVersions } from './semver';
