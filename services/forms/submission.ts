/**
 * The form rules of a submission that JSON Schema does not hold (#12): the action must be one the form offers,
 * and its `requires` fields must be filled. The data itself is checked against the form's schema separately
 * (common/json-schema/user-schemas.ts `valueErrors`, off-thread through services/validation). Pure; pointers
 * under `base` (e.g. `/body`).
 */
import type { FormSnapshot } from '../../common/contracts/human-tasks';
import type { FieldError } from '../../common/errors';
import { pointerSegment } from './checks';

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
  const chosen = form.actions.find((a) => a.id === action);
  if (!chosen) {
    const offered = form.actions.map((a) => a.id).join(', ');
    return [{ pointer: `${base}/action`, message: `must be one of the form's actions: ${offered}` }];
  }
  return (chosen.requires ?? [])
    .filter((name) => !isFilled(data[name]))
    .map((name) => ({ pointer: `${base}/data/${pointerSegment(name)}`, message: `is required to ${chosen.label}` }));
}
