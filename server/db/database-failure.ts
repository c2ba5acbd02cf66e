import { ApiError } from '../api-error.ts';

/**
 * Database failures a client should simply retry, told apart from bugs (docs/operations/database.md):
 * `busy` — the statement waited longer than DB_LOCK_TIMEOUT_MS for a row another transaction holds
 * (55P03 lock_not_available) or ran longer than DB_STATEMENT_TIMEOUT_MS (57014 query_canceled);
 * `unavailable` — the connection was lost or could not be opened (the server restarted, an operator
 * ended the backend, the network dropped). Either way the transaction was rolled back: nothing of
 * the request applied.
 */
export type DatabaseFailure = 'busy' | 'unavailable';

const BUSY_CODES: ReadonlySet<string> = new Set(['55P03', '57014']);
const UNAVAILABLE_CODES: ReadonlySet<string> = new Set([
  // admin_shutdown (pg_terminate_backend, a fast shutdown), crash_shutdown, cannot_connect_now
  '57P01',
  '57P02',
  '57P03',
  // too_many_connections: max_connections reached
  '53300',
  // postgres.js's own, when a connection drops or cannot be opened in DB_CONNECT_TIMEOUT_SECONDS.
  // Not CONNECTION_ENDED: that is this process having closed its pool, a bug if a request meets it.
  'CONNECTION_CLOSED',
  'CONNECTION_DESTROYED',
  'CONNECT_TIMEOUT',
  // the operating system's
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'EHOSTUNREACH',
]);

/** Seconds a client is asked to wait before it tries again. */
export const DATABASE_RETRY_AFTER_SECONDS = 2;

/** What kind of retryable failure `error` (or an error in its `cause` chain: drizzle wraps them) is. */
export function databaseFailure(error: unknown): DatabaseFailure | null {
  for (let current = error, depth = 0; current instanceof Error && depth < 5; depth++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string') {
      if (BUSY_CODES.has(code)) return 'busy';
      // Class 08: connection exceptions.
      if (UNAVAILABLE_CODES.has(code) || /^08[0-9A-Z]{3}$/.test(code)) return 'unavailable';
    }
    current = current.cause;
  }
  return null;
}

/** The answer to a retryable database failure: 503 with Retry-After, the original error as its cause. */
export function databaseFailureError(failure: DatabaseFailure, cause: unknown): ApiError {
  const headers = { 'retry-after': String(DATABASE_RETRY_AFTER_SECONDS) };
  const error =
    failure === 'busy'
      ? new ApiError(503, 'DATABASE_BUSY', 'The account is busy; retry shortly.', { headers })
      : new ApiError(503, 'DATABASE_UNAVAILABLE', 'The database is unavailable; retry shortly.', {
          headers,
        });
  error.cause = cause;
  return error;
}
