import type { ErrorDetail } from '../messaging/error-messages.ts';
import type { ErrorCode } from '../messaging/protocol.ts';

/** An expected failure with a stable code; the message handler turns it into a reply. */
export class VaultError extends Error {
  override readonly name = 'VaultError';
  /** `detail`: what the message may name (server address, Retry-After…); never a secret. */
  constructor(
    readonly code: ErrorCode,
    readonly detail: ErrorDetail = {},
  ) {
    super(code);
  }
}
