/**
 * Security headers computed once. helmet's middleware rebuilds the same headers on every request (eleven
 * nested middlewares, the CSP string joined anew); with a static configuration their values never change,
 * so they are recorded once at start-up and every answer, of the Express stack and of the fast route, gets
 * exactly that list.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { RequestHandler } from 'express';

/** Header name and value pairs, in the order the middleware set them. */
export type StaticHeaders = ReadonlyArray<readonly [string, string]>;

/**
 * Runs a header-only middleware (e.g. `helmet()` with a static configuration: no per-request nonces) once
 * against a recording response and returns the headers it set. Throws when it does anything else.
 */
export function recordHeaders(middleware: RequestHandler): StaticHeaders {
  const headers: Array<[string, string]> = [];
  const recorder = {
    setHeader: (name: string, value: unknown) => void headers.push([name, String(value)]),
    // helmet removes X-Powered-By, which the app never sets (`x-powered-by` is disabled).
    removeHeader: () => undefined,
  };
  let done = false;
  middleware({ headers: {}, method: 'GET', url: '/' } as never, recorder as never, (err?: unknown) => {
    if (err) throw err;
    done = true;
  });
  if (!done) throw new Error('recordHeaders: the middleware did not finish synchronously with headers only');
  return headers;
}

/** Sets the recorded headers on a response. */
export function setStaticHeaders(res: ServerResponse, headers: StaticHeaders): void {
  for (const [name, value] of headers) res.setHeader(name, value);
}

/** The Express middleware form of {@link setStaticHeaders}. */
export function staticHeaders(headers: StaticHeaders): RequestHandler {
  return (_req: IncomingMessage, res, next) => {
    setStaticHeaders(res, headers);
    next();
  };
}
