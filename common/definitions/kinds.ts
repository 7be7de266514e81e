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

/**
 * A task a person does (#12): its definition names a form (a UI component) and is used only by `human_task` steps.
 * Never an activity, so not one of {@link TASK_TYPES}: a `task` step naming a manual task is refused at validation.
 */
export const MANUAL_TASK_TYPE = 'manual';

/** Every type a task definition may have: the worker's, and `manual`. */
export const TASK_DEFINITION_TYPES = [...TASK_TYPES, MANUAL_TASK_TYPE] as const;

/** A task definition's type. */
export type TaskDefinitionType = (typeof TASK_DEFINITION_TYPES)[number];
