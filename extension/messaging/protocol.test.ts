import { describe, expect, it } from 'vitest';
import { describeIssue, errorMessage, errorMessages, formatWait } from './error-messages.ts';
import { itemInputSchema } from './item-input-schemas.ts';
import { ErrorCode, type ItemInputRaw } from './protocol.ts';
import { requestSchemas } from './protocol-schemas.ts';

const fields = (change: Partial<ItemInputRaw> = {}): ItemInputRaw => ({
  title: 'Bank',
  username: 'ada',
  password: 'pw',
  uris: [{ url: 'https://bank.example', match: 'domain' }],
  notes: '',
  totp: '',
  ...change,
});

/** Every issue of a saveItem request as the user would read it. */
function problems(f: ItemInputRaw) {
  const parsed = requestSchemas.saveItem.safeParse({ fields: f });
  return parsed.success ? [] : parsed.error.issues.map(describeIssue);
}

describe('itemInputSchema', () => {
  it('refuses a TOTP secret that is not one, naming the field', () => {
    expect(problems(fields({ totp: 'not a secret!!' }))).toEqual([
      {
        field: 'fields.totp',
        message:
          'The one-time code secret is not valid: paste the Base32 secret (letters A–Z and digits 2–7) or an otpauth://totp/ URI.',
      },
    ]);
  });

  it('accepts a Base32 secret, an otpauth://totp URI, and no secret', () => {
    for (const totp of [
      'JBSWY3DPEHPK3PXP',
      'jbsw y3dp ehpk 3pxp',
      'otpauth://totp/A?secret=JBSWY3DPEHPK3PXP',
      '',
    ]) {
      expect(problems(fields({ totp })), totp).toEqual([]);
    }
  });

  it('refuses a javascript: website, naming the row', () => {
    const f = fields({
      uris: [
        { url: 'https://bank.example', match: 'domain' },
        { url: 'javascript:alert(1)', match: 'domain' },
      ],
    });
    expect(problems(f)).toEqual([
      {
        field: 'fields.uris.1.url',
        message:
          'Website address 2 is not a web address: use one that starts with https:// or http:// (or an app address: androidapp://, iosapp://).',
      },
    ]);
  });

  it('keeps host-only, app and http(s) websites', () => {
    const uris = [
      'bank.example/login',
      'androidapp://com.bank.app',
      'iosapp://com.bank.app',
      'http://10.0.0.1',
    ];
    expect(problems(fields({ uris: uris.map((url) => ({ url, match: 'domain' as const })) }))).toEqual([]);
  });

  it('says every limit in words that name the field, never in zod’s', () => {
    const cases: [Partial<ItemInputRaw>, string, string][] = [
      [{ title: ' ' }, 'fields.title', 'Give the item a title.'],
      [{ title: 'x'.repeat(501) }, 'fields.title', 'The title can be at most 500 characters.'],
      [{ username: 'x'.repeat(1001) }, 'fields.username', 'The username can be at most 1,000 characters.'],
      [{ password: 'x'.repeat(10_001) }, 'fields.password', 'The password can be at most 10,000 characters.'],
      [{ notes: 'x'.repeat(100_001) }, 'fields.notes', 'The notes can be at most 100,000 characters.'],
      [
        { totp: 'A'.repeat(2001) },
        'fields.totp',
        'The one-time code secret can be at most 2,000 characters.',
      ],
      [
        { uris: [{ url: `https://a.example/${'x'.repeat(2000)}` }] },
        'fields.uris.0.url',
        'Website address 1 is longer than 2,000 characters.',
      ],
      [{ uris: [{ url: ' ' }] }, 'fields.uris.0.url', 'Website address 1 is empty.'],
      [
        { uris: Array.from({ length: 51 }, () => ({ url: 'https://a.example' })) },
        'fields.uris',
        'A login can have at most 50 websites.',
      ],
    ];
    for (const [change, field, message] of cases) {
      const [first] = problems(fields(change));
      expect(first, field).toEqual({ field, message });
    }
  });

  it('names the field when the type itself is wrong', () => {
    const parsed = requestSchemas.saveItem.safeParse({ fields: { ...fields(), title: 42 } });
    expect(parsed.success).toBe(false);
    expect(parsed.error?.issues.map(describeIssue)).toEqual([
      { field: 'fields.title', message: 'Title is not valid.' },
    ]);
  });

  it('is what saveItem checks (the popup is not the only caller)', () => {
    expect(requestSchemas.saveItem.shape.fields).toBe(itemInputSchema());
  });
});

describe('account forms', () => {
  it('name the field of each failed check', () => {
    const bad = (name: 'register' | 'login' | 'unlock', request: unknown) => {
      const parsed = requestSchemas[name].safeParse(request);
      return parsed.success ? null : describeIssue(parsed.error.issues[0] as never);
    };
    const ok = { serverUrl: 'http://127.0.0.1:8787', email: 'ada@example.test', password: 'long enough' };
    expect(bad('register', { ...ok, serverUrl: 'ftp://x' })).toEqual({
      field: 'serverUrl',
      message: 'Enter the server address, e.g. http://127.0.0.1:8787',
    });
    expect(bad('register', { ...ok, email: 'ada' })).toEqual({
      field: 'email',
      message: 'Enter a valid email address.',
    });
    expect(bad('register', { ...ok, password: 'short' })).toEqual({
      field: 'password',
      message: 'Use at least 8 characters for the master password.',
    });
    expect(bad('unlock', { password: 'x'.repeat(1025) })).toEqual({
      field: 'password',
      message: 'The master password can be at most 1,024 characters.',
    });
  });
});

describe('errorMessage', () => {
  it('says how long to wait when the server said so', () => {
    expect(errorMessage(ErrorCode.RateLimited, { retryAfterSeconds: 42 })).toBe(
      'Too many attempts. Try again in 42 seconds.',
    );
    expect(errorMessage(ErrorCode.RateLimited)).toBe(errorMessages.RATE_LIMITED);
  });

  it('names the address for every "which server" error', () => {
    const serverUrl = 'https://vault.example:8443';
    for (const code of [
      ErrorCode.ServerUnreachable,
      ErrorCode.NotKeyhold,
      ErrorCode.TlsError,
      ErrorCode.ServerTooOld,
      ErrorCode.ServerTooNew,
    ]) {
      expect(errorMessage(code, { serverUrl }), code).toContain(serverUrl);
      expect(errorMessage(code), code).toBe(errorMessages[code]);
    }
  });
});

describe('formatWait', () => {
  it('rounds up to the unit a person would use', () => {
    expect(formatWait(1)).toBe('1 second');
    expect(formatWait(0.2)).toBe('1 second');
    expect(formatWait(42)).toBe('42 seconds');
    expect(formatWait(60)).toBe('1 minute');
    expect(formatWait(90)).toBe('2 minutes');
    expect(formatWait(3599)).toBe('1 hour');
    expect(formatWait(3600)).toBe('1 hour');
    expect(formatWait(7201)).toBe('3 hours');
  });
});
