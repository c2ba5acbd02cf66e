import type { ErrorCode } from '../messaging/protocol.ts';

/** An expected failure with a stable code; the message handler turns it into a reply. */
export class VaultError extends Error {
  override readonly name = 'VaultError';
  constructor(readonly code: ErrorCode) {
    super(code);
  }
}
