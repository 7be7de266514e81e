/**
 * The filter of a bulk operation: which runs (or dead letters) it acts on. Checked once when the operation is
 * requested (kind, at least one criterion, a visibility query Temporal accepts), stored as given, and turned into
 * repository criteria when the targets are materialised.
 */
import type { Client } from '@temporalio/client';
import type { Knex } from 'knex';
import { targetKindOf, type BulkAction, type BulkTargetKind } from '../../common/contracts/bulk-operations';
import { AppError, type FieldError } from '../../common/errors';
import type { DeadLetterTargetFilter, RunTargetFilter } from '../../db/repositories/bulk-operations';
import type { DeadLetterStatus } from '../../db/repositories/dead-letter-queue';
import { WORKFLOW_INSTANCE_STATUSES, type WorkflowInstanceStatus } from '../../db/repositories/workflow-instances';
import { findTrigger } from '../events/triggers';

/** The filter as requested (`POST /bulk-operations`, body `filter`): run criteria or dead-letter criteria. */
export interface BulkFilter {
  /** Every target of the action's kind (required to act without any criterion). */
  all?: boolean;
  // Runs
  definition?: string;
  version?: string;
  status?: string | string[];
  correlation_key?: string;
  business_key?: string;
  started_after?: string;
  started_before?: string;
  /** A Temporal visibility query over the platform's search attributes (AosDefinitionId, ...). */
  query?: string;
  // Dead letters
  event?: string;
  event_id?: string;
  /** A trigger (row id or trigger_id): the letters of events its pattern matches. */
  trigger?: string;
  /** Set when the operation is requested: the event pattern of `trigger` then (the trigger may change later). */
  trigger_event_pattern?: string;
  consumer?: string;
  error_type?: string;
  // Both
  created_after?: string;
  created_before?: string;
}

/** Criteria of each kind; `status` and the creation range belong to both. */
const RUN_ONLY = [
  'definition',
  'version',
  'correlation_key',
  'business_key',
  'started_after',
  'started_before',
  'query',
];
const DEAD_LETTER_ONLY = ['event', 'event_id', 'trigger', 'consumer', 'error_type'];
const SHARED = ['status', 'created_after', 'created_before'];

/** Run statuses a filter may name, and dead-letter statuses. */
export const RUN_FILTER_STATUSES: readonly WorkflowInstanceStatus[] = WORKFLOW_INSTANCE_STATUSES;
export const DEAD_LETTER_FILTER_STATUSES: readonly DeadLetterStatus[] = ['open', 'redriven', 'discarded'];

const statuses = (s: BulkFilter['status']) => (s === undefined ? undefined : Array.isArray(s) ? s : [s]);

/**
 * Checks that the filter suits the action: only criteria of the action's kind, at least one of them (or `all:
 * true`), statuses of that kind, ranges that are not empty. 422 with a pointer per problem.
 */
export function checkFilter(action: BulkAction, filter: BulkFilter): BulkTargetKind {
  const kind = targetKindOf(action);
  const foreign = kind === 'runs' ? DEAD_LETTER_ONLY : RUN_ONLY;
  const own = [...(kind === 'runs' ? RUN_ONLY : DEAD_LETTER_ONLY), ...SHARED];
  const what = kind === 'runs' ? 'runs' : 'dead letters';
  const problems: FieldError[] = [];
  for (const key of foreign)
    if ((filter as Record<string, unknown>)[key] !== undefined)
      problems.push({
        pointer: `/body/filter/${key}`,
        message: `is not a criterion of ${what} (the action ${action} acts on ${what})`,
      });
  const criteria = own.filter((k) => (filter as Record<string, unknown>)[k] !== undefined);
  if (criteria.length === 0 && filter.all !== true && problems.length === 0)
    problems.push({
      pointer: '/body/filter',
      message: `names no criterion: an empty filter would match every one of the ${what}; set "all": true to mean that`,
    });
  if (criteria.length > 0 && filter.all === true)
    problems.push({ pointer: '/body/filter/all', message: 'cannot be combined with criteria' });
  const allowed: readonly string[] = kind === 'runs' ? RUN_FILTER_STATUSES : DEAD_LETTER_FILTER_STATUSES;
  for (const [i, s] of (statuses(filter.status) ?? []).entries())
    if (!allowed.includes(s))
      problems.push({
        pointer: Array.isArray(filter.status) ? `/body/filter/status/${i}` : '/body/filter/status',
        message: `must be one of ${allowed.join(', ')}`,
      });
  for (const [from, to] of [
    ['created_after', 'created_before'],
    ['started_after', 'started_before'],
  ] as const) {
    const a = filter[from];
    const b = filter[to];
    if (a && b && Date.parse(a) >= Date.parse(b))
      problems.push({ pointer: `/body/filter/${to}`, message: `must be later than ${from}` });
  }
  if (problems.length > 0) throw AppError.unprocessable('The filter does not suit the action', problems);
  return kind;
}

