import { describe, expect, it, vi } from 'vitest';
import { parseTotpSecret, totpCode } from '../autofill/totp.ts';
import { type LoginFields, loginFields, normalizeFields } from '../messaging/item-schema.ts';
import type { ItemDetail } from '../messaging/protocol.ts';
import type { AccountActivity } from './account-activity.ts';
import type { AutofillService } from './autofill-service.ts';
import type { ClipboardService } from './clipboard.ts';
import type { Devices } from './devices.ts';
import { createHandlers, dispatch } from './handlers.ts';
import { copyValue, fieldValue, revealValue, totpOf, viewOf } from './item-view.ts';
import type { RecoveryKeys } from './recovery-key.ts';
import { VaultError } from './vault-error.ts';
import type { VaultService } from './vault-service.ts';

const ID = '0b6f3c1e-8d2a-4f5b-9c7d-1a2b3c4d5e6f';
const SECRET = 'JBSWY3DPEHPK3PXP';

const meta = {
  id: ID,
  createdAt: '2026-01-01T00:00:00.000Z',
  updatedAt: '2026-01-02T00:00:00.000Z',
  conflict: null,
};
const item = (over: Partial<LoginFields> = {}): ItemDetail => ({
  ...loginFields({
    title: 'Mail',
    username: 'ada',
    password: 'pw-secret-1',
    uris: [{ url: 'https://mail.example', match: 'domain' }],
    notes: 'note',
    totp: SECRET,
    ...over,
  }),
  ...meta,
});

const codeOf = (error: unknown) => (error instanceof VaultError ? error.code : String(error));

describe('viewOf', () => {
  it('blanks every secret and names the ones that were set', () => {
    const view = viewOf(item());
    expect(view).toMatchObject({ password: '', totp: '', username: 'ada', notes: 'note' });
    expect(view.secrets).toEqual(['password', 'totp']);
    expect(JSON.stringify(view)).not.toContain('pw-secret-1');
    expect(JSON.stringify(view)).not.toContain(SECRET);
  });

  it("blanks each type's secrets, hidden custom fields and previous passwords", () => {
    const card = {
      ...normalizeFields({
        type: 'card',
        title: 'Visa',
        cardholder: 'Ada',
        number: '4111111111111111',
        code: '123',
        expMonth: '12',
        expYear: '2030',
        customFields: [
          { name: 'PIN', kind: 'hidden', value: '9876' },
          { name: 'Bank', kind: 'text', value: 'Zeppelin' },
        ],
      }),
      ...meta,
    } as ItemDetail;
    const view = viewOf(card);
    expect(view.secrets).toEqual(['number', 'code', 'customFields.0.value']);
    expect(JSON.stringify(view)).not.toMatch(/4111111111111111|"123"|9876/);
    expect(JSON.stringify(view)).toContain('Zeppelin');
    expect(revealValue(card, 'customFields.0.value')).toBe('9876');
    expect(codeOf(catching(() => revealValue(card, 'customFields.1.value')))).toBe('VALIDATION');

    const ssh = {
      ...normalizeFields({
        type: 'sshKey',
        title: 'k',
        privateKey: 'PRIV-KEY',
        publicKey: 'ssh-ed25519 AAAA',
      }),
      ...meta,
    } as ItemDetail;
    expect(viewOf(ssh).secrets).toEqual(['privateKey']);
    expect(JSON.stringify(viewOf(ssh))).not.toContain('PRIV-KEY');

    const withHistory = item({
      passwordHistory: [{ password: 'old-pw-0', replacedAt: '2026-01-01T00:00:00.000Z' }],
    });
    const hv = viewOf(withHistory);
    expect(hv.secrets).toContain('passwordHistory.0.password');
    expect(JSON.stringify(hv)).not.toContain('old-pw-0');
    expect(revealValue(withHistory, 'passwordHistory.0.password')).toBe('old-pw-0');
    expect(copyValue(withHistory, 'passwordHistory.0.password', 0)).toBe('old-pw-0');
  });

  it('lists no secret that is empty', () => {
    expect(viewOf(item({ password: '', totp: '' })).secrets).toEqual([]);
  });

  it('leaves the item it came from untouched', () => {
    const original = item({ passwordHistory: [{ password: 'old', replacedAt: '2026-01-01T00:00:00.000Z' }] });
    viewOf(original);
    expect(original).toMatchObject({ password: 'pw-secret-1', passwordHistory: [{ password: 'old' }] });
  });
});

