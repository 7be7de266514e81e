/**
 * Checks a workflow definition against its JSON Schema one step at a time. Validating the recursive schema in
 * one Ajv call costs (failing steps x errors so far): with `allErrors`, every return from the recursive step
 * reference copies the error list, so 10,000 bad steps took seconds. Here the schema is used with its step
 * references cut (`true`), every step list is walked by this module, and each step is validated on its own:
 * the work is linear in the document and stops once `limit` errors are found. The errors are the same as the
 * whole schema's (same paths, same messages).
 */
import type { ErrorObject } from 'ajv/dist/2020';
import { ajv } from '../ajv';
import { workflowDefinitionSchema } from './schema';
import type { ValidationError } from './validation-error';
import { childStepLists } from './walk';

const STEP_REF = '#/$defs/step';
const SHALLOW_ID = 'https://augmented-os.dev/schemas/workflow-definition-one-level.json';

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => v !== null && typeof v === 'object' && !Array.isArray(v);

/** `schema` with every reference to a step replaced by `true`: it checks one level of steps, never nested ones. */
function cutStepRefs(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(cutStepRefs);
  if (!isObj(schema)) return schema;
  if (schema.$ref === STEP_REF && Object.keys(schema).length === 1) return true;
  return Object.fromEntries(Object.entries(schema).map(([k, v]) => [k, cutStepRefs(v)]));
}

const oneLevel = { ...(cutStepRefs(workflowDefinitionSchema) as Obj), $id: SHALLOW_ID };
const validateDocument = ajv.getSchema(SHALLOW_ID) ?? ajv.compile(oneLevel);
const validateStep = ajv.getSchema(`${SHALLOW_ID}${STEP_REF}`)!;

/** Adds Ajv errors (paths under `prefix`) to `out` as validation errors, without the wrappers' repeats. */
export function addSchemaErrors(
  errors: ErrorObject[] | null | undefined,
  prefix: string,
  out: ValidationError[],
  seen: Set<string>,
): void {
  for (const e of errors ?? []) {
    // if/then wrappers repeat the inner error; the inner one is the useful one.
    if (e.keyword === 'if' || (e.keyword === 'oneOf' && e.schemaPath.endsWith('/duration/oneOf'))) continue;
    const params = e.params as { missingProperty?: string; additionalProperty?: string };
    const suffix = params.missingProperty ?? params.additionalProperty;
    const pointer = `${prefix}${e.instancePath}${suffix ? `/${suffix}` : ''}`;
    const message =
      suffix && e.keyword === 'additionalProperties' ? `unknown property "${suffix}"` : (e.message ?? 'is invalid');
    const key = `${pointer}|${message}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push({ pointer, message, code: `schema.${e.keyword}` });
  }
}

/** The step lists nested in `step` (a foreach's `steps`, a parallel's branches' `steps`), with their pointers. */
function nestedLists(step: unknown, ptr: string): Array<[unknown[], string]> {
  const lists: Array<[unknown[], string]> = [];
  for (const n of childStepLists(step, ptr)) if (Array.isArray(n.steps)) lists.push([n.steps, n.pointer]);
  return lists;
}

/** Schema errors of a workflow definition document, in document order by level; stops after `limit` of them. */
export function workflowSchemaErrors(doc: unknown, limit: number): ValidationError[] {
  const out: ValidationError[] = [];
  const seen = new Set<string>();
  if (!validateDocument(doc)) addSchemaErrors(validateDocument.errors, '', out, seen);
  const lists: Array<[unknown[], string]> = isObj(doc) && Array.isArray(doc.steps) ? [[doc.steps, '/steps']] : [];
  return checkStepLists(lists, limit, out, seen);
}

/** Schema errors of one step and the steps nested in it (pointers relative to the step); at most `limit`. */
export function stepSchemaErrors(step: unknown, limit: number): ValidationError[] {
  const out: ValidationError[] = [];
  const seen = new Set<string>();
  if (!validateStep(step)) addSchemaErrors(validateStep.errors, '', out, seen);
  return checkStepLists(nestedLists(step, ''), limit, out, seen);
}

/** Validates every step of `lists` and of the lists nested in them, breadth first, until `limit` errors. */
function checkStepLists(
  lists: Array<[unknown[], string]>,
  limit: number,
  out: ValidationError[],
  seen: Set<string>,
): ValidationError[] {
  for (let l = 0; l < lists.length && out.length < limit; l++) {
    const [list, ptr] = lists[l]!;
    for (let i = 0; i < list.length && out.length < limit; i++) {
      if (!validateStep(list[i])) addSchemaErrors(validateStep.errors, `${ptr}/${i}`, out, seen);
      lists.push(...nestedLists(list[i], `${ptr}/${i}`));
    }
  }
  return out.slice(0, limit);
}
