import { describe, expect, it, vi } from 'vitest';
import type { AccountActivity } from './account-activity.ts';
import type { AutofillService } from './autofill-service.ts';
import type { Devices } from './devices.ts';
import { createHandlers, dispatch, isTrustedSender } from './handlers.ts';
import type { RecoveryKeys } from './recovery-key.ts';
import { VaultError } from './vault-error.ts';
import type { VaultService } from './vault-service.ts';

/** These tests exercise the vault messages; autofill has its own suite. */
const noAutofill = {} as AutofillService;
const noActivity = {} as AccountActivity;
const noRecovery = {} as RecoveryKeys;
const noDevices = {} as Devices;

const ID = 'abcdefghijklmnopabcdefghijklmnop';
const ORIGIN = `chrome-extension://${ID}`;

describe('isTrustedSender', () => {
  it('accepts our own popup page', () => {
    expect(isTrustedSender({ id: ID, url: `${ORIGIN}/popup.html` }, ID, ORIGIN)).toBe(true);
  });
  it('refuses a content script (it has a tab and a web URL)', () => {
    expect(isTrustedSender({ id: ID, url: 'https://evil.example/' }, ID, ORIGIN)).toBe(false);
  });
  it('refuses another extension', () => {
    expect(isTrustedSender({ id: 'other', url: 'chrome-extension://other/x.html' }, ID, ORIGIN)).toBe(false);
  });
  it('accepts the popup page opened in a tab', () => {
    expect(isTrustedSender({ id: ID, url: `${ORIGIN}/popup.html` }, ID, ORIGIN)).toBe(true);
  });
  it('refuses a look-alike origin', () => {
    expect(isTrustedSender({ id: ID, url: `${ORIGIN}.evil.example/popup.html` }, ID, ORIGIN)).toBe(false);
  });
  it('refuses a sender without a URL', () => {
    expect(isTrustedSender({ id: ID }, ID, ORIGIN)).toBe(false);
  });
});

const fakeVault = (overrides: Partial<Record<keyof VaultService, unknown>> = {}) =>
  ({
    state: vi.fn(async () => ({ status: 'locked' })),
    shownState: vi.fn(async () => ({ status: 'locked' })),
    unlock: vi.fn(async () => ({ status: 'unlocked' })),
    ...overrides,
  }) as unknown as VaultService;

describe('dispatch', () => {
  it('answers a valid request with {ok: true, value}', async () => {
    const reply = await dispatch(createHandlers(fakeVault(), noAutofill, noActivity, noRecovery, noDevices), {
      name: 'getState',
      request: {},
    });
    expect(reply).toEqual({ ok: true, value: { status: 'locked' } });
  });

  it('refuses unknown message names and non-objects', async () => {
    const h = createHandlers(fakeVault(), noAutofill, noActivity, noRecovery, noDevices);
    for (const bad of [null, 'getState', { name: 'toString' }, { name: 'exportEverything', request: {} }]) {
      expect(await dispatch(h, bad)).toMatchObject({ ok: false, code: 'VALIDATION' });
    }
  });

  it('validates payloads at runtime and says what is wrong', async () => {
    const h = createHandlers(fakeVault(), noAutofill, noActivity, noRecovery, noDevices);
    const reply = await dispatch(h, {
      name: 'register',
      request: { serverUrl: 'http://127.0.0.1:8787', email: 'not-an-email', password: 'long enough' },
    });
    expect(reply).toEqual({
      ok: false,
      code: 'VALIDATION',
      message: 'Enter a valid email address.',
      field: 'email',
    });
    const badUrl = await dispatch(h, {
      name: 'login',
      request: { serverUrl: 'javascript:alert(1)', email: 'a@b.co', password: 'x' },
    });
    expect(badUrl).toMatchObject({ ok: false, code: 'VALIDATION' });
  });

  it('maps a VaultError to its code and words, without leaking internals', async () => {
    const vault = fakeVault({
      unlock: vi.fn(async () => {
        throw new VaultError('WRONG_PASSWORD');
      }),
    });
    const reply = await dispatch(createHandlers(vault, noAutofill, noActivity, noRecovery, noDevices), {
      name: 'unlock',
      request: { password: 'hunter2' },
    });
    expect(reply).toEqual({
      ok: false,
      code: 'WRONG_PASSWORD',
      message: 'That master password is not right.',
      field: 'password',
    });
  });

  it('refuses a saveItem with a bad website or TOTP secret, naming the field, without calling the vault', async () => {
    const saveItem = vi.fn(async () => ({}));
    const h = createHandlers(
      fakeVault({ items: { saveItem } }),
      noAutofill,
      noActivity,
      noRecovery,
      noDevices,
    );
    const item = {
      title: 'Bank',
      username: 'ada',
      password: 'pw',
      uris: [{ url: 'https://bank.example', match: 'domain' }],
      notes: '',
      totp: '',
    };
    const badUrl = await dispatch(h, {
      name: 'saveItem',
      request: { fields: { ...item, uris: [{ url: 'javascript:alert(1)', match: 'domain' }] } },
    });
    expect(badUrl).toMatchObject({ ok: false, code: 'VALIDATION', field: 'fields.uris.0.url' });
    expect(badUrl.ok === false && badUrl.message).toMatch(/^Website address 1 is not a web address/);
    const badTotp = await dispatch(h, {
      name: 'saveItem',
      request: { fields: { ...item, totp: 'not a secret!!' } },
    });
    expect(badTotp).toMatchObject({ ok: false, code: 'VALIDATION', field: 'fields.totp' });
    expect(badTotp.ok === false && badTotp.message).toMatch(/^The one-time code secret is not valid/);
    const tooLong = await dispatch(h, {
      name: 'saveItem',
      request: { fields: { ...item, title: 'x'.repeat(501) } },
    });
    expect(tooLong).toEqual({
      ok: false,
      code: 'VALIDATION',
      field: 'fields.title',
      message: 'The title can be at most 500 characters.',
    });
    expect(saveItem).not.toHaveBeenCalled();
  });

  it('says how long a lockout lasts and carries Retry-After in the reply', async () => {
    const vault = fakeVault({
      login: vi.fn(async () => {
        throw new VaultError('RATE_LIMITED', { serverUrl: 'http://127.0.0.1:8787', retryAfterSeconds: 42 });
      }),
    });
    const reply = await dispatch(createHandlers(vault, noAutofill, noActivity, noRecovery, noDevices), {
      name: 'login',
      request: { serverUrl: 'http://127.0.0.1:8787', email: 'a@b.co', password: 'pw' },
    });
    expect(reply).toEqual({
      ok: false,
      code: 'RATE_LIMITED',
      message: 'Too many attempts. Try again in 42 seconds.',
      retryAfterSeconds: 42,
    });
  });

  it('puts a "which server" error on the server address field, naming the address', async () => {
    const vault = fakeVault({
      register: vi.fn(async () => {
        throw new VaultError('NOT_KEYHOLD', { serverUrl: 'http://127.0.0.1:9' });
      }),
    });
    const reply = await dispatch(createHandlers(vault, noAutofill, noActivity, noRecovery, noDevices), {
      name: 'register',
      request: { serverUrl: 'http://127.0.0.1:9/', email: 'a@b.co', password: 'long enough' },
    });
    expect(reply).toMatchObject({ ok: false, code: 'NOT_KEYHOLD', field: 'serverUrl' });
    expect(reply.ok === false && reply.message).toMatch(
      /^http:\/\/127\.0\.0\.1:9 did not answer like a Keyhold server/,
    );
  });

  it('turns an unexpected error into INTERNAL without echoing it', async () => {
    const spy = vi.spyOn(console, 'error').mockImplementation(() => undefined);
    const vault = fakeVault({
      unlock: vi.fn(async () => {
        throw new Error('secret-password-in-message');
      }),
    });
    const reply = await dispatch(createHandlers(vault, noAutofill, noActivity, noRecovery, noDevices), {
      name: 'unlock',
      request: { password: 'pw' },
    });
    expect(reply).toEqual({ ok: false, code: 'INTERNAL', message: 'Something went wrong inside Keyhold.' });
    expect(JSON.stringify(spy.mock.calls)).not.toContain('secret-password-in-message');
    spy.mockRestore();
  });
});