describe('fieldValue', () => {
  it('follows dotted paths into arrays and objects', () => {
    expect(fieldValue(item(), 'uris.0.url')).toBe('https://mail.example');
    expect(fieldValue(item(), 'username')).toBe('ada');
  });

  it('finds nothing outside the item’s own data', () => {
    for (const path of [
      'uris.1.url',
      'uris',
      'constructor',
      '__proto__',
      'toString',
      'uris.0.url.length',
      'nope',
    ]) {
      expect(fieldValue(item(), path)).toBeNull();
    }
  });
});

describe('copy, reveal and TOTP', () => {
  it('copies a field, and for `totp` the current code (not the secret)', () => {
    const now = 1_800_000_000_000;
    const config = parseTotpSecret(SECRET);
    expect(config).not.toBeNull();
    if (!config) return;
    expect(copyValue(item(), 'password', now)).toBe('pw-secret-1');
    expect(copyValue(item(), 'totp', now)).toBe(totpCode(config, now).code);
    expect(totpOf(item(), now)).toEqual({ ...totpCode(config, now), period: 30 });
  });

  it('refuses to copy an empty or missing field, or a code without a secret', () => {
    expect(codeOf(catching(() => copyValue(item({ username: '' }), 'username', 0)))).toBe('NOT_FOUND');
    expect(codeOf(catching(() => copyValue(item(), 'nothing.here', 0)))).toBe('NOT_FOUND');
    expect(codeOf(catching(() => copyValue(item({ totp: '' }), 'totp', 0)))).toBe('NOT_FOUND');
  });

  it('reveals secrets only, and never the TOTP secret', () => {
    expect(revealValue(item(), 'password')).toBe('pw-secret-1');
    expect(codeOf(catching(() => revealValue(item(), 'totp')))).toBe('VALIDATION');
    expect(codeOf(catching(() => revealValue(item(), 'username')))).toBe('VALIDATION');
  });
});

function catching(f: () => unknown): unknown {
  try {
    f();
  } catch (e) {
    return e;
  }
  return null;
}

describe('detail messages through dispatch', () => {
  const vault = { items: { getItem: vi.fn(async () => item()) } } as unknown as VaultService;
  const copy = vi.fn(async () => ({ clearsInSeconds: 30 }));
  const clipboard = { copy, clearDue: vi.fn(async () => undefined) } as unknown as ClipboardService;
  const handlers = createHandlers(
    vault,
    {} as AutofillService,
    {} as AccountActivity,
    {} as RecoveryKeys,
    {} as Devices,
    undefined,
    clipboard,
  );

  it('itemView answers without secrets', async () => {
    const reply = await dispatch(handlers, { name: 'itemView', request: { id: ID } });
    expect(reply).toMatchObject({ ok: true, value: { secrets: ['password', 'totp'], password: '' } });
    expect(JSON.stringify(reply)).not.toContain('pw-secret-1');
  });

  it('copyField copies in the worker: the value is not in the reply', async () => {
    const reply = await dispatch(handlers, { name: 'copyField', request: { id: ID, path: 'password' } });
    expect(reply).toEqual({ ok: true, value: { clearsInSeconds: 30 } });
    expect(copy).toHaveBeenLastCalledWith('pw-secret-1');
  });

  it('refuses a field path that is no path, next to the field', async () => {
    for (const path of ['', '../x', 'a..b', '__proto__', 'a.b.c.d.e.f.g', 'x'.repeat(201)]) {
      const reply = await dispatch(handlers, { name: 'copyField', request: { id: ID, path } });
      expect(reply).toMatchObject({ ok: false, code: 'VALIDATION', field: 'path' });
    }
  });

  it('copyText refuses an empty text; without a clipboard, copying is CLIPBOARD_FAILED', async () => {
    expect(await dispatch(handlers, { name: 'copyText', request: { text: '' } })).toMatchObject({
      ok: false,
      code: 'VALIDATION',
    });
    const none = createHandlers(
      vault,
      {} as AutofillService,
      {} as AccountActivity,
      {} as RecoveryKeys,
      {} as Devices,
    );
    expect(await dispatch(none, { name: 'copyText', request: { text: 'x' } })).toMatchObject({
      ok: false,
      code: 'CLIPBOARD_FAILED',
    });
  });
});
