/**
 * Checks a human task submission against the form the task snapshotted when it opened, before anything is sent
 * to the run: the data against the form's JSON Schema (compiled once per component@version with the platform's
 * user-schema rules), the action against the form's actions (one implicit `submit` when it has none), and the
 * fields the action requires. Every problem is reported at once, as field errors under `/body/data/<field>` and
 * `/body/action`.
 */
import type { FormAction, FormSnapshot } from '../../common/contracts/human-tasks';
import { toFieldErrors } from '../../common/ajv';
import type { FieldError } from '../../common/errors';
import { cachedUserSchema } from '../../common/json-schema/user-schemas';
import { IMPLICIT_ACTION } from './runtime';

/** The actions a form offers (its own, or the implicit `submit`). */
export function formActions(form: FormSnapshot): FormAction[] {
  return form.actions && form.actions.length > 0 ? form.actions : [IMPLICIT_ACTION];
}

/** Empty for `requires`: absent, null, a blank string or an empty array. */
function isEmpty(value: unknown): boolean {
  return (
    value === undefined ||
    value === null ||
    (typeof value === 'string' && value.trim() === '') ||
    (Array.isArray(value) && value.length === 0)
  );
}

const escapePointer = (field: string) => field.replace(/~/g, '~0').replace(/\//g, '~1');

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

/** Every reason the submission is refused (empty = valid). */
export function submissionErrors(form: FormSnapshot, action: string, data: Record<string, unknown>): FieldError[] {
  const errors: FieldError[] = [];
  const validate = cachedUserSchema(`form:${form.componentId}@${form.version}`, form.schema);
  if (!validate(data)) errors.push(...toFieldErrors(validate.errors, '/body/data'));
  const chosen = formActions(form).find((a) => a.id === action);
  if (!chosen) {
    errors.push({
      pointer: '/body/action',
      message: `must be one of ${formActions(form)
        .map((a) => a.id)
        .join(', ')}`,
    });
  } else {
    for (const field of chosen.requires ?? []) {
      if (isEmpty(data[field]))
        errors.push({ pointer: `/body/data/${escapePointer(field)}`, message: `is required by action ${chosen.id}` });
    }
  }
  const seen = new Set<string>();
  return errors.filter((e) => {
    const key = `${e.pointer}\u0000${e.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
