/**
 * Redirect following for `http` and `integration` tasks, hop by hop through the egress client (so the policy
 * sees every target), at most MAX_REDIRECTS hops. Credentials never cross origins: on the first hop to another
 * origin (scheme, host or port) the integration's secret headers and `Authorization`, `Proxy-Authorization`
 * and `Cookie` are dropped, for this hop and every later one. Method and body change as fetch's do
 * (303, and 301/302 after a POST, become a GET without body).
 */
import { FailureType } from '../../../common/errors';
import { nonRetryable } from '../failures';
import type { HttpClient } from './client';

/** Most redirects one request follows before failing. */
export const MAX_REDIRECTS = 5;

/** A request as the executor built it. */
export interface OutgoingRequest {
  method: string;
  url: string;
  headers: Record<string, string>;
  body?: string;
}

const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);
const CREDENTIAL_HEADERS = ['authorization', 'proxy-authorization', 'cookie'];
const BODY_HEADERS = ['content-type', 'content-length', 'content-encoding', 'content-language', 'content-location'];

function withoutHeaders(headers: Record<string, string>, names: Iterable<string>): Record<string, string> {
  const drop = new Set([...names].map((n) => n.toLowerCase()));
  return Object.fromEntries(Object.entries(headers).filter(([k]) => !drop.has(k.toLowerCase())));
}

/** The request of the next hop, or undefined when `res` is not a redirect to follow. */
function nextHop(
  req: OutgoingRequest,
  res: Response,
  secretHeaders: readonly string[],
  where: string,
): OutgoingRequest | undefined {
  const location = REDIRECT_STATUSES.has(res.status) ? res.headers.get('location') : null;
  if (location === null) return undefined;
  let target: URL;
  try {
    target = new URL(location, req.url);
  } catch {
    target = new URL('invalid:');
  }
  if (target.protocol !== 'http:' && target.protocol !== 'https:') {
    throw nonRetryable(
      FailureType.UnexpectedStatus,
      `${where}: ${req.method} ${req.url} answered ${res.status} with a redirect to a non-http(s) location`,
      { status: res.status },
    );
  }
  let { method, body, headers } = req;
  if (
    res.status === 303
      ? method !== 'GET' && method !== 'HEAD'
      : (res.status === 301 || res.status === 302) && method === 'POST'
  ) {
    method = 'GET';
    body = undefined;
    headers = withoutHeaders(headers, BODY_HEADERS);
  }
  if (target.origin !== new URL(req.url).origin)
    headers = withoutHeaders(headers, [...secretHeaders, ...CREDENTIAL_HEADERS]);
  return { method, url: target.toString(), headers, body };
}

/**
 * Sends `req`, following redirects; returns the final response and the URL it came from. `secretHeaders`
 * names the headers that must never leave the request's origin.
 */
export async function sendFollowingRedirects(
  client: HttpClient,
  req: OutgoingRequest,
  opts: { signal: AbortSignal; secretHeaders: readonly string[]; where: string },
): Promise<{ res: Response; url: string }> {
  let current = req;
  for (let hops = 0; ; hops++) {
    const res = await client(current.url, {
      method: current.method,
      headers: current.headers,
      body: current.body,
      signal: opts.signal,
    });
    const next = nextHop(current, res, opts.secretHeaders, opts.where);
    if (!next) return { res, url: current.url };
    await res.body?.cancel();
    if (hops >= MAX_REDIRECTS) {
      throw nonRetryable(
        FailureType.UnexpectedStatus,
        `${opts.where}: ${req.method} ${req.url} redirected more than ${MAX_REDIRECTS} times`,
        { status: res.status },
      );
    }
    current = next;
  }
}
