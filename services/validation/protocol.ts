/** Messages between the validation pool and its threads (pool.ts, thread.ts). */
import type { FieldError } from '../../common/errors';
import type { TestTarget } from '../../common/definitions/test-definition-validate';
import type { ValidationError } from '../../common/definitions/validation-error';

/** One validation to run in a thread: which checker, and its arguments (structured-cloned). */
export type ValidationJob =
  | { kind: 'workflow-definition'; doc: unknown; knownTasks: string[]; manualTasks?: string[] }
  | { kind: 'task-definition'; doc: unknown }
  | { kind: 'test-definition'; doc: unknown; target?: TestTarget }
  | { kind: 'trigger'; body: Record<string, unknown> }
  | { kind: 'event-definition'; body: Record<string, unknown> }
  | { kind: 'ui-component'; doc: unknown }
  | { kind: 'json-schema'; schema: unknown; pointer: string }
  | { kind: 'value'; schema: object; value: unknown; pointer: string };

/** The thread's answer: the errors found (empty: valid), or the unexpected exception a checker threw. */
export type ValidationReply = { ok: true; errors: (ValidationError | FieldError)[] } | { ok: false; message: string };

/** What a thread posts once its modules are loaded, before any job. */
export const THREAD_READY = 'ready';
