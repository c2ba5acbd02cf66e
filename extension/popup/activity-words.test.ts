import { describe, expect, it } from 'vitest';
import { auditEventTypes } from '../../server/audit/event-types.ts';
import { useMessages } from '../i18n/index.ts';
import type { ActivityEvent } from '../messaging/protocol.ts';
import { builtMessages } from '../test-support/i18n.ts';
import {
  type DateStyle,
  describeActivity,
  describeAddress,
  describeDevice,
  formatWhen,
  shortSessionId,
} from './activity-words.ts';

const UTC: DateStyle = { locale: 'en-GB', timeZone: 'UTC' };
const says = (type: string, details: ActivityEvent['details'] = {}) =>
  describeActivity({ type, details }, UTC);

describe('describeActivity: what happened, in words', () => {
  it('says what each kind of event the server records means', () => {
    const cases: [string, ActivityEvent['details'], string][] = [
      ['account.created', {}, 'Account created'],
      ['account.deleted', { sessionsEnded: 2 }, 'Account deleted; 2 device sessions ended'],
      ['account.deleted', { sessionsEnded: 1 }, 'Account deleted; 1 device session ended'],
      [
        'account.locked',
        { failedAttempts: 5, until: '2026-11-30T14:32:00.000Z' },
        'Account locked after 5 failed attempts until 14:32',
      ],
      ['login.succeeded', {}, 'Signed in'],
      ['login.failed', { reason: 'wrong-key' }, 'Wrong master password entered'],
      [
        'rate.limited',
        { reason: 'account-locked', retryAfterSeconds: 90 },
        'Sign-in refused: account locked for another 2 minutes',
      ],
      ['refresh.reused', {}, 'A refresh token was used a second time: someone may hold a copy of it'],
      ['session.revoked', { reason: 'logout' }, 'Signed out'],
      ['session.revoked', { reason: 'refresh-reuse' }, 'Session ended: a refresh token was used twice'],
      ['session.revoked', { reason: 'remote-logout', by: 'x' }, 'Signed out from another device'],
      ['session.revoked', { reason: 'others-logged-out' }, 'Signed out with "Log out all other devices"'],
      ['session.revoked', { reason: 'idle' }, 'Session ended: unused for too long'],
      ['session.revoked', { reason: 'absolute' }, 'Session ended: reached its maximum age'],
      ['session.revoked', { reason: 'password-change' }, 'Session ended: the master password was changed'],
      ['session.revoked', { reason: 'key-rotation' }, 'Session ended: the encryption key was replaced'],
      ['session.revoked', { reason: 'operator' }, "Signed out by the server's operator"],
      [
        'database.restored',
        { lineage: 'x', revisionFloor: 1 },
        'The server was restored from a backup: changes made shortly before it may have been undone',
      ],
      [
        'session.revoked',
        { reason: 'session-cap' },
        'Session ended: too many devices signed in, this one was used least recently',
      ],
      [
        'token.expired',
        { kind: 'access', expiredAt: '2026-11-30T14:00:00.000Z' },
        'An expired access token was refused',
      ],
      [
        'token.expired',
        { kind: 'refresh', expiredAt: '2026-11-30T14:00:00.000Z' },
        'An expired refresh token was refused',
      ],
      [
        'push.refused',
        { code: 'VALIDATION', field: 'changes.3.ciphertext' },
        'Sync refused: a change was not valid (changes.3.ciphertext)',
      ],
      ['push.refused', { code: 'MALFORMED_JSON', field: null }, 'Sync refused: the request was garbled'],
      [
        'push.refused',
        { code: 'PAYLOAD_TOO_LARGE', field: null },
        'Sync refused: the changes were too large',
      ],
      [
        'push.conflict-storm',
        { changes: 40, conflicts: 25 },
        'Sync sent 25 of 40 changes based on out-of-date copies',
      ],
      ['recovery.key-created', { replaced: false }, 'Recovery key created'],
      [
        'recovery.key-created',
        { replaced: true },
        'New recovery key created; the previous one no longer works',
      ],
      ['recovery.failed', { reason: 'wrong-key' }, 'Wrong recovery key entered'],
      [
        'recovery.failed',
        { reason: 'no-recovery-key' },
        'Account recovery tried, but no recovery key is set',
      ],
      ['recovery.failed', { reason: 'unknown-account' }, 'Account recovery failed'],
      [
        'account.recovered',
        { sessionsEnded: 2 },
        'Master password reset with the recovery key; 2 device sessions ended',
      ],
      [
        'password.changed',
        { otherSessionsEnded: 1 },
        'Master password changed; 1 other device session ended',
      ],
      ['kdf.upgraded', { alg: 'argon2id' }, 'Master password protection strengthened (Argon2id)'],
      ['key.rotation-started', { keyVersion: 2 }, 'Encryption key replacement started (key version 2)'],
      [
        'key.rotated',
        { keyVersion: 2, otherSessionsEnded: 3 },
        'Encryption key replaced (key version 2); 3 other device sessions ended',
      ],
      ['vault.reset', { itemsDeleted: 40 }, 'Vault reset under a new master password; 40 items deleted'],
      [
        'vault.exported',
        { format: 'keyhold', items: 120 },
        'Vault exported (encrypted Keyhold file, 120 items)',
      ],
      ['vault.exported', { format: 'json', items: 1 }, 'Vault exported (unencrypted JSON file, 1 item)'],
      ['vault.exported', { format: 'csv', items: 0 }, 'Vault exported (unencrypted CSV file, 0 items)'],
    ];
    for (const [type, details, words] of cases) expect(says(type, details), type).toBe(words);
  });

  it('has its own words for every event type the server knows', () => {
    for (const type of auditEventTypes) expect(says(type), type).not.toMatch(/^Security event:/);
  });

  it('still says something true when details are missing or unexpected', () => {
    expect(says('account.locked')).toBe('Account locked');
    expect(says('account.locked', { failedAttempts: 6, until: 'not a date' })).toBe(
      'Account locked after 6 failed attempts',
    );
    expect(says('account.deleted', { sessionsEnded: 'many' })).toBe('Account deleted');
    expect(says('login.failed', { reason: 'something-new' })).toBe('Sign-in failed');
    expect(says('rate.limited', { reason: 'account-locked' })).toBe('Sign-in refused: account locked');
    expect(says('session.revoked', {})).toBe('Session ended');
    expect(says('push.refused', { code: 'NEW_CODE' })).toBe('Sync refused (NEW_CODE)');
    expect(says('push.refused', {})).toBe('Sync refused');
    expect(says('push.conflict-storm', {})).toBe('Sync sent many out-of-date changes at once');
    expect(says('password.changed', {})).toBe('Master password changed');
    expect(says('kdf.upgraded', { alg: 'scrypt' })).toBe('Master password protection strengthened');
    expect(says('key.rotated', { keyVersion: 'x' })).toBe('Encryption key replaced');
    expect(says('vault.reset', {})).toBe('Vault reset under a new master password');
    expect(says('vault.exported', {})).toBe('Vault exported');
    expect(says('vault.exported', { format: 'xml', items: 3 })).toBe('Vault exported (3 items)');
    expect(says('vault.exported', { format: 'toString', items: 3 })).toBe('Vault exported (3 items)');
    expect(says('vault.exported', { format: 'csv', items: 'many' })).toBe(
      'Vault exported (unencrypted CSV file)',
    );
  });

  it('words an export in Japanese with its format and count', async () => {
    useMessages('ja', await builtMessages('ja'));
    try {
      expect(says('vault.exported', { format: 'keyhold', items: 120 })).toBe(
        '保管庫をエクスポート (暗号化された Keyhold ファイル、120 件の項目)',
      );
      expect(says('vault.exported', { format: 'csv' })).toBe(
        '保管庫をエクスポート (暗号化されていない CSV ファイル)',
      );
    } finally {
      useMessages('en', await builtMessages('en'));
    }
  });

  it('shows an event type from a newer server by its name', () => {
    expect(says('vault.shared', { x: 1 })).toBe('Security event: vault.shared');
  });
});

