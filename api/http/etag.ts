/**
 * Optimistic concurrency for definition updates: `ETag` on reads, `If-Match` on writes.
 * Policy: updates of definitions REQUIRE If-Match (428 without it) so a client can never overwrite a
 * change it has not seen; a stale tag is 412. `*` matches any current version.
 */
import { createHash } from 'node:crypto';
import type { Request } from 'express';
import { AppError } from '../../common/errors';

/** The ETag response header, as the OpenAPI document declares it. */
export const etagHeader = { ETag: { description: 'Version tag for If-Match', schema: { type: 'string' } } };

/** A strong ETag for a row, derived from its id and `updated_at` (every write bumps it via trigger). */
export function etagOf(row: { id: string; updated_at: Date | string }): string {
  const at = row.updated_at instanceof Date ? row.updated_at.toISOString() : String(row.updated_at);
  return `"${createHash('sha256').update(`${row.id}|${at}`).digest('base64url').slice(0, 27)}"`;
}

/** Throws 428 when If-Match is required and absent, 412 when it names none of the current tag. */
export function checkIfMatch(req: Request, current: string, opts: { required?: boolean } = {}): void {
  const header = req.header('if-match');
  if (!header) {
    if (opts.required ?? true)
      throw new AppError(
        428,
        'Precondition Required',
        'This update requires an If-Match header with the ETag of the version you read',
      );
    return;
  }
  const tags = header.split(',').map((t) => t.trim().replace(/^W\//, ''));
  if (!tags.includes('*') && !tags.includes(current))
    throw AppError.preconditionFailed(
      'The resource changed since you read it (ETag mismatch); read it again and retry',
    );
}
