/**
 * Credentials echoed back by a far end (request headers reflected in a body, a header or an error page) must
 * not reach task outputs, failure messages, task_instances or Temporal history. The scrubber replaces every
 * occurrence of each credential, and of its simple encodings (base64, base64url, URL-encoding, the decoded
 * `user:password` of Basic auth and the password alone), with `[redacted]` in strings and object keys.
 * A credential transformed by a template (`$uppercase(...)`) is not recognised.
 */
import { ApplicationFailure } from '@temporalio/common';

/** What replaces a credential. */
export const REDACTED = '[redacted]';

// Fragments shorter than this are not scrubbed: replacing every "ab" would mangle outputs and hide nothing.
const MIN_SECRET_LENGTH = 4;

/** Replaces credentials in values; the identity when there are none. */
export interface Scrubber {
  value<T>(v: T): T;
  failure(err: unknown): unknown;
}

function variants(secret: string): string[] {
  const bytes = Buffer.from(secret, 'utf8');
  return [
    secret,
    encodeURIComponent(secret),
    bytes.toString('base64'),
    bytes.toString('base64url'),
    JSON.stringify(secret).slice(1, -1),
  ];
}

/** The credential strings carried by auth header values (`Basic …`, `Bearer …`, or a bare key). */
export function secretsOfHeaders(values: Iterable<string>): string[] {
  const out: string[] = [];
  for (const v of values) {
    out.push(v);
    const basic = /^Basic\s+(\S+)$/i.exec(v);
    if (basic) {
      const pair = Buffer.from(basic[1], 'base64').toString('utf8');
      out.push(basic[1], pair, pair.slice(pair.indexOf(':') + 1));
    }
    const bearer = /^Bearer\s+(\S+)$/i.exec(v);
    if (bearer) out.push(bearer[1]);
  }
  return out;
}

/** Builds a scrubber for these credentials. */
export function createScrubber(secrets: Iterable<string>): Scrubber {
  const needles = [...new Set([...secrets].filter((s) => s.length >= MIN_SECRET_LENGTH).flatMap(variants))]
    .filter((s) => s.length >= MIN_SECRET_LENGTH)
    .sort((a, b) => b.length - a.length);
  const text = (s: string): string =>
    needles.reduce((acc, n) => (acc.includes(n) ? acc.split(n).join(REDACTED) : acc), s);
  const walk = (v: unknown): unknown => {
    if (typeof v === 'string') return text(v);
    if (Array.isArray(v)) return v.map(walk);
    if (v && typeof v === 'object' && Object.getPrototypeOf(v) === Object.prototype) {
      return Object.fromEntries(Object.entries(v).map(([k, x]) => [text(k), walk(x)]));
    }
    return v;
  };
  return {
    value: <T>(v: T) => (needles.length === 0 ? v : (walk(v) as T)),
    failure(err) {
      if (needles.length === 0 || !(err instanceof Error)) return err;
      if (!(err instanceof ApplicationFailure)) {
        err.message = text(err.message);
        return err;
      }
      return ApplicationFailure.create({
        type: err.type ?? undefined,
        message: text(err.message),
        nonRetryable: err.nonRetryable ?? undefined,
        details: err.details ? (walk(err.details) as unknown[]) : undefined,
        nextRetryDelay: err.nextRetryDelay ?? undefined,
      });
    },
  };
}
