import type { IncomingMessage } from 'node:http';
import helmet from 'helmet';
import { bodyLimitBytes, isPlainJson, parseStrictJson } from './json-body';
import { recordHeaders } from './security-headers';

const req = (headers: Record<string, string>) => ({ headers }) as unknown as IncomingMessage;

describe("the fast route's JSON body rules (those of express.json())", () => {
  it('counts API_BODY_LIMIT in bytes as body-parser does', () => {
    expect([bodyLimitBytes('512b'), bodyLimitBytes('10kb'), bodyLimitBytes('1mb')]).toEqual([512, 10_240, 1_048_576]);
  });

  it('takes only uncompressed application/json in UTF-8', () => {
    for (const type of [
      'application/json',
      'Application/JSON',
      'application/json; charset=utf-8',
      'application/json;charset="UTF-8"',
    ])
      expect(isPlainJson(req({ 'content-type': type }))).toBe(true);
    expect(isPlainJson(req({ 'content-type': 'application/json', 'content-encoding': 'identity' }))).toBe(true);
    for (const type of [
      'application/cloudevents+json',
      'application/json; charset=latin1',
      'text/plain',
      'application/json; x=1',
    ])
      expect(isPlainJson(req({ 'content-type': type }))).toBe(false);
    expect(isPlainJson(req({ 'content-type': 'application/json', 'content-encoding': 'gzip' }))).toBe(false);
    expect(isPlainJson(req({}))).toBe(false);
  });

  it('parses objects and arrays, an empty body as {}, and ignores a BOM', () => {
    expect(parseStrictJson(' \n{"a":1}')).toEqual({ a: 1 });
    expect(parseStrictJson('[1]')).toEqual([1]);
    expect(parseStrictJson('')).toEqual({});
    expect(parseStrictJson('\uFEFF{"a":1}')).toEqual({ a: 1 });
  });

  it('refuses malformed JSON and top-level scalars with 400 naming /body', () => {
    for (const text of ['{', '"x"', '1', 'null', 'true', ' ', '{"a":1}x']) {
      expect(() => parseStrictJson(text)).toThrow(
        expect.objectContaining({ status: 400, errors: [{ pointer: '/body', message: 'malformed JSON' }] }),
      );
    }
  });
});

describe('recorded security headers', () => {
  it('are the headers helmet sets, recorded once', () => {
    const headers = new Map(recordHeaders(helmet()));
    expect(headers.get('Content-Security-Policy')).toContain("default-src 'self'");
    expect(headers.get('X-Content-Type-Options')).toBe('nosniff');
    expect(headers.get('Strict-Transport-Security')).toMatch(/^max-age=/);
  });

  it('refuse a middleware that does not finish synchronously', () => {
    expect(() => recordHeaders(() => undefined)).toThrow(/did not finish/);
  });
});
