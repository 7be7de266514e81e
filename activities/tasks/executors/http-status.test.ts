/** HTTP status mapping: expected sets, and which unexpected statuses are worth retrying. */
import { statusMatches, unexpectedStatus } from './http-status';

describe('statusMatches', () => {
  it('defaults to 2xx and accepts exact codes and classes', () => {
    expect(statusMatches(204, undefined)).toBe(true);
    expect(statusMatches(302, undefined)).toBe(false);
    expect(statusMatches(404, [200, '4xx'])).toBe(true);
    expect(statusMatches(201, [200])).toBe(false);
  });
});

describe('unexpectedStatus', () => {
  const at = (status: number, headers: Record<string, string> = {}) =>
    unexpectedStatus('task t', 'GET', 'http://x', { status, headers: new Headers(headers) }, 'body');
  it('is retryable for 5xx and 429 (honouring Retry-After), non-retryable for other 4xx', () => {
    expect(at(503).nonRetryable).toBe(false);
    expect(at(429, { 'retry-after': '2' })).toMatchObject({ nonRetryable: false, nextRetryDelay: 2000 });
    expect(at(400)).toMatchObject({ type: 'UnexpectedStatus', nonRetryable: true });
    expect(at(404).details).toEqual([{ status: 404, body: 'body' }]);
  });
});
