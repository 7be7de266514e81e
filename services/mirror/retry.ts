/** Bounded retry for mirror writes: a short database blip must not lose a status change. */
import type { Logger } from '../../common/logger';

/** Backoff between attempts (ms); the total stays well under a typical activity timeout. */
export const MIRROR_BACKOFF_MS = [100, 400, 1_000, 2_000] as const;

// Errors no retry can fix: constraint violations, bad input syntax, undefined table/column.
const PERMANENT_SQLSTATE = /^(22|23|42)/;

/** True for database errors a retry cannot fix. */
export function isPermanentDbError(err: unknown): boolean {
  const code = (err as { code?: unknown })?.code;
  return typeof code === 'string' && PERMANENT_SQLSTATE.test(code);
}

/** Runs `write` up to 1 + MIRROR_BACKOFF_MS.length times; rethrows the last error. */
export async function withMirrorRetry<T>(
  what: string,
  logger: Logger,
  write: () => Promise<T>,
  backoff: readonly number[] = MIRROR_BACKOFF_MS,
): Promise<T> {
  for (let i = 0; ; i++) {
    try {
      return await write();
    } catch (err) {
      if (i >= backoff.length || isPermanentDbError(err)) throw err;
      logger.warn({ err, attempt: i + 1 }, `${what}: mirror write failed, retrying`);
      await new Promise((r) => setTimeout(r, backoff[i]));
    }
  }
}
