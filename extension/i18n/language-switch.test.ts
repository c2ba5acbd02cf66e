import { afterAll, describe, expect, it } from 'vitest';
import {
  describeIssue,
  errorMessage,
  errorMessages,
  formatWait,
  SIGNED_OUT_REASONS,
} from '../messaging/error-messages.ts';
import { describeKdf, KDF_LEVELS } from '../messaging/kdf-levels.ts';
import { ErrorCode } from '../messaging/protocol.ts';
import { requestSchemas } from '../messaging/protocol-schemas.ts';
import { formatAgo } from '../popup/device-words.ts';
import { STRENGTH_LABELS } from '../popup/password-strength.ts';
import { builtMessages } from '../test-support/i18n.ts';
import { currentLanguage, useMessages } from './index.ts';

/**
 * Strings are read when used, so a language chosen while a page is open (Settings) shows at once:
 * the error tables, the zod checks' messages, the strength words, plurals and substitutions.
 */
describe('switching the language at runtime', () => {
  afterAll(async () => useMessages('en', await builtMessages('en')));

  it('answers in Japanese once Japanese is chosen, and in English again after', async () => {
    const parse = () =>
      requestSchemas.login.safeParse({ serverUrl: 'ftp://x', email: 'a@b.test', password: 'p' });
    const issue = () => {
      const parsed = parse();
      if (parsed.success) throw new Error('expected a failed check');
      return describeIssue(parsed.error.issues[0] as never);
    };
    expect(issue().message).toBe('Enter the server address, e.g. http://127.0.0.1:8787');
    expect(errorMessages.LOCKED).toBe('Keyhold is locked. Unlock it first.');

    useMessages('ja', await builtMessages('ja'));
    expect(currentLanguage()).toBe('ja');
    expect(errorMessages.LOCKED).toBe('Keyhold はロックされています。先にロックを解除してください。');
    expect(Object.keys(errorMessages)).toContain(ErrorCode.Locked);
    expect(issue()).toEqual({
      field: 'serverUrl',
      message: 'サーバーのアドレスを入力してください (例: http://127.0.0.1:8787)',
    });
    expect(errorMessage(ErrorCode.RateLimited, { retryAfterSeconds: 90 })).toBe(
      '試行回数が多すぎます。2 分後にもう一度お試しください。',
    );
    expect(formatWait(1)).toBe('1 秒');
    expect(SIGNED_OUT_REASONS.logout).toBe('この端末からログアウトしました。');
    expect(STRENGTH_LABELS[4]).toBe('とても強い');
    expect(KDF_LEVELS.standard.label).toMatch(/^標準/);
    expect(describeKdf({ alg: 'pbkdf2-sha256', iterations: 600_000 })).toBe(
      'PBKDF2-SHA-256、600,000 回の反復',
    );
    expect(formatAgo('2026-01-01T00:00:00Z', new Date('2026-01-01T00:05:00Z'))).toBe('5 分前');

    useMessages('en', await builtMessages('en'));
    expect(errorMessages.LOCKED).toBe('Keyhold is locked. Unlock it first.');
    expect(formatWait(1)).toBe('1 second');
    expect(formatAgo('2026-01-01T00:00:00Z', new Date('2026-01-01T00:01:00Z'))).toBe('1 minute ago');
  });

  it('names the row of a website in the order each language puts it', async () => {
    const fields = { title: 't', username: '', password: '', notes: '', uris: [{ url: ' ' }] };
    const row = () => {
      const parsed = requestSchemas.saveItem.safeParse({ fields });
      if (parsed.success) throw new Error('expected a failed check');
      return describeIssue(parsed.error.issues[0] as never).message;
    };
    expect(row()).toBe('Website address 1 is empty.');
    useMessages('ja', await builtMessages('ja'));
    expect(row()).toBe('ウェブサイトのアドレス 1が空です。');
    useMessages('en', await builtMessages('en'));
  });
});
