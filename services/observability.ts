/**
 * Read side of observability_service for the API: logs, metrics and trace spans, newest first by each table's
 * own time column (a missing row is a 404), and the monitoring views of migration 008.
 */
import type { Knex } from 'knex';
import { AppError } from '../common/errors';
import type { Page, PageRequest } from '../db/repositories/keyset';
import type { ListQueryValues } from '../db/repositories/list-filters';
import {
  getObservability,
  listMonitoringView,
  listObservability,
  OBSERVABILITY_TABLES,
  type MonitoringRow,
  type MonitoringView,
  type ObservabilityKind,
  type ObservabilityRow,
} from '../db/repositories/observability';

export type {
  MonitoringRow,
  MonitoringView,
  ObservabilityKind,
  ObservabilityRow,
} from '../db/repositories/observability';

/** The column `kind`'s rows are ordered and filtered by (`created_after`/`created_before` apply to it). */
export function observabilityTimeColumn(kind: ObservabilityKind): string {
  return OBSERVABILITY_TABLES[kind].time;
}

/** One page of `kind`'s rows, filtered and with `column = value` for every defined entry of `equals`. */
export function listObservabilityPage(
  db: Knex,
  kind: ObservabilityKind,
  filter: ListQueryValues & { equals?: Record<string, unknown> },
  page: PageRequest,
): Promise<Page<ObservabilityRow>> {
  return listObservability(db, kind, filter, page);
}

/** One row of `kind` by id; 404 (`<noun> <id> not found`) when there is none. */
export async function observabilityOrNotFound(
  db: Knex,
  kind: ObservabilityKind,
  id: string,
  noun: string,
): Promise<ObservabilityRow> {
  const row = await getObservability(db, kind, id);
  if (!row) throw AppError.notFound(`${noun} ${id} not found`);
  return row;
}

/** Up to `limit` rows of a monitoring view (active executions, performance, storage), filtered by `equals`. */
export function listMonitoring(
  db: Knex,
  name: MonitoringView,
  equals: Record<string, unknown>,
  limit: number,
): Promise<MonitoringRow[]> {
  return listMonitoringView(db, name, equals, limit);
}