/**
 * Asks Temporal whether it accepts the visibility query (a count, which parses and plans it); a query it refuses is
 * the caller's mistake: 422 at /body/filter/query.
 */
export async function checkVisibilityQuery(temporal: Client, query: string): Promise<void> {
  try {
    await temporal.workflow.count(query);
  } catch (err) {
    const e = err as { code?: number; message?: string; cause?: { code?: number; details?: string } };
    // gRPC INVALID_ARGUMENT (3): the query does not parse or names an unknown attribute. Anything else (Temporal
    // unavailable) is not the caller's mistake.
    if ((e.code ?? e.cause?.code) !== 3) throw err;
    throw AppError.unprocessable('Temporal does not accept the visibility query', [
      { pointer: '/body/filter/query', message: (e.cause?.details ?? e.message ?? 'invalid query').slice(0, 500) },
    ]);
  }
}

/** Repository criteria of a run filter; only runs that existed at `createdUpTo` match. */
export function runTargetFilter(filter: BulkFilter, createdUpTo: Date): RunTargetFilter {
  return {
    definition: filter.definition,
    version: filter.version,
    status: statuses(filter.status) as WorkflowInstanceStatus[] | undefined,
    correlationKey: filter.correlation_key,
    businessKey: filter.business_key,
    createdAfter: filter.created_after,
    createdBefore: filter.created_before,
    startedAfter: filter.started_after,
    startedBefore: filter.started_before,
    createdUpTo,
  };
}

/** Repository criteria of a dead-letter filter. */
export function deadLetterTargetFilter(filter: BulkFilter, createdUpTo: Date): DeadLetterTargetFilter {
  return {
    event: filter.event,
    eventId: filter.event_id,
    eventPatternRegex: filter.trigger_event_pattern ? patternRegex(filter.trigger_event_pattern) : undefined,
    consumer: filter.consumer,
    errorType: filter.error_type,
    status: (statuses(filter.status) as DeadLetterStatus[] | undefined) ?? ['open'],
    createdAfter: filter.created_after,
    createdBefore: filter.created_before,
    createdUpTo,
  };
}

/**
 * A trigger's event pattern as a PostgreSQL regular expression over `'.' || <event name>`: each segment is `\.name`,
 * `*` one segment, `**` any number of them (none included), as common/events/pattern.ts matches them.
 */
export function patternRegex(pattern: string): string {
  const segments = pattern.split('.').map((s) => (s === '**' ? '(\\.[^.]+)*' : s === '*' ? '\\.[^.]+' : `\\.${s}`));
  return `^${segments.join('')}$`;
}

/** The event pattern of the filter's trigger (422 at /body/filter/trigger when there is no such trigger). */
export async function resolveTrigger(db: Knex, filter: BulkFilter): Promise<BulkFilter> {
  if (filter.trigger === undefined) return filter;
  try {
    return { ...filter, trigger_event_pattern: (await findTrigger(db, filter.trigger)).event_pattern };
  } catch (err) {
    if (!(err instanceof AppError && err.status === 404)) throw err;
    throw AppError.unprocessable('Unknown trigger', [{ pointer: '/body/filter/trigger', message: 'no such trigger' }]);
  }
}
