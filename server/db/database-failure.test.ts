import { describe, expect, it } from 'vitest';
import { ApiError } from '../api-error.ts';
import { databaseFailure, databaseFailureError } from './database-failure.ts';

const coded = (code: string, cause?: unknown) =>
  Object.assign(new Error('query failed: select … $1', cause === undefined ? {} : { cause }), { code });

describe('databaseFailure', () => {
  it('calls a lock timeout and a cancelled statement busy', () => {
    expect(databaseFailure(coded('55P03'))).toBe('busy');
    expect(databaseFailure(coded('57014'))).toBe('busy');
  });

  it('calls a lost or refused connection unavailable', () => {
    for (const code of ['57P01', '57P03', '08006', '08001', '53300', 'CONNECTION_CLOSED', 'ECONNREFUSED']) {
      expect(databaseFailure(coded(code)), code).toBe('unavailable');
    }
  });

  it('finds the code in the cause chain (drizzle wraps the driver error)', () => {
    const wrapped = new Error('Failed query', { cause: coded('55P03') });
    expect(databaseFailure(wrapped)).toBe('busy');
  });

  it('leaves every other error alone: a bug stays a 500', () => {
    expect(databaseFailure(coded('23505'))).toBeNull();
    expect(databaseFailure(coded('42P01'))).toBeNull();
    // This process closed its own pool: a bug if a request still meets it.
    expect(databaseFailure(coded('CONNECTION_ENDED'))).toBeNull();
    expect(databaseFailure(new Error('plain'))).toBeNull();
    expect(databaseFailure('55P03')).toBeNull();
    expect(databaseFailure(undefined)).toBeNull();
  });
});

describe('databaseFailureError', () => {
  it('answers 503 with Retry-After and a code a client retries, never the driver message', () => {
    const cause = coded('55P03');
    const busy = databaseFailureError('busy', cause);
    expect(busy).toBeInstanceOf(ApiError);
    expect(busy.status).toBe(503);
    expect(busy.code).toBe('DATABASE_BUSY');
    expect(busy.message).toBe('The account is busy; retry shortly.');
    expect(busy.extra.headers).toEqual({ 'retry-after': '2' });
    expect(busy.cause).toBe(cause);
    const gone = databaseFailureError('unavailable', coded('57P01'));
    expect(gone.code).toBe('DATABASE_UNAVAILABLE');
    expect(gone.message).not.toContain('select');
  });
});
