/**
 * Semantic checks of a task definition's flow-control fields (#15), beyond what the schema says:
 * `burst` means nothing without `rate_per_second`, and a `manual` task runs no activity to limit or prioritise.
 */
import { MANUAL_TASK_TYPE } from './kinds';
import type { ValidationError } from './validation-error';

/** Errors of `limits` and `priority` in a task definition document (already known to be an object). */
export function taskFlowControlErrors(doc: Record<string, unknown>): ValidationError[] {
  const errors: ValidationError[] = [];
  const limits = doc.limits;
  if (limits !== null && typeof limits === 'object' && !Array.isArray(limits)) {
    const l = limits as Record<string, unknown>;
    if (l.burst !== undefined && l.rate_per_second === undefined)
      errors.push({
        pointer: '/limits/burst',
        code: 'burst_without_rate',
        message: 'burst is the number of calls a rate limit lets go at once: set rate_per_second too',
      });
  }
  if (doc.type === MANUAL_TASK_TYPE)
    for (const field of ['limits', 'priority'] as const)
      if (doc[field] !== undefined)
        errors.push({
          pointer: `/${field}`,
          code: 'manual_task_flow_control',
          message: `a manual task is a person's work, not an activity: ${field} applies to automatic tasks only`,
        });
  return errors;
}
