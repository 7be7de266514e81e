/**
 * What "a dependency is not answering" looks like, shared by the two places that must tell an outage from a
 * wrong call: engine activities (activities/unavailable.ts: retry without limit) and the API
 * (api/http/db-unavailable.ts: answer 503 with Retry-After). Each decides which codes count; this module walks
 * the wrapped errors and holds the socket-level codes both accept.
 */

/** Socket-level failures of node's net/dns: the peer is down, restarting, or unreachable. */
export const NETWORK_CODES: ReadonlySet<string> = new Set([
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

/** The fields of a thrown value the classifiers read. */
export interface ErrorFields {
  code?: unknown;
  name?: unknown;
  message?: unknown;
  errors?: unknown;
  cause?: unknown;
}

const MAX_DEPTH = 4;

/**
 * Whether `test` holds for `err` or for an error it wraps: its `cause` chain (the Temporal client wraps a gRPC
 * status, knex and pg wrap socket errors), and the members of an AggregateError (Node's happy-eyeballs connect
 * fails with one error per address), of which `members` say whether every one or some one must match.
 */
export function matchesInChain(
  err: unknown,
  test: (e: ErrorFields) => boolean,
  members: 'every' | 'some',
  depth = 0,
): boolean {
  if (err === null || typeof err !== 'object' || depth > MAX_DEPTH) return false;
  const e = err as ErrorFields;
  if (test(e)) return true;
  const nested = Array.isArray(e.errors) ? (e.errors as unknown[]) : [];
  if (nested.length > 0 && nested[members]((x) => matchesInChain(x, test, members, depth + 1))) return true;
  return matchesInChain(e.cause, test, members, depth + 1);
}
