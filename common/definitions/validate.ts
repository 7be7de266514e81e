/**
 * Definition validation: JSON Schema first, then semantic checks. Returns every error with its JSON
 * pointer so the API can answer 422 with the full list. Not imported by workflow code (Ajv compiles
 * schemas with `new Function`, which the workflow sandbox does not need).
 */
import { ajv } from '../ajv';
import { expressionErrors } from './expression-check';
import { taskDefinitionSchema, workflowDefinitionSchema } from './schema';
import { checkSemantics } from './semantics';
import { jsonSchemaErrors } from './json-schema-check';
import type { ValidationError } from './validation-error';

export type { ValidationError } from './validation-error';

/** Options of {@link validateDefinition}. */
export interface ValidateOptions {
  /** Task ids that exist (a set or a predicate); when omitted, task references are not checked. */
  knownTasks?: Set<string> | ((taskId: string) => boolean);
}

const compiledWorkflow = ajv.getSchema(workflowDefinitionSchema.$id as string) ?? ajv.compile(workflowDefinitionSchema);
const compiledTask = ajv.getSchema(taskDefinitionSchema.$id as string) ?? ajv.compile(taskDefinitionSchema);

function schemaErrors(validate: typeof compiledWorkflow, doc: unknown): ValidationError[] {
  if (validate(doc)) return [];
  const out: ValidationError[] = [];
  const seen = new Set<string>();
  for (const e of validate.errors ?? []) {
    // if/then wrappers repeat the inner error; the inner one is the useful one.
    if (e.keyword === 'if' || (e.keyword === 'oneOf' && e.schemaPath.endsWith('/duration/oneOf'))) continue;
    const params = e.params as { missingProperty?: string; additionalProperty?: string };
    const suffix = params.missingProperty ?? params.additionalProperty;
    const pointer = `${e.instancePath}${suffix ? `/${suffix}` : ''}`;
    const message = suffix && e.keyword === 'additionalProperties' ? `unknown property "${suffix}"` : (e.message ?? 'is invalid');
    const key = `${pointer}|${message}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push({ pointer, message, code: `schema.${e.keyword}` });
  }
  return out;
}

/** Validates a workflow definition document; an empty list means it can run. */
export function validateDefinition(doc: unknown, opts: ValidateOptions = {}): ValidationError[] {
  const errors = schemaErrors(compiledWorkflow, doc);
  const known = opts.knownTasks;
  const isKnown = known === undefined ? undefined : typeof known === 'function' ? known : (id: string) => known.has(id);
  // Semantic checks run even when the schema failed, so one round trip reports everything they can see.
  if (doc !== null && typeof doc === 'object') errors.push(...checkSemantics(doc as Record<string, unknown>, isKnown));
  return errors;
}

/** Validates a task definition document (schema, its own JSON Schemas, durations, transform expression). */
export function validateTaskDefinition(doc: unknown): ValidationError[] {
  const errors = schemaErrors(compiledTask, doc);
  if (doc === null || typeof doc !== 'object') return errors;
  const d = doc as Record<string, unknown>;
  for (const key of ['input_schema', 'output_schema']) errors.push(...jsonSchemaErrors(d[key], `/${key}`));
  const config = d.config as Record<string, unknown> | undefined;
  if (d.type === 'transform' && typeof config?.expression === 'string') {
    errors.push(...expressionErrors(config.expression, '/config/expression', true));
  }
  return errors;
}
