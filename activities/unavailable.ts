/**
 * "The database (or Temporal) is not answering" versus "this request is wrong". The first only needs time:
 * engine activities retry it without an attempt limit. The second will fail the same way on every attempt.
 */
import { matchesInChain, NETWORK_CODES, type ErrorFields } from '../common/error-chain';

// PostgreSQL SQLSTATEs of an unavailable or overloaded server, and of conflicts that a retry resolves:
// 08 connection exception, 53 insufficient resources, 57P01-57P03 shutdown / cannot connect now,
// 58 system (I/O) error, 40001 serialization failure, 40P01 deadlock, 55P03 lock not available.
const TRANSIENT_SQLSTATE = /^(08|53|57P0[123]|58|40001|40P01|55P03)/;

// node-postgres reports a dropped connection without a code.
const DROPPED_CONNECTION =
  /Connection terminated|connection timeout|Client has encountered a connection error|server closed the connection/i;

// gRPC status codes of a Temporal frontend that is down or overloaded (UNAVAILABLE, DEADLINE_EXCEEDED, RESOURCE_EXHAUSTED).
const GRPC_TRANSIENT = new Set([14, 4, 8]);

/** One error of the chain: a socket failure, a transient SQLSTATE, a transient gRPC status, a pool timeout. */
function transient(e: ErrorFields): boolean {
  if (typeof e.code === 'string' && (NETWORK_CODES.has(e.code) || TRANSIENT_SQLSTATE.test(e.code))) return true;
  // A gRPC status (the Temporal client wraps it as the `cause` of a ServiceError).
  if (typeof e.code === 'number' && 'metadata' in e && GRPC_TRANSIENT.has(e.code)) return true;
  // knex: no pooled connection could be acquired in time (every connect attempt failing, or pool exhausted).
  if (e.name === 'KnexTimeoutError') return true;
  return typeof e.message === 'string' && DROPPED_CONNECTION.test(e.message);
}

/**
 * True when `err` says a dependency (PostgreSQL, the knex pool, Temporal) is unavailable, not that the call was
 * wrong; an AggregateError counts only when every member does.
 */
export function isUnavailable(err: unknown): boolean {
  return matchesInChain(err, transient, 'every');
}
