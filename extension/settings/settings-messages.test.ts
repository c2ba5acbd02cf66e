import { beforeEach, describe, expect, it } from 'vitest';
import { fakeBrowser } from 'wxt/testing/fake-browser';
import type { AccountActivity } from '../background/account-activity.ts';
import type { AutofillService } from '../background/autofill-service.ts';
import type { Devices } from '../background/devices.ts';
import { createHandlers, dispatch } from '../background/handlers.ts';
import type { RecoveryKeys } from '../background/recovery-key.ts';
import type { VaultService } from '../background/vault-service.ts';
import { neverSitesItem } from '../storage/items.ts';
import { DEFAULT_SETTINGS, readSettings } from './stored-settings.ts';

/** The settings messages as the popup and options page send them, through the worker's dispatch. */
const handlers = createHandlers(
  {} as VaultService,
  {} as AutofillService,
  {} as AccountActivity,
  {} as RecoveryKeys,
  {} as Devices,
);
const call = (name: string, request: unknown) => dispatch(handlers, { name, request });

describe('settings messages', () => {
  beforeEach(() => fakeBrowser.reset());

  it('read and change settings', async () => {
    expect(await call('getSettings', {})).toEqual({ ok: true, value: DEFAULT_SETTINGS });
    const reply = await call('updateSettings', {
      autoLockMinutes: 3,
      serverUrl: 'https://vault.example.org/',
    });
    expect(reply).toEqual({
      ok: true,
      value: { ...DEFAULT_SETTINGS, autoLockMinutes: 3, serverUrl: 'https://vault.example.org' },
    });
    expect((await readSettings()).autoLockMinutes).toBe(3);
  });

  it('refuse a bad value with its field and a clear message, changing nothing', async () => {
    const reply = await call('updateSettings', { theme: 'dark', clipboardClearSeconds: 99_999 });
    expect(reply).toEqual({
      ok: false,
      code: 'VALIDATION',
      field: 'clipboardClearSeconds',
      message: 'Clearing the clipboard takes whole seconds from 0 (never) to 3600 (one hour).',
    });
    expect(await readSettings()).toEqual(DEFAULT_SETTINGS);
    expect(await call('updateSettings', { serverUrl: 'not an address' })).toMatchObject({
      ok: false,
      field: 'serverUrl',
      message: 'Enter the server address with http:// or https://, e.g. http://127.0.0.1:8787.',
    });
  });

  it('list the never-for-this-site hosts sorted, and remove one', async () => {
    await neverSitesItem.setValue(['www.example.com', 'accounts.example.org']);
    expect(await call('listNeverSites', {})).toEqual({
      ok: true,
      value: ['accounts.example.org', 'www.example.com'],
    });
    expect(await call('removeNeverSite', { host: 'www.example.com' })).toEqual({
      ok: true,
      value: ['accounts.example.org'],
    });
    // Already gone (removed from another page): not an error, the list as it is.
    expect(await call('removeNeverSite', { host: 'www.example.com' })).toEqual({
      ok: true,
      value: ['accounts.example.org'],
    });
    expect(await call('removeNeverSite', { host: '' })).toMatchObject({ ok: false, field: 'host' });
  });
});
