/**
 * auth_service.login_attempts (migration 024): the failed-login counter every API process shares.
 *
 * One atomic statement per hit, timed by the database's clock (clock_timestamp(), evaluated after the row lock in
 * the update branch), so processes whose clocks disagree still count one window: a window that has ended starts
 * over at 1 in the same statement that counts the hit.
 */
import type { Db } from './sql';

export const LOGIN_ATTEMPTS = 'auth_service.login_attempts';

/** A key's count in its current window; `resetInMs` is measured on the database's clock. */
export interface LoginAttemptCount {
  hits: number;
  resetInMs: number;
}

interface CountRow {
  hits: number;
  reset_in_ms: number;
}

const toCount = (r: CountRow): LoginAttemptCount => ({ hits: r.hits, resetInMs: Math.max(0, Number(r.reset_in_ms)) });
const RESET_IN_MS = `greatest(0, extract(epoch FROM reset_at - clock_timestamp()) * 1000)::float8 AS reset_in_ms`;

/** Counts one hit of `key`: a new or expired window starts at 1 and ends `windowMs` from now. */
export async function incrementLoginAttempts(db: Db, key: string, windowMs: number): Promise<LoginAttemptCount> {
  const { rows } = await db.raw<{ rows: CountRow[] }>(
    `INSERT INTO ${LOGIN_ATTEMPTS} AS a (key, hits, reset_at)
     VALUES (:key, 1, clock_timestamp() + make_interval(secs => :secs))
     ON CONFLICT (key) DO UPDATE SET
       hits = CASE WHEN a.reset_at <= clock_timestamp() THEN 1 ELSE a.hits + 1 END,
       reset_at = CASE WHEN a.reset_at <= clock_timestamp()
                       THEN clock_timestamp() + make_interval(secs => :secs) ELSE a.reset_at END
     RETURNING hits, ${RESET_IN_MS}`,
    { key, secs: windowMs / 1000 },
  );
  return toCount(rows[0]);
}

/** Takes one hit back (a request that turned out not to count); never below 0, never in an ended window. */
export async function decrementLoginAttempts(db: Db, key: string): Promise<void> {
  await db.raw(
    `UPDATE ${LOGIN_ATTEMPTS} SET hits = greatest(hits - 1, 0) WHERE key = ? AND reset_at > clock_timestamp()`,
    [key],
  );
}

/** The count of `key` in its current window; undefined when it has none. */
export async function getLoginAttempts(db: Db, key: string): Promise<LoginAttemptCount | undefined> {
  const { rows } = await db.raw<{ rows: CountRow[] }>(
    `SELECT hits, ${RESET_IN_MS} FROM ${LOGIN_ATTEMPTS} WHERE key = ? AND reset_at > clock_timestamp()`,
    [key],
  );
  return rows[0] && toCount(rows[0]);
}

/** Forgets `key`. */
export async function resetLoginAttempts(db: Db, key: string): Promise<void> {
  await db(LOGIN_ATTEMPTS).where({ key }).delete();
}

/** Deletes up to `limit` rows whose window has ended; returns how many. */
export async function deleteExpiredLoginAttempts(db: Db, limit: number): Promise<number> {
  const { rowCount } = await db.raw<{ rowCount: number }>(
    `DELETE FROM ${LOGIN_ATTEMPTS} WHERE id IN (
       SELECT id FROM ${LOGIN_ATTEMPTS} WHERE reset_at <= clock_timestamp() LIMIT ? FOR UPDATE SKIP LOCKED)`,
    [limit],
  );
  return rowCount;
}