describe('accountActivity', () => {
  const page = { events: [], next: null };
  const activityWith = (impl: (before?: number) => Promise<unknown>) => {
    const pageFn = vi.fn(impl);
    return { activity: { page: pageFn } as unknown as AccountActivity, pageFn };
  };

  it('asks for the newest page, or the older page before a position', async () => {
    const { activity, pageFn } = activityWith(async () => page);
    const h = createHandlers(fakeVault(), noAutofill, activity, noRecovery, noDevices);
    expect(await dispatch(h, { name: 'accountActivity', request: {} })).toEqual({ ok: true, value: page });
    expect(await dispatch(h, { name: 'accountActivity', request: { before: 42 } })).toEqual({
      ok: true,
      value: page,
    });
    expect(pageFn.mock.calls).toEqual([[undefined], [42]]);
  });

  it('refuses a position that is not a whole number from 1, naming it, without asking the server', async () => {
    const { activity, pageFn } = activityWith(async () => page);
    const h = createHandlers(fakeVault(), noAutofill, activity, noRecovery, noDevices);
    const cases: [unknown, string][] = [
      [0, 'The activity page position must be 1 or more.'],
      [-3, 'The activity page position must be 1 or more.'],
      [1.5, 'The activity page position is not valid.'],
      ['12', 'The activity page position is not valid.'],
      [2 ** 60, 'The activity page position is too large.'],
    ];
    for (const [before, message] of cases) {
      expect(await dispatch(h, { name: 'accountActivity', request: { before } })).toEqual({
        ok: false,
        code: 'VALIDATION',
        message,
        field: 'before',
      });
    }
    expect(pageFn).not.toHaveBeenCalled();
  });

  it('says which server cannot be reached, and that a locked vault must be unlocked first', async () => {
    const serverUrl = 'http://127.0.0.1:8787';
    const offline = activityWith(async () => {
      throw new VaultError('SERVER_UNREACHABLE', { serverUrl });
    });
    expect(
      await dispatch(createHandlers(fakeVault(), noAutofill, offline.activity, noRecovery, noDevices), {
        name: 'accountActivity',
        request: {},
      }),
    ).toEqual({
      ok: false,
      code: 'SERVER_UNREACHABLE',
      message: `Keyhold cannot reach a server at ${serverUrl}. Check the address and your connection.`,
    });
    const locked = activityWith(async () => {
      throw new VaultError('LOCKED');
    });
    expect(
      await dispatch(createHandlers(fakeVault(), noAutofill, locked.activity, noRecovery, noDevices), {
        name: 'accountActivity',
        request: { before: 7 },
      }),
    ).toEqual({ ok: false, code: 'LOCKED', message: 'Keyhold is locked. Unlock it first.' });
  });
});
