/**
 * observability_service: logs, metrics and trace spans, read-only. Each table lists newest first by its own time
 * column, to which the `created_after`/`created_before` filters apply.
 */
import { paginateSelect, type Page, type PageRequest } from './keyset';
import { applyListFilters, type ListQueryValues } from './list-filters';
import type { Db } from './sql';

const S = 'observability_service';

/** The observability tables and the time column each is ordered by. */
export const OBSERVABILITY_TABLES = {
  logs: { table: `${S}.observability_logs`, time: 'timestamp' },
  metrics: { table: `${S}.observability_metrics`, time: 'recorded_at' },
  traces: { table: `${S}.observability_traces`, time: 'started_at' },
} as const;

/** Which observability table: `logs`, `metrics` or `traces`. */
export type ObservabilityKind = keyof typeof OBSERVABILITY_TABLES;

/** A log line, metric sample or span as stored (columns vary by table). */
export type ObservabilityRow = Record<string, unknown> & { id: string };

/** Which rows a list returns: the common filters and `column = value` for every defined entry of `equals`. */
export interface ObservabilityFilter extends ListQueryValues {
  equals?: Record<string, unknown>;
}

/** One page of `kind`'s rows, newest first by its time column. */
export async function listObservability(
  db: Db,
  kind: ObservabilityKind,
  f: ObservabilityFilter,
  page: PageRequest,
): Promise<Page<ObservabilityRow>> {
  const { table, time } = OBSERVABILITY_TABLES[kind];
  const q = db(table).select('*');
  applyListFilters(q, f, { created: time });
  for (const [column, value] of Object.entries(f.equals ?? {})) if (value !== undefined) q.where(column, value);
  return paginateSelect<ObservabilityRow>(q, page, { column: time });
}

/** One row of `kind` by id, or undefined. */
export async function getObservability(
  db: Db,
  kind: ObservabilityKind,
  id: string,
): Promise<ObservabilityRow | undefined> {
  return (await db(OBSERVABILITY_TABLES[kind].table).where({ id }).first()) as ObservabilityRow | undefined;
}
