/**
 * The common filters of the API's list routes (`created_after`, `created_before`, `status`, `definition`,
 * `correlation_key`) as where-clauses, for the repositories whose lists take them under those names.
 */
import type { Knex } from 'knex';

/** Validated values of the common list filters, named as the list query spells them. */
export interface ListQueryValues {
  created_after?: string;
  created_before?: string;
  status?: string;
  definition?: string;
  correlation_key?: string;
}

/** Columns the common filters apply to, per table. */
export interface FilterColumns {
  created?: string;
  status?: string;
  definition?: string;
  correlationKey?: string;
}

/** Adds the where-clauses of the common filters to `qb`. */
export function applyListFilters(qb: Knex.QueryBuilder, q: ListQueryValues, cols: FilterColumns = {}): void {
  const created = cols.created ?? 'created_at';
  if (q.created_after) qb.where(created, '>=', q.created_after);
  if (q.created_before) qb.where(created, '<', q.created_before);
  if (q.status) qb.where(cols.status ?? 'status', q.status);
  if (q.definition && cols.definition) qb.where(cols.definition, q.definition);
  if (q.correlation_key && cols.correlationKey) qb.where(cols.correlationKey, q.correlation_key);
}
