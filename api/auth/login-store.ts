/**
 * express-rate-limit's Store over auth_service.login_attempts: every API process on the database counts into the
 * same rows, so a client spreading its guesses over replicas meets one limit. Window start and end are decided by
 * the database's clock in the statement that counts the hit (db/repositories/login-attempts.ts).
 *
 * A database error propagates: the limiter answers 503 problem+json with Retry-After instead of letting an
 * unthrottled guess through (fail closed; a login needs the database anyway to check the password).
 * Keys are stored as SHA-256 hashes. Ended windows are deleted when their key is hit again (the upsert restarts them) and by a bounded sweep at most
 * once a minute per process, so abandoned keys do not accumulate.
 */
import type { Options, Store, IncrementResponse, ClientRateLimitInfo } from 'express-rate-limit';
import type { Knex } from 'knex';
import type { Logger } from '../../common/logger';
import { sha256 } from '../../services/auth/tokens';
import {
  decrementLoginAttempts,
  deleteExpiredLoginAttempts,
  getLoginAttempts,
  incrementLoginAttempts,
  resetLoginAttempts,
  type LoginAttemptCount,
} from '../../db/repositories/login-attempts';

const SWEEP_EVERY_MS = 60_000;
const SWEEP_LIMIT = 500;

// The reset time on this process's clock from the database's "ends in": Retry-After stays right under clock skew.
const info = (c: LoginAttemptCount): ClientRateLimitInfo => ({
  totalHits: c.hits,
  resetTime: new Date(Date.now() + c.resetInMs),
});

/** A rate-limit store shared through PostgreSQL. */
export class PostgresLoginStore implements Store {
  /** Keys counted here are counted for every process. */
  readonly localKeys = false;
  readonly prefix = 'login:';
  private windowMs = 15 * 60 * 1000;
  private lastSweep = 0;

  constructor(
    private readonly db: Knex,
    private readonly logger: Logger,
  ) {}

  /** Takes the limiter's window. */
  init(options: Options): void {
    this.windowMs = options.windowMs;
  }

  async increment(key: string): Promise<IncrementResponse> {
    const count = await incrementLoginAttempts(this.db, this.rowKey(key), this.windowMs);
    this.maybeSweep();
    return info(count);
  }

  async decrement(key: string): Promise<void> {
    await decrementLoginAttempts(this.db, this.rowKey(key));
  }

  async get(key: string): Promise<ClientRateLimitInfo | undefined> {
    const count = await getLoginAttempts(this.db, this.rowKey(key));
    return count && info(count);
  }

  async resetKey(key: string): Promise<void> {
    await resetLoginAttempts(this.db, this.rowKey(key));
  }

  // Hashed: the key holds the client's address and the username as typed, which may be anything (a NUL character
  // PostgreSQL cannot store, megabytes of text); the row keeps neither in clear.
  private rowKey(key: string): string {
    return sha256(this.prefix + key);
  }

  // Not awaited: the sweep is housekeeping, never on a login's path; a failure waits for the next minute.
  private maybeSweep(): void {
    const now = Date.now();
    if (now - this.lastSweep < SWEEP_EVERY_MS) return;
    this.lastSweep = now;
    deleteExpiredLoginAttempts(this.db, SWEEP_LIMIT).catch((err: unknown) =>
      this.logger.debug({ err }, 'login attempt sweep failed'),
    );
  }
}
