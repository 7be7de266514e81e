/** Log search for the API: a minimum level or a list of levels, a time range and a text search, newest first. */
import type { Knex } from 'knex';
import { AppError } from '../../common/errors';
import type { Page, PageRequest } from '../../db/repositories/keyset';
import { searchLogs, type LogSearch } from '../../db/repositories/observability-queries';
import type { ObservabilityRow } from '../../db/repositories/observability';

/** The log levels, lowest first (pino's names). */
export const LOG_LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal'] as const;

/** A log level name. */
export type LogLevel = (typeof LOG_LEVELS)[number];

/** What the API accepts: exact levels (`level`, one or a comma list), a minimum (`min_level`), a range, text. */
export interface LogQuery {
  equals: Record<string, unknown>;
  level?: string;
  minLevel?: LogLevel;
  from?: string;
  to?: string;
  text?: string;
}

/** The levels `level` (comma list) names; 400 naming the parameter for an unknown one. */
export function parseLevels(level: string): LogLevel[] {
  const names = level.split(',').map((s) => s.trim());
  const bad = names.find((n) => !(LOG_LEVELS as readonly string[]).includes(n));
  if (bad !== undefined)
    throw AppError.badRequest(`unknown log level ${JSON.stringify(bad)}`, [
      { pointer: '/query/level', message: `must be one or more of ${LOG_LEVELS.join(', ')}, comma-separated` },
    ]);
  return [...new Set(names)] as LogLevel[];
}

/** The levels a query keeps: the exact ones, at or above the minimum (both: the intersection), or all. */
export function levelsOf(q: Pick<LogQuery, 'level' | 'minLevel'>): LogLevel[] | undefined {
  const exact = q.level === undefined ? undefined : parseLevels(q.level);
  if (!q.minLevel) return exact;
  const atLeast = LOG_LEVELS.slice(LOG_LEVELS.indexOf(q.minLevel));
  return exact ? exact.filter((l) => atLeast.includes(l)) : [...atLeast];
}

/** Refuses a time range that ends before it starts (`from` > `to`) with a 400 naming `to`. */
export function checkRange(from: string | undefined, to: string | undefined): void {
  if (from && to && Date.parse(from) > Date.parse(to))
    throw AppError.badRequest('the time range ends before it starts', [
      { pointer: '/query/to', message: 'must not be before `from`' },
    ]);
}

/** One page of log lines matching `q`, newest first. */
export async function findLogs(db: Knex, q: LogQuery, page: PageRequest): Promise<Page<ObservabilityRow>> {
  checkRange(q.from, q.to);
  const levels = levelsOf(q);
  // Exact levels all below the minimum: nothing can match (an empty IN list would match everything).
  if (levels && levels.length === 0) return { items: [], nextCursor: null };
  const search: LogSearch = { equals: q.equals, levels, from: q.from, to: q.to, text: q.text };
  return searchLogs(db, search, page);
}
