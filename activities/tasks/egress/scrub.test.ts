/** The credential scrubber: exact values and their simple encodings, in strings, keys and failures. */
import { ApplicationFailure } from '@temporalio/common';
import { createScrubber, REDACTED, secretsOfHeaders } from './scrub';

const PASSWORD = 'pa ss/w+rd';
const basic = `Basic ${Buffer.from(`ada:${PASSWORD}`).toString('base64')}`;
const scrubber = createScrubber(secretsOfHeaders([basic, 'Bearer tok-123456', 'sk-KEY-999']));

describe('the credential scrubber', () => {
  it('replaces each credential and its encodings wherever a far end echoed it', () => {
    const echoed = {
      authorization: basic,
      decoded: `user ada:${PASSWORD}`,
      password: PASSWORD,
      urlEncoded: `?p=${encodeURIComponent(PASSWORD)}`,
      base64Key: Buffer.from('sk-KEY-999').toString('base64'),
      bearer: ['Bearer tok-123456', 'tok-123456'],
      'sk-KEY-999': 'as a key',
      keep: { n: 1, ok: true, none: null, text: 'ada is fine' },
    };
    const out = scrubber.value(echoed);
    expect(JSON.stringify(out)).not.toMatch(/pa ss|tok-123456|sk-KEY-999|c2stS0VZLTk5OQ|YWRh/);
    expect(out.authorization).toBe(REDACTED);
    expect(out.decoded).toBe(`user ${REDACTED}`);
    expect(out.keep).toEqual({ n: 1, ok: true, none: null, text: 'ada is fine' });
    expect(Object.keys(out)).toContain(REDACTED);
  });

  it('rebuilds an ApplicationFailure with the message and details scrubbed, keeping type and retryability', () => {
    const err = ApplicationFailure.create({
      type: 'UnexpectedStatus',
      message: 'echo sk-KEY-999',
      nonRetryable: false,
      details: [{ body: 'tok-123456' }],
      nextRetryDelay: 1000,
    });
    const out = scrubber.failure(err) as ApplicationFailure;
    expect(out).toMatchObject({
      type: 'UnexpectedStatus',
      message: `echo ${REDACTED}`,
      nonRetryable: false,
      details: [{ body: REDACTED }],
      nextRetryDelay: 1000,
    });
  });

  it('is the identity without credentials, and ignores fragments too short to mean anything', () => {
    const value = { a: 'x' };
    expect(createScrubber([]).value(value)).toBe(value);
    expect(createScrubber(['ab']).value({ s: 'abc' })).toEqual({ s: 'abc' });
  });
});
