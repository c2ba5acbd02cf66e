import { describe, expect, it } from 'vitest';
import { sessionEndReasons } from '../../server/session-limits.ts';
import { SIGNED_OUT_REASONS, signedOutBecause } from './error-messages.ts';

describe('why this device was signed out', () => {
  it('has words of its own for every reason the server gives, none of them the general ones', () => {
    const general = signedOutBecause('a-reason-from-a-newer-server');
    expect(general).toBe(
      'The server ended the sign-in of this device. Log in again to keep using this vault.',
    );
    for (const reason of sessionEndReasons) {
      expect(SIGNED_OUT_REASONS[reason], reason).toBeTruthy();
      expect(signedOutBecause(reason), reason).not.toBe(general);
    }
  });

  it('says the operator did it, and that unsynced changes are kept', () => {
    expect(signedOutBecause('operator', 2)).toBe(
      "The server's operator signed out every device of this account. Log in again to keep using this " +
        'vault; your 2 unsynced changes are kept and will sync after you log in.',
    );
  });
});
