/**
 * Definition validation: JSON Schema first, then semantic checks. Returns every error with its JSON
 * pointer so the API can answer 422 with the full list. Not imported by workflow code (Ajv compiles
 * schemas with `new Function`, which the workflow sandbox does not need).
 */
import { ajv } from '../ajv';
import { expressionErrors } from './expression-check';
import { MANUAL_TASK_TYPE } from './kinds';
import { taskDefinitionSchema } from './schema';
import { taskFlowControlErrors } from './task-limits-check';
import { checkSemantics } from './semantics';
import { jsonSchemaErrors } from './json-schema-check';
import type { ValidationError } from './validation-error';
import { addSchemaErrors, workflowSchemaErrors } from './step-wise-schema';
import { capErrors, expressionCountErrors, MAX_VALIDATION_ERRORS, stepCountErrors } from './validation-bounds';

export type { ValidationError } from './validation-error';

/** Options of {@link validateDefinition}. */
export interface ValidateOptions {
  /** Task ids that exist (a set or a predicate); when omitted, task references are not checked. */
  knownTasks?: Set<string> | ((taskId: string) => boolean);
  /** Task references that name manual tasks (refused in `task` steps); when omitted, not checked. */
  manualTasks?: (ref: string) => boolean;
}

const compiledTask = ajv.getSchema(taskDefinitionSchema.$id as string) ?? ajv.compile(taskDefinitionSchema);

function schemaErrors(validate: typeof compiledTask, doc: unknown): ValidationError[] {
  const out: ValidationError[] = [];
  if (!validate(doc)) addSchemaErrors(validate.errors, '', out, new Set());
  return out;
}

/** Validates a workflow definition document; an empty list means it can run (at most 100 errors are listed). */
export function validateDefinition(doc: unknown, opts: ValidateOptions = {}): ValidationError[] {
  // Too many steps or expressions: nothing else is checked, so the work stays bounded whatever the document
  // (validation-bounds.ts).
  const tooMany = stepCountErrors(doc);
  if (tooMany.length > 0) return tooMany;
  const tooManyExpressions = expressionCountErrors(doc);
  if (tooManyExpressions.length > 0) return tooManyExpressions;
  return capErrors(allDefinitionErrors(doc, opts));
}

function allDefinitionErrors(doc: unknown, opts: ValidateOptions): ValidationError[] {
  const errors = workflowSchemaErrors(doc, MAX_VALIDATION_ERRORS);
  const known = opts.knownTasks;
  const isKnown = known === undefined ? undefined : typeof known === 'function' ? known : (id: string) => known.has(id);
  // Semantic checks run even when the schema failed, so one round trip reports everything they can see.
  if (doc !== null && typeof doc === 'object')
    errors.push(...checkSemantics(doc as Record<string, unknown>, isKnown, opts.manualTasks));
  return errors;
}

/** Validates a task definition document (schema, its own JSON Schemas, durations, transform expression). */
export function validateTaskDefinition(doc: unknown): ValidationError[] {
  return capErrors(allTaskErrors(doc));
}

function allTaskErrors(doc: unknown): ValidationError[] {
  const errors = schemaErrors(compiledTask, doc);
  if (doc === null || typeof doc !== 'object') return errors;
  const d = doc as Record<string, unknown>;
  for (const key of ['input_schema', 'output_schema']) errors.push(...jsonSchemaErrors(d[key], `/${key}`));
  if (d.type === MANUAL_TASK_TYPE && d.ui_component === undefined) {
    errors.push({ pointer: '/ui_component', code: 'manual_task_form', message: 'a manual task names its form' });
  }
  if (d.type !== MANUAL_TASK_TYPE && d.ui_component !== undefined) {
    const message = 'only a manual task has a form (ui_component)';
    errors.push({ pointer: '/ui_component', code: 'form_on_automatic_task', message });
  }
  errors.push(...taskFlowControlErrors(d));
  const config = d.config as Record<string, unknown> | undefined;
  if (d.type === 'transform' && typeof config?.expression === 'string') {
    errors.push(...expressionErrors(config.expression, '/config/expression', true));
  }
  return errors;
}
