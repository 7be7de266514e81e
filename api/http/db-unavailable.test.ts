import { KnexTimeoutError } from 'knex';
import { toProblem } from './problem';

const sysError = (code: string) => Object.assign(new Error(`connect ${code} 127.0.0.1:5432`), { code });
const pgError = (code: string) => Object.assign(new Error('server said no'), { code, severity: 'FATAL' });

describe('database unavailability is 503, a bug stays 500', () => {
  it.each([
    ['a refused connection', sysError('ECONNREFUSED')],
    ['a reset connection', sysError('ECONNRESET')],
    [
      'a refused connection to every address of a name',
      Object.assign(new AggregateError([sysError('ECONNREFUSED')]), { code: 'ECONNREFUSED' }),
    ],
    ['a lost connection (node-postgres)', new Error('Connection terminated unexpectedly')],
    [
      'an exhausted pool (knex)',
      new KnexTimeoutError('Knex: Timeout acquiring a connection. The pool is probably full.'),
    ],
    ['admin shutdown (57P01)', pgError('57P01')],
    ['the server starting up (57P03)', pgError('57P03')],
    ['too many connections (53300)', pgError('53300')],
    ['a connection exception (08006)', pgError('08006')],
    ['a wrapped cause', new Error('store failed', { cause: sysError('ETIMEDOUT') })],
  ])('%s', (_what, err) => {
    expect(toProblem(err)).toEqual(expect.objectContaining({ status: 503, title: 'Service Unavailable' }));
  });

  it.each([
    ['a TypeError', new TypeError("Cannot read properties of undefined (reading 'x')")],
    ['an undefined table (42P01)', pgError('42P01')],
    ['a syntax error (42601)', pgError('42601')],
  ])('%s', (_what, err) => expect(toProblem(err).status).toBe(500));
});
