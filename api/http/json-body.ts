/**
 * Reads a plain JSON request body (no Content-Encoding, UTF-8) the way `express.json()` does for the rest
 * of the API — same limit, same answers: 413 over the limit, 400 when it is not JSON or (strict mode) not
 * an object or array, `{}` for an empty body, a leading BOM ignored — without body-parser's per-request
 * machinery. Used by the fast route; anything else (compressed bodies, other charsets, `+json` types) goes
 * through `express.json()`.
 */
import type { IncomingMessage } from 'node:http';
import { AppError } from '../../common/errors';
import { bodyTooLarge, malformedJson } from './problem';

const PLAIN_JSON = /^application\/json\s*(;\s*charset\s*=\s*"?utf-8"?\s*)?$/i;
const UNITS: Record<string, number> = { b: 1, kb: 1024, mb: 1024 * 1024 };

/** Bytes of an API_BODY_LIMIT value (`<n>b`, `<n>kb`, `<n>mb`, as body-parser counts them). */
export function bodyLimitBytes(limit: string): number {
  const m = /^(\d+)(b|kb|mb)$/.exec(limit);
  if (!m) throw new Error(`Unsupported body limit ${limit}`);
  return Number(m[1]) * UNITS[m[2]!]!;
}

/** True when the request declares a body this reader handles: `application/json` (UTF-8), not compressed. */
export function isPlainJson(req: IncomingMessage): boolean {
  const type = req.headers['content-type'];
  const encoding = req.headers['content-encoding'];
  return (
    type !== undefined && PLAIN_JSON.test(type) && (encoding === undefined || encoding.toLowerCase() === 'identity')
  );
}

/** Parses body text as body-parser's strict JSON parser does. */
export function parseStrictJson(text: string): unknown {
  const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  if (body.length === 0) return {};
  const first = /^[\x20\x09\x0a\x0d]*(.)/s.exec(body)?.[1];
  if (first !== '{' && first !== '[') throw malformedJson();
  try {
    return JSON.parse(body);
  } catch {
    throw malformedJson();
  }
}

/** Reads and parses the body; rejects with the AppError to answer. */
export function readJsonBody(req: IncomingMessage, limit: number): Promise<unknown> {
  return new Promise((resolve, reject) => {
    if (Number(req.headers['content-length'] ?? 0) > limit) return reject(bodyTooLarge());
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size <= limit) return void chunks.push(chunk);
      // Stop collecting; the rest of the body is read and discarded so the connection stays usable.
      req.off('data', onData);
      req.resume();
      reject(bodyTooLarge());
    };
    req.on('data', onData);
    req.once('end', () => {
      try {
        resolve(parseStrictJson(Buffer.concat(chunks, size).toString('utf8')));
      } catch (err) {
        reject(err);
      }
    });
    req.once('error', () => reject(AppError.badRequest('Request aborted')));
  });
}
