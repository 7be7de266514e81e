/** Maps PostgreSQL constraint errors that a client can cause onto 4xx problems (never a 500). */
import { AppError } from '../../common/errors';

/** `undefined` when `err` is not a client-caused database error. */
export function translatePgError(err: unknown): AppError | undefined {
  const e = err as { code?: unknown; constraint?: string; detail?: string };
  if (typeof e?.code !== 'string' || !/^[0-9A-Z]{5}$/.test(e.code)) return undefined;
  switch (e.code) {
    case '23505': // unique_violation: the detail names the key, never other rows' data
      return AppError.conflict(`Already exists${e.constraint ? ` (${e.constraint})` : ''}`);
    case '23503': // foreign_key_violation: a referenced row is missing, or a row is still referenced
      return AppError.conflict(`Referenced row missing or still in use${e.constraint ? ` (${e.constraint})` : ''}`);
    case '22P02': // invalid_text_representation (e.g. a malformed uuid that slipped past a schema)
      return AppError.badRequest('A value has an invalid format');
    default:
      return undefined;
  }
}
