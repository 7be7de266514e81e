/**
 * Recognises errors that mean "the database cannot be reached right now" (an outage, a restart, an exhausted
 * pool), as opposed to a bug: the API answers those 503 with `Retry-After`, so clients and monitors can tell
 * an outage from a defect and retry.
 */
import { matchesInChain, NETWORK_CODES, type ErrorFields } from '../../common/error-chain';
import { AppError } from '../../common/errors';

/** Seconds a client is asked to wait before retrying during a database outage. */
export const DB_RETRY_AFTER_SECONDS = 5;

// SQLSTATEs of an unavailable server: admin/crash shutdown, starting up, too many connections.
const UNAVAILABLE_SQLSTATES = new Set(['57P01', '57P02', '57P03', '53300']);

// node-postgres reports a lost connection with a plain Error and no code.
const PG_CONNECTION_MESSAGES =
  /^(Connection terminated|Client has encountered a connection error|timeout exceeded when trying to connect|Connection unexpectedly closed)/;

/** One error of the chain: a socket failure, an unavailable server, a lost connection, a pool timeout. */
function unavailable(e: ErrorFields): boolean {
  // SQLSTATE class 08: connection exception.
  if (
    typeof e.code === 'string' &&
    (NETWORK_CODES.has(e.code) || UNAVAILABLE_SQLSTATES.has(e.code) || /^08[0-9A-Z]{3}$/.test(e.code))
  ) {
    return true;
  }
  // knex's pool gave up waiting for a connection (the server is down or every connection is busy).
  if (e.name === 'KnexTimeoutError') return true;
  return typeof e.message === 'string' && PG_CONNECTION_MESSAGES.test(e.message);
}

/** 503 when `err` says the database is unreachable or refusing connections; `undefined` otherwise. */
export function translateDbUnavailable(err: unknown): AppError | undefined {
  if (!matchesInChain(err, unavailable, 'some')) return undefined;
  return new AppError(503, 'Service Unavailable', 'The database is temporarily unavailable; retry later');
}
