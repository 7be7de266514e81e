/**
 * A schedule's spec and policies as the API takes them (snake_case, the platform's duration syntax), their checks
 * (422 with pointers) and their translation to Temporal's ScheduleSpec and schedule policies.
 */
import { ScheduleOverlapPolicy, type ScheduleSpec } from '@temporalio/client';
import type { ScheduleOverlap } from '../../common/contracts/schedules';
import { tryParseDuration } from '../../common/definitions/duration';
import type { FieldError } from '../../common/errors';
import { cronError } from './cron';

/** When a schedule's actions fall due: the union of its cron expressions and intervals, within start/end. */
export interface ScheduleSpecBody {
  /** One or more cron expressions (services/schedules/cron.ts). */
  cron?: string | string[];
  /** Every `every` since the epoch, shifted by `offset` (durations: `30s`, `5m`, `PT1H`). */
  intervals?: Array<{ every: string; offset?: string }>;
  /** IANA time zone the cron expressions are read in [UTC]. */
  time_zone?: string;
  /** Each action is delayed by a random amount up to this duration. */
  jitter?: string;
  /** No action before this instant (RFC 3339). */
  start_at?: string;
  /** No action after this instant (RFC 3339). */
  end_at?: string;
}

/** What a schedule does on overlap, after an outage, and on a failed run. */
export interface SchedulePoliciesBody {
  /** When an action falls due while the previous run is open [skip]. */
  overlap?: ScheduleOverlap;
  /** How late a missed action may still run after Temporal was unavailable [Temporal's default, 1 year]. */
  catchup_window?: string;
  /** A failed run pauses the schedule [false]. */
  pause_on_failure?: boolean;
}

/** The overlap policies in Temporal's terms. */
export const TEMPORAL_OVERLAP: Record<ScheduleOverlap, ScheduleOverlapPolicy> = {
  skip: ScheduleOverlapPolicy.SKIP,
  buffer_one: ScheduleOverlapPolicy.BUFFER_ONE,
  buffer_all: ScheduleOverlapPolicy.BUFFER_ALL,
  cancel_other: ScheduleOverlapPolicy.CANCEL_OTHER,
  allow_all: ScheduleOverlapPolicy.ALLOW_ALL,
};

/** Temporal refuses an interval under one second. */
const MIN_INTERVAL_MS = 1_000;

/** The cron expressions of a spec as a list. */
export const cronList = (spec: ScheduleSpecBody): string[] =>
  spec.cron === undefined ? [] : Array.isArray(spec.cron) ? spec.cron : [spec.cron];

/** True when `zone` is an IANA time zone name this runtime knows. */
export function isTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

/** Every problem of a spec, with pointers under `pointer` (e.g. `/body/spec`). */
export function specErrors(spec: ScheduleSpecBody, pointer: string): FieldError[] {
  const errors: FieldError[] = [];
  const cron = cronList(spec);
  if (cron.length === 0 && (spec.intervals ?? []).length === 0)
    errors.push({ pointer, message: 'needs at least one cron expression or interval' });
  cron.forEach((expr, i) => {
    const problem = cronError(expr);
    const at = Array.isArray(spec.cron) ? `${pointer}/cron/${i}` : `${pointer}/cron`;
    if (problem) errors.push({ pointer: at, message: problem });
  });
  (spec.intervals ?? []).forEach((interval, i) => {
    const every = tryParseDuration(interval.every);
    const offset = interval.offset === undefined ? 0 : tryParseDuration(interval.offset);
    if (every === undefined || every < MIN_INTERVAL_MS)
      errors.push({ pointer: `${pointer}/intervals/${i}/every`, message: 'must be a duration of at least 1s' });
    else if (offset === undefined || offset >= every)
      errors.push({ pointer: `${pointer}/intervals/${i}/offset`, message: 'must be a duration shorter than "every"' });
  });
  if (spec.time_zone !== undefined && !isTimeZone(spec.time_zone))
    errors.push({ pointer: `${pointer}/time_zone`, message: `"${spec.time_zone}" is not an IANA time zone` });
  if (spec.jitter !== undefined && tryParseDuration(spec.jitter) === undefined)
    errors.push({ pointer: `${pointer}/jitter`, message: 'must be a duration' });
  for (const key of ['start_at', 'end_at'] as const)
    if (spec[key] !== undefined && Number.isNaN(Date.parse(spec[key])))
      errors.push({ pointer: `${pointer}/${key}`, message: 'must be an RFC 3339 date-time' });
  if (spec.start_at && spec.end_at && Date.parse(spec.end_at) < Date.parse(spec.start_at))
    errors.push({ pointer: `${pointer}/end_at`, message: 'is before start_at' });
  return errors;
}

/** Every problem of the policies, with pointers under `pointer`. */
export function policyErrors(policies: SchedulePoliciesBody, pointer: string): FieldError[] {
  const window = policies.catchup_window;
  if (window === undefined) return [];
  const ms = tryParseDuration(window);
  return ms === undefined || ms < 10_000
    ? [{ pointer: `${pointer}/catchup_window`, message: 'must be a duration of at least 10s' }]
    : [];
}

const ms = (duration: string | undefined): number | undefined =>
  duration === undefined ? undefined : tryParseDuration(duration);

/** The Temporal ScheduleSpec of a (checked) spec. */
export function toTemporalSpec(spec: ScheduleSpecBody): ScheduleSpec {
  const jitter = ms(spec.jitter);
  return {
    cronExpressions: cronList(spec),
    intervals: (spec.intervals ?? []).map((i) => ({ every: ms(i.every) as number, offset: ms(i.offset) ?? 0 })),
    ...(spec.time_zone !== undefined && { timezone: spec.time_zone }),
    ...(jitter !== undefined && { jitter }),
    ...(spec.start_at !== undefined && { startAt: new Date(spec.start_at) }),
    ...(spec.end_at !== undefined && { endAt: new Date(spec.end_at) }),
  };
}

/** Temporal's schedule policies of (checked) policies. */
export function toTemporalPolicies(policies: SchedulePoliciesBody): {
  overlap: ScheduleOverlapPolicy;
  catchupWindow?: number;
  pauseOnFailure: boolean;
} {
  const window = ms(policies.catchup_window);
  return {
    overlap: TEMPORAL_OVERLAP[policies.overlap ?? 'skip'],
    ...(window !== undefined && { catchupWindow: window }),
    pauseOnFailure: policies.pause_on_failure ?? false,
  };
}