describe('describeDevice: which device', () => {
  const sessionId = '3F2A9C1B-0d4e-4f5a-9b6c-7d8e9f0a1b2c';

  it('calls the session this extension is signed in with "This device", with its short id', () => {
    expect(
      describeDevice({ sessionId, name: 'Keyhold browser extension', current: true, ended: false }),
    ).toBe('This device · session 3f2a9c1b');
  });

  it('names another device and says when its session ended', () => {
    expect(describeDevice({ sessionId, name: 'Work laptop', current: false, ended: false })).toBe(
      'Work laptop · session 3f2a9c1b',
    );
    expect(describeDevice({ sessionId, name: 'Work laptop', current: false, ended: true })).toBe(
      'Work laptop · session 3f2a9c1b (signed out)',
    );
    expect(describeDevice({ sessionId, name: null, current: false, ended: true })).toBe(
      'Unnamed device · session 3f2a9c1b (signed out)',
    );
  });

  it('says nothing for events without a session', () => {
    expect(describeDevice(null)).toBeNull();
  });

  it('gives every event of a session the same short id, and different sessions different ones', () => {
    expect(shortSessionId(sessionId)).toBe(shortSessionId(sessionId.toLowerCase()));
    expect(shortSessionId(sessionId)).not.toBe(shortSessionId('9c1b3f2a-0d4e-4f5a-9b6c-7d8e9f0a1b2c'));
  });
});

describe('when and from where', () => {
  it('writes the local date and time to the second', () => {
    expect(formatWhen('2026-11-30T14:32:05.000Z', UTC)).toBe('30 Nov 2026, 14:32:05');
    expect(formatWhen('2026-11-30T14:32:05.000Z', { locale: 'en-GB', timeZone: 'Asia/Tokyo' })).toBe(
      '30 Nov 2026, 23:32:05',
    );
  });

  it('shows the address the server saw, IPv4 without its IPv6 mapping', () => {
    expect(describeAddress('203.0.113.7')).toBe('from 203.0.113.7');
    expect(describeAddress('::ffff:203.0.113.7')).toBe('from 203.0.113.7');
    expect(describeAddress('2001:db8::1')).toBe('from 2001:db8::1');
    expect(describeAddress(null)).toBeNull();
  });
});
