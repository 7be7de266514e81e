import { ApplicationFailure } from '@temporalio/common';
import { engineFailure } from './engine-failures';
import { isUnavailable } from './unavailable';

const coded = (code: string | number, extra: Record<string, unknown> = {}) =>
  Object.assign(new Error(`failed ${code}`), { code, ...extra });

describe('isUnavailable', () => {
  it.each([
    ['a refused connection', coded('ECONNREFUSED')],
    ['a reset connection', coded('ECONNRESET')],
    ['PostgreSQL shutting down (57P01)', coded('57P01')],
    ['a connection exception (08006)', coded('08006')],
    ['too many connections (53300)', coded('53300')],
    ['a deadlock (40P01)', coded('40P01')],
    [
      'a knex pool timeout',
      Object.assign(new Error('Knex: Timeout acquiring a connection'), { name: 'KnexTimeoutError' }),
    ],
    ['a dropped pg connection', new Error('Connection terminated unexpectedly')],
    [
      'an AggregateError of refused addresses',
      Object.assign(new AggregateError([coded('ECONNREFUSED'), coded('ECONNREFUSED')], 'connect'), {}),
    ],
    [
      'a Temporal UNAVAILABLE status',
      Object.assign(new Error('service error'), { cause: coded(14, { metadata: {}, details: 'down' }) }),
    ],
  ])('is true for %s', (_what, err) => expect(isUnavailable(err)).toBe(true));

  it.each([
    ['a value too long (22001)', coded('22001')],
    ['a unique violation (23505)', coded('23505')],
    ['an undefined column (42703)', coded('42703')],
    ['a TypeError', new TypeError('x is undefined')],
    ['a Temporal INVALID_ARGUMENT status', coded(3, { metadata: {}, details: 'bad' })],
    ['nothing', undefined],
  ])('is false for %s', (_what, err) => expect(isUnavailable(err)).toBe(false));
});

describe('engineFailure', () => {
  it('keeps an outage retryable as Unavailable', () => {
    const f = engineFailure(coded('ECONNREFUSED')) as ApplicationFailure;
    expect([f.type, f.nonRetryable]).toEqual(['Unavailable', false]);
  });

  it('makes a database error no retry can fix non-retryable, named by its SQLSTATE', () => {
    const f = engineFailure(Object.assign(coded('22001'), { name: 'error' })) as ApplicationFailure;
    expect([f.type, f.nonRetryable]).toEqual(['DatabaseError', true]);
    expect(f.message).toMatch(/SQLSTATE 22001/);
  });

  it('makes any other error non-retryable under its own name, and passes ApplicationFailures through', () => {
    const f = engineFailure(new TypeError('boom')) as ApplicationFailure;
    expect([f.type, f.nonRetryable]).toEqual(['TypeError', true]);
    const own = ApplicationFailure.create({ type: 'NotFound', nonRetryable: true, message: 'gone' });
    expect(engineFailure(own)).toBe(own);
  });
});
