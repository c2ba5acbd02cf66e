import { HTTPException } from 'hono/http-exception';
import type { ContentfulStatusCode } from 'hono/utils/http-status';

export const errorCodes = [
  'VALIDATION',
  'MALFORMED_JSON',
  'UNAUTHENTICATED',
  'INVALID_TOKEN',
  'INVALID_DPOP_PROOF',
  'USE_DPOP_NONCE',
  'INVALID_CREDENTIALS',
  'FORBIDDEN_SCOPE',
  'NOT_FOUND',
  'ACCOUNT_EXISTS',
  'PAYLOAD_TOO_LARGE',
  'RATE_LIMITED',
  'TOO_MANY_STREAMS',
  'NOT_READY',
  'AUDIT_UNAVAILABLE',
  'LIMITS_UNAVAILABLE',
  'DATABASE_BUSY',
  'DATABASE_UNAVAILABLE',
  'KDF_TOO_WEAK',
  'INVALID_RECOVERY_KEY',
  'KEY_VERSION_STALE',
  'LINEAGE_CHANGED',
  'ROTATION_PENDING',
  'ROTATION_INCOMPLETE',
  'NO_ROTATION',
  'CREDENTIALS_CHANGED',
  'SESSION_ENDED',
  'INTERNAL',
] as const;
export type ErrorCode = (typeof errorCodes)[number];

/** The one error type of the server: a stable code, a human message and optionally the offending field. */
export class ApiError extends HTTPException {
  constructor(
    status: ContentfulStatusCode,
    readonly code: ErrorCode,
    message: string,
    /** `reason`: why a device session ended (SESSION_ENDED), sent in the error body. */
    readonly extra: { field?: string; headers?: Record<string, string>; reason?: string } = {},
  ) {
    super(status, { message });
  }
}
