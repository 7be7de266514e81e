/**
 * The definition language's enumerations, declared once: the step types and the task types. The JSON Schema
 * (`schema.ts`), the derived types (`types.ts`), the interpreter's step registry and the worker's task registry
 * all take them from here. Sandbox-safe and dependency-free: workflow code imports it at run time.
 */

/** Every step type, in documentation order. */
export const STEP_TYPES = [
  'task',
  'switch',
  'parallel',
  'foreach',
  'wait_for_event',
  'delay',
  'set',
  'sub_workflow',
  'emit_event',
  'human_task',
  'succeed',
  'fail',
] as const;

/** A step type name. */
export type StepType = (typeof STEP_TYPES)[number];

/** Every task type the worker's registry knows (a task definition's `type`). */
export const TASK_TYPES = ['http', 'transform', 'code', 'noop', 'echo', 'integration'] as const;

/** A task type name. */
export type TaskType = (typeof TASK_TYPES)[number];
