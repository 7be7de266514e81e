/**
 * The one check of a form submission (#12), used by `POST /human-tasks/{id}/complete` before anything reaches the
 * run: the data against the form's JSON Schema, the action against the form's actions (one implicit `submit`
 * when it declares none), and the fields the action `requires` (filled: JSON Schema's `required` cannot say
 * "required by this button only"). Every problem is reported at once, as field errors under `<base>/data/<field>`
 * and `<base>/action`.
 *
 * The schema check runs on the calling thread with a validator compiled once per componentId@version (and schema
 * text), not in the validation threads (services/validation): those are one thread shared with definition writes,
 * each check there compiles the schema afresh (20-40 ms per KB), and a person submitting a form must not queue
 * behind a 30-second hostile definition check. The compile stays under the platform's limits: the size bound of
 * embedded schemas (common/json-schema-limits.ts, which the component already passed when saved), the
 * meta-schema, and the user-schema compiler's capped patterns (common/json-schema/user-schemas.ts), as on the
 * event ingest path.
 */
import { toFieldErrors } from '../../common/ajv';
import type { FormAction, FormSnapshot } from '../../common/contracts/human-tasks';
import { AppError, type FieldError } from '../../common/errors';
import { schemaSizeProblem } from '../../common/json-schema-limits';
import { cachedUserSchema } from '../../common/json-schema/user-schemas';
import { pointerSegment } from './checks';

/** The one action of a form that declares none. */
export const IMPLICIT_ACTION: FormAction = { id: 'submit', label: 'Submit' };

/** The actions a form offers (its own, or the implicit `submit`). */
export function formActions(form: Pick<FormSnapshot, 'actions'>): FormAction[] {
  return form.actions && form.actions.length > 0 ? form.actions : [IMPLICIT_ACTION];
}

/** Whether a required field counts as filled: present, not null, not a blank string, not an empty array. */
export function isFilled(value: unknown): boolean {
  if (value === undefined || value === null) return false;
  if (typeof value === 'string') return value.trim() !== '';
  if (Array.isArray(value)) return value.length > 0;
  return true;
}

/** `action` is one of the form's, and every field it requires is filled in `data`. */
export function actionErrors(
  form: Pick<FormSnapshot, 'actions'>,
  action: string,
  data: Record<string, unknown>,
  base = '/body',
): FieldError[] {
  const offered = formActions(form);
  const chosen = offered.find((a) => a.id === action);
  if (!chosen) return [{ pointer: `${base}/action`, message: `must be one of ${offered.map((a) => a.id).join(', ')}` }];
  return (chosen.requires ?? [])
    .filter((name) => !isFilled(data[name]))
    .map((name) => ({
      pointer: `${base}/data/${pointerSegment(name)}`,
      message: `is required by action ${chosen.id}`,
    }));
}

/**
 * The form's compiled schema. A snapshot whose schema breaks the platform's limits (it could only have been
 * stored around the component checks) is the task's fault, not the submitter's: 409, nothing compiled.
 */
function formValidator(form: FormSnapshot) {
  const tooLarge = schemaSizeProblem(form.schema);
  const what = `The form ${form.componentId}@${form.version} of this task`;
  if (tooLarge !== undefined) throw AppError.conflict(`${what} cannot be checked: ${tooLarge}`);
  try {
    return cachedUserSchema(`form:${form.componentId}@${form.version}`, form.schema);
  } catch (err) {
    throw AppError.conflict(`${what} cannot be checked: ${(err as Error).message}`);
  }
}

/** Every reason the submission is refused (empty = valid): schema errors first, then the action's. */
export function submissionErrors(
  form: FormSnapshot,
  action: string,
  data: Record<string, unknown>,
  base = '/body',
): FieldError[] {
  const validate = formValidator(form);
  const errors = validate(data) ? [] : toFieldErrors(validate.errors, `${base}/data`);
  errors.push(...actionErrors(form, action, data, base));
  const seen = new Set<string>();
  return errors.filter((e) => {
    const key = `${e.pointer}\u0000${e.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/**
 * The data to submit: the submitted data with the form's read-only fields taken from the prefill (a client
 * cannot change what the form shows as read-only).
 */
export function effectiveData(
  form: FormSnapshot,
  data: Record<string, unknown>,
  prefill: unknown,
): Record<string, unknown> {
  const out = { ...data };
  const pre =
    prefill !== null && typeof prefill === 'object' && !Array.isArray(prefill)
      ? (prefill as Record<string, unknown>)
      : {};
  for (const [field, layout] of Object.entries(form.layout?.fields ?? {})) {
    if (!layout?.readonly) continue;
    if (Object.prototype.hasOwnProperty.call(pre, field)) out[field] = pre[field];
  }
  return out;
}
