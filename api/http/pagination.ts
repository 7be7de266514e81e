/**
 * The API side of keyset pagination: the page-size limits of list queries and the response envelope. The
 * queries (newest first by time column and id, opaque cursors) run in db/repositories/keyset.ts.
 */
import type { Page as DbPage } from '../../db/repositories/keyset';

/** The envelope of every list response. */
export interface Page<T> {
  items: T[];
  next_cursor: string | null;
}

export const DEFAULT_LIMIT = 50;
export const MAX_LIMIT = 200;

/** Converts a repository page (`nextCursor`) to the API envelope (`next_cursor`). */
export function toPage<T>(page: DbPage<T>): Page<T> {
  return { items: page.items, next_cursor: page.nextCursor };
}
