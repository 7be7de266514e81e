/**
 * Keyset pagination for the API: newest first by (time column, id), with an opaque cursor naming the
 * last row seen (the cursor codec of db/repositories/keyset.ts, so both produce interchangeable cursors).
 * Unlike OFFSET it stays fast and stable while rows are being inserted.
 */
import type { Knex } from 'knex';
import { decodeCursor, encodeCursor, type Page as DbPage } from '../../db/repositories/keyset';

/** The `limit`/`cursor` part of a validated list query. */
export interface PageRequest {
  limit?: number;
  cursor?: string;
}

/** The envelope of every list response. */
export interface Page<T> {
  items: T[];
  next_cursor: string | null;
}

/** Options for {@link paginate}: which columns order the list (defaults `created_at`, `id`). */
export interface PageOptions {
  column?: string;
  idColumn?: string;
}

export const DEFAULT_LIMIT = 50;
export const MAX_LIMIT = 200;
const CURSOR_KEY = '__cursor_at';

/**
 * Runs `qb` (which must carry an explicit select list) one page at a time. The cursor keeps the time
 * column as PostgreSQL text, so microsecond timestamps round-trip exactly (a JS Date would drop them).
 */
export async function paginate<T extends object>(db: Knex, qb: Knex.QueryBuilder, page: PageRequest, opts: PageOptions = {}): Promise<Page<T>> {
  const column = opts.column ?? 'created_at';
  const idColumn = opts.idColumn ?? 'id';
  const limit = Math.min(page.limit ?? DEFAULT_LIMIT, MAX_LIMIT);
  const q = qb.clone().select(db.raw('??::text as ??', [column, CURSOR_KEY]));
  if (page.cursor) {
    const c = decodeCursor(page.cursor);
    q.whereRaw('(??, ??) < (?::timestamptz, ?::uuid)', [column, idColumn, c.createdAt, c.id]);
  }
  q.orderBy([{ column, order: 'desc' }, { column: idColumn, order: 'desc' }]).limit(limit + 1);
  const rows = (await q) as Array<Record<string, unknown>>;
  const items = rows.slice(0, limit);
  const last = items.at(-1);
  const idKey = idColumn.split('.').pop() as string;
  const next = rows.length > limit && last ? encodeCursor(String(last[CURSOR_KEY]), String(last[idKey])) : null;
  for (const row of items) delete row[CURSOR_KEY];
  return { items: items as T[], next_cursor: next };
}

/** Converts a repository page (`nextCursor`) to the API envelope (`next_cursor`). */
export function toPage<T>(page: DbPage<T>): Page<T> {
  return { items: page.items, next_cursor: page.nextCursor };
}
