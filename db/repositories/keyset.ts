/**
 * Keyset pagination shared by every list query: newest first by (created_at, id) unless a list asks for another
 * time column or ascending order, with an opaque cursor that carries the exact (microsecond) time of the last row,
 * not a lossy JS Date.
 */
import type { Knex } from 'knex';
import { AppError } from '../../common/errors';
import { isStorableTimestamp } from '../../common/timestamps';

/** One page of a list. `nextCursor` is null on the last page. */
export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

/** Paging parameters of a list query. */
export interface PageRequest {
  limit?: number;
  cursor?: string | null;
}

export const DEFAULT_LIMIT = 50;
export const MAX_LIMIT = 500;

/** Encodes a cursor: base64url of the last row's created_at (as PostgreSQL text) and id. */
export function encodeCursor(createdAt: string, id: string): string {
  return Buffer.from(JSON.stringify([createdAt, id])).toString('base64url');
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Decodes a cursor; a malformed one is the caller's mistake (400), never a 500. The timestamp is checked
 * for range too (month 13, year 0000, offset +99 are well-formed but PostgreSQL refuses them).
 */
export function decodeCursor(cursor: string): { createdAt: string; id: string } {
  try {
    const value: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (
      Array.isArray(value) &&
      value.length === 2 &&
      typeof value[0] === 'string' &&
      typeof value[1] === 'string' &&
      (isStorableTimestamp(value[0]) || value[0] === 'infinity') &&
      UUID.test(value[1])
    ) {
      return { createdAt: value[0], id: value[1] };
    }
  } catch {
    // fall through to the error below
  }
  throw AppError.badRequest('invalid cursor', [
    { pointer: '/query/cursor', message: 'is not a cursor returned by this list' },
  ]);
}

/** Clamps a requested limit into [1, max]. */
export function clampLimit(limit: number | undefined, max = MAX_LIMIT): number {
  if (limit === undefined || !Number.isFinite(limit)) return DEFAULT_LIMIT;
  return Math.min(max, Math.max(1, Math.trunc(limit)));
}

/** Which columns order a keyset list (newest first by default), and the largest page. */
export interface KeysetOptions {
  /** Time column (default `created_at`). */
  column?: string;
  /** Tie-breaking id column (default `id`). */
  idColumn?: string;
  /** `desc` (default): latest first; `asc`: earliest first. */
  order?: 'asc' | 'desc';
  /**
   * The time column may be null; such rows sort as if at infinity (after every other row ascending, before them
   * descending), so they keep a place in the keyset instead of dropping out of it.
   */
  nullable?: boolean;
  /** Largest page (default {@link MAX_LIMIT}). */
  maxLimit?: number;
}

const CURSOR_KEY = '__cursor_ts';

/**
 * Runs `query`, which must carry its select list, as one keyset page ordered by (column, idColumn), newest first
 * unless `opts.order` is `asc`. The cursor keeps the time column as PostgreSQL text, so microsecond timestamps
 * round-trip exactly.
 */
export async function paginateSelect<T extends object>(
  query: Knex.QueryBuilder,
  page: PageRequest = {},
  opts: KeysetOptions = {},
): Promise<Page<T>> {
  const column = opts.column ?? 'created_at';
  const idColumn = opts.idColumn ?? 'id';
  const order = opts.order ?? 'desc';
  const limit = clampLimit(page.limit, opts.maxLimit);
  const raw = (sql: string, bindings: Knex.RawBinding[]) => query.client.raw(sql, bindings) as Knex.Raw;
  // The sort key: the column itself, or with nulls read as 'infinity' (a timestamptz every time is below).
  const key = opts.nullable ? `COALESCE(??, 'infinity'::timestamptz)` : '??';
  const q = query
    .clone()
    .select(raw(`${key}::text AS ??`, [column, CURSOR_KEY]))
    .orderByRaw(`${key} ${order}, ?? ${order}`, [column, idColumn])
    .limit(limit + 1);
  if (page.cursor) {
    const c = decodeCursor(page.cursor);
    q.whereRaw(`(${key}, ??) ${order === 'desc' ? '<' : '>'} (?::timestamptz, ?::uuid)`, [
      column,
      idColumn,
      c.createdAt,
      c.id,
    ]);
  }
  const rows = (await q) as Array<Record<string, unknown>>;
  const items = rows.slice(0, limit);
  const last = items.at(-1);
  const idKey = idColumn.split('.').pop() as string;
  const nextCursor = rows.length > limit && last ? encodeCursor(String(last[CURSOR_KEY]), String(last[idKey])) : null;
  return { items: items.map(({ [CURSOR_KEY]: _omit, ...row }) => row as T), nextCursor };
}

/**
 * Runs `query` (a select on `table`, filters applied) as one keyset page of whole rows, newest first.
 * `table` is the name or alias the query uses for the row's created_at and id.
 */
export function paginate<T extends { id: string }>(
  query: Knex.QueryBuilder,
  table: string,
  page: PageRequest = {},
): Promise<Page<T>> {
  return paginateSelect<T>(query.clone().select(`${table}.*`), page, {
    column: `${table}.created_at`,
    idColumn: `${table}.id`,
  });
}
