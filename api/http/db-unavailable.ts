/**
 * Recognises errors that mean "the database cannot be reached right now" (an outage, a restart, an exhausted
 * pool), as opposed to a bug: the API answers those 503 with `Retry-After`, so clients and monitors can tell
 * an outage from a defect and retry.
 */
import { AppError } from '../../common/errors';

/** Seconds a client is asked to wait before retrying during a database outage. */
export const DB_RETRY_AFTER_SECONDS = 5;

// Socket-level failures of node's net/dns (a refused, reset or timed-out connection).
const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ECONNABORTED',
  'ETIMEDOUT',
  'EPIPE',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
]);

// SQLSTATEs of an unavailable server: admin/crash shutdown, starting up, too many connections.
const UNAVAILABLE_SQLSTATES = new Set(['57P01', '57P02', '57P03', '53300']);

// node-postgres reports a lost connection with a plain Error and no code.
const PG_CONNECTION_MESSAGES =
  /^(Connection terminated|Client has encountered a connection error|timeout exceeded when trying to connect|Connection unexpectedly closed)/;

function isUnavailable(err: unknown, depth: number): boolean {
  if (err === null || typeof err !== 'object' || depth > 4) return false;
  const e = err as { code?: unknown; name?: unknown; message?: unknown; cause?: unknown; errors?: unknown };
  if (typeof e.code === 'string') {
    // SQLSTATE class 08: connection exception.
    if (NETWORK_CODES.has(e.code) || UNAVAILABLE_SQLSTATES.has(e.code) || /^08[0-9A-Z]{3}$/.test(e.code)) return true;
  }
  // knex's pool gave up waiting for a connection (the server is down or every connection is busy).
  if (e.name === 'KnexTimeoutError') return true;
  if (typeof e.message === 'string' && PG_CONNECTION_MESSAGES.test(e.message)) return true;
  // Connecting to a name with several addresses fails with an AggregateError; wrappers keep the reason as `cause`.
  if (Array.isArray(e.errors) && e.errors.some((x) => isUnavailable(x, depth + 1))) return true;
  return isUnavailable(e.cause, depth + 1);
}

/** 503 when `err` says the database is unreachable or refusing connections; `undefined` otherwise. */
export function translateDbUnavailable(err: unknown): AppError | undefined {
  if (!isUnavailable(err, 0)) return undefined;
  return new AppError(503, 'Service Unavailable', 'The database is temporarily unavailable; retry later');
}
