import { describe, expect, it } from '@jest/globals';
import { AppError } from '@np/contracts';
import { isDatabaseUnavailable, toDatabaseUnavailable } from './database-unavailable.js';

const withCode = (code: string, message = 'failed') => Object.assign(new Error(message), { code });

describe('isDatabaseUnavailable', () => {
  it.each([
    ['connection refused', withCode('ECONNREFUSED')],
    ['connection reset', withCode('ECONNRESET')],
    ['a connection exception (class 08)', withCode('08006')],
    ['admin_shutdown', withCode('57P01', 'terminating connection due to administrator command')],
    ['cannot_connect_now', withCode('57P03', 'the database system is starting up')],
    ['too_many_connections', withCode('53300')],
    ['a connection lost under a query', new Error('Connection terminated unexpectedly')],
    ['a pool acquire timeout', new Error('timeout exceeded when trying to connect')],
    ['a client whose connection failed', new Error('Client has encountered a connection error and is not queryable')],
    ['an AggregateError of refused addresses', new AggregateError([withCode('ECONNREFUSED')], 'connect failed')],
    ['a wrapped cause', new Error('query failed', { cause: withCode('57P01') })],
  ])('recognises %s', (_what, error) => {
    expect(isDatabaseUnavailable(error)).toBe(true);
  });

  it.each([
    ['a unique violation', withCode('23505', 'duplicate key value violates unique constraint')],
    ['a syntax error', withCode('42601')],
    ['a missing table', withCode('42P01', 'relation "x" does not exist')],
    ['a plain error', new Error('boom')],
    ['a non-error', 'Connection terminated'],
  ])('leaves %s alone', (_what, error) => {
    expect(isDatabaseUnavailable(error)).toBe(false);
  });
});

describe('toDatabaseUnavailable', () => {
  it('turns an outage into 503 database_unavailable and passes anything else through', () => {
    const mapped = toDatabaseUnavailable(withCode('ECONNREFUSED'));
    expect(mapped).toBeInstanceOf(AppError);
    expect(mapped).toMatchObject({ code: 'database_unavailable', status: 503 });

    const domain = new AppError('email_taken', 'taken');
    expect(toDatabaseUnavailable(domain)).toBe(domain);
    const other = withCode('23505');
    expect(toDatabaseUnavailable(other)).toBe(other);
  });
});
