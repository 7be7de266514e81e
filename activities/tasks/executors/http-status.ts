/** Expected-status matching and the failure a status outside the set becomes. */
import type { ApplicationFailure } from '@temporalio/common';
import { FailureType } from '../../../common/errors';
import { createFailure } from '../../../common/errors/failures';

/** `config.expected_status` entries: exact codes (200) or classes ("2xx"); default ["2xx"]. */
export type StatusSpec = number | string;

/** True when `status` matches one of `expected`. */
export function statusMatches(status: number, expected: StatusSpec[] | undefined): boolean {
  const specs = expected && expected.length > 0 ? expected : ['2xx'];
  return specs.some((s) => {
    if (typeof s === 'number') return s === status;
    const m = /^([1-5])xx$/i.exec(s.trim());
    return m ? Math.floor(status / 100) === Number(m[1]) : Number(s) === status;
  });
}

// Statuses that say "try again later": the server may recover, so Temporal's retry policy applies.
const TRANSIENT = new Set([408, 425, 429]);

/** Retry-After (seconds or HTTP date) as milliseconds, capped so a hostile header cannot park a task for days. */
function retryAfterMs(header: string | null): number | undefined {
  if (!header) return undefined;
  const secs = Number(header);
  const ms = Number.isFinite(secs) ? secs * 1000 : Date.parse(header) - Date.now();
  return Number.isFinite(ms) && ms > 0 ? Math.min(ms, 300_000) : undefined;
}

/**
 * An `UnexpectedStatus` failure: retryable for 5xx, 408, 425 and 429 (honouring Retry-After), non-retryable
 * for other 4xx (and anything else outside the expected set), since resending the same request cannot fix it.
 */
export function unexpectedStatus(
  where: string,
  method: string,
  url: string,
  res: { status: number; headers: Headers },
  body: unknown,
): ApplicationFailure {
  const transient = res.status >= 500 || TRANSIENT.has(res.status);
  const preview = typeof body === 'string' ? body.slice(0, 500) : body;
  return createFailure(FailureType.UnexpectedStatus, `${where}: ${method} ${url} answered ${res.status}`, {
    nonRetryable: !transient,
    details: { status: res.status, body: preview },
    nextRetryDelay: transient ? retryAfterMs(res.headers.get('retry-after')) : undefined,
  });
}
