/**
 * Keyset pagination for the API: newest first by (time column, id), with an opaque cursor naming the
 * last row seen. The query runs in db/repositories/keyset.ts; this file holds the API's limits and envelope.
 */
import type { Knex } from 'knex';
import { paginateSelect, type KeysetOptions, type Page as DbPage } from '../../db/repositories/keyset';

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
export type PageOptions = Pick<KeysetOptions, 'column' | 'idColumn'>;

export const DEFAULT_LIMIT = 50;
export const MAX_LIMIT = 200;

/** Runs `qb` (which must carry an explicit select list) one page at a time, at most {@link MAX_LIMIT} rows. */
export async function paginate<T extends object>(_db: Knex, qb: Knex.QueryBuilder, page: PageRequest, opts: PageOptions = {}): Promise<Page<T>> {
  return toPage(await paginateSelect<T>(qb, page, { ...opts, maxLimit: MAX_LIMIT }));
}

/** Converts a repository page (`nextCursor`) to the API envelope (`next_cursor`). */
export function toPage<T>(page: DbPage<T>): Page<T> {
  return { items: page.items, next_cursor: page.nextCursor };
}
