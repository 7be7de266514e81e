import type { Request } from 'express';
import { checkIfMatch, etagOf } from './etag';
import { temporalUiLink } from './temporal-ui';

const req = (ifMatch?: string) =>
  ({ header: (name: string) => (name === 'if-match' ? ifMatch : undefined) }) as unknown as Request;

describe('temporalUiLink', () => {
  it('points at the run history and encodes the workflow id', () => {
    expect(
      temporalUiLink({ temporalUiUrl: 'http://127.0.0.1:8233/', temporalNamespace: 'default' }, 'order/42 x', 'run-1'),
    ).toBe('http://127.0.0.1:8233/namespaces/default/workflows/order%2F42%20x/run-1/history');
  });
});

describe('If-Match', () => {
  const tag = etagOf({ id: '00000000-0000-0000-0000-000000000001', updated_at: new Date(0) });
  it('is required by default (428)', () =>
    expect(() => checkIfMatch(req(), tag)).toThrow(expect.objectContaining({ status: 428 })));
  it('may be optional', () => expect(() => checkIfMatch(req(), tag, { required: false })).not.toThrow());
  it('accepts the current tag, a list containing it, a weak form and *', () => {
    for (const h of [tag, `"other", ${tag}`, `W/${tag}`, '*']) expect(() => checkIfMatch(req(h), tag)).not.toThrow();
  });
  it('refuses a stale tag (412)', () =>
    expect(() => checkIfMatch(req('"stale"'), tag)).toThrow(expect.objectContaining({ status: 412 })));
  it('changes when the row changes', () =>
    expect(etagOf({ id: '00000000-0000-0000-0000-000000000001', updated_at: new Date(1) })).not.toBe(tag));
});
