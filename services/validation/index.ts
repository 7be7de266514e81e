/**
 * The API's entry to validation of user documents (definitions, triggers, event definitions, user JSON
 * Schemas): each check runs in the process's validation threads (pool.ts), so no request body, however hostile,
 * holds the event loop. A document whose check overruns {@link VALIDATION_TIMEOUT_MS} (or its thread's heap) is
 * answered as invalid, with the pointer given, instead of being waited for.
 */
import type { FieldError } from '../../common/errors';
import type { TestTarget } from '../../common/definitions/test-definition-validate';
import type { ValidationError } from '../../common/definitions/validation-error';
import { ValidationPool, ValidationThreadError } from './pool';
import type { ValidationJob } from './protocol';

/**
 * Threads validating at once. One: a busy thread takes a whole core, and the event loop must keep one for itself
 * (two hostile bodies on a 2-core host would otherwise starve it); definition writes are rare, the rest queue.
 */
export const VALIDATION_THREADS = 1;
/** Longest one validation may run before its thread is stopped and the document refused. */
export const VALIDATION_TIMEOUT_MS = 30_000;

const pool = new ValidationPool({ threads: VALIDATION_THREADS, timeoutMs: VALIDATION_TIMEOUT_MS, heapMb: 256 });

/** Starts a validation thread now (the API does at start-up), so the first validation does not wait for one. */
export function warmValidationThreads(): Promise<void> {
  return pool.warm();
}

async function run(job: ValidationJob, pointer: string): Promise<(ValidationError | FieldError)[]> {
  try {
    const reply = await pool.run(job);
    if (!reply.ok) throw new Error(`validation failed unexpectedly: ${reply.message}`);
    return reply.errors;
  } catch (err) {
    if (!(err instanceof ValidationThreadError)) throw err;
    return [{ pointer, code: 'validation_too_costly', message: err.message }];
  }
}

/**
 * {@link validateDefinition} of a workflow definition, `knownTasks` being the task references that exist and
 * `manualTasks` those that name manual tasks (refused in `task` steps).
 */
export async function validateWorkflowDefinitionOffThread(
  doc: unknown,
  knownTasks: Iterable<string>,
  manualTasks: Iterable<string> = [],
): Promise<ValidationError[]> {
  const job = { kind: 'workflow-definition' as const, doc, knownTasks: [...knownTasks], manualTasks: [...manualTasks] };
  return (await run(job, '')) as ValidationError[];
}

/** {@link validateTaskDefinition} in a validation thread. */
export async function validateTaskDefinitionOffThread(doc: unknown): Promise<ValidationError[]> {
  return (await run({ kind: 'task-definition', doc }, '')) as ValidationError[];
}

/** {@link validateTestDefinition} in a validation thread (`target`: the resolved target, structured-cloned). */
export async function validateTestDefinitionOffThread(doc: unknown, target?: TestTarget): Promise<ValidationError[]> {
  return (await run({ kind: 'test-definition', doc, target }, '')) as ValidationError[];
}

/** Every problem of a trigger body (services/events/triggers.ts `triggerErrors`), pointers under /body. */
export async function triggerErrorsOffThread(body: object): Promise<FieldError[]> {
  return run({ kind: 'trigger', body: body as Record<string, unknown> }, '/body');
}

/** Every problem of an event definition body (services/event-definitions.ts `definitionErrors`). */
export async function eventDefinitionErrorsOffThread(body: object): Promise<FieldError[]> {
  return run({ kind: 'event-definition', body: body as Record<string, unknown> }, '/body');
}

/** Every problem of a UI component document (services/forms/checks.ts), pointers relative to it. */
export async function uiComponentErrorsOffThread(doc: unknown): Promise<ValidationError[]> {
  return (await run({ kind: 'ui-component', doc }, '')) as ValidationError[];
}

/** Errors (under `pointer`) when `schema` is not a usable JSON Schema (common/json-schema/user-schemas.ts). */
export async function jsonSchemaErrorsOffThread(schema: unknown, pointer: string): Promise<FieldError[]> {
  return run({ kind: 'json-schema', schema, pointer }, pointer);
}

/** Errors (under `pointer`) of `value` against a stored `schema`. */
export async function valueErrorsOffThread(schema: object, value: unknown, pointer: string): Promise<FieldError[]> {
  return run({ kind: 'value', schema, value, pointer }, pointer);
}
