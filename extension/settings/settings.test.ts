import { beforeEach, describe, expect, it } from 'vitest';
import { fakeBrowser } from 'wxt/testing/fake-browser';
import { storage } from 'wxt/utils/storage';
import { settingsPatchSchema } from './settings.ts';
import {
  DEFAULT_SETTINGS,
  migrateV1toV2,
  readSettings,
  sanitizeSettings,
  settingsItem,
  writeSettings,
} from './stored-settings.ts';

const issue = (patch: unknown) => {
  const parsed = settingsPatchSchema().safeParse(patch);
  if (parsed.success) return null;
  const first = parsed.error.issues[0];
  return { field: first?.path.join('.'), message: first?.message };
};

describe('settings', () => {
  beforeEach(() => fakeBrowser.reset());

  it('start at their defaults', async () => {
    expect(await readSettings()).toEqual(DEFAULT_SETTINGS);
    expect(DEFAULT_SETTINGS).toMatchObject({
      lockOnBrowserRestart: true,
      clipboardClearSeconds: 30,
      defaultUriMatch: 'domain',
      theme: 'system',
      language: 'system',
    });
  });

  it('migrate v1 → v2 keeping the server address and auto-lock minutes', () => {
    expect(migrateV1toV2({ serverUrl: 'https://vault.example.com', autoLockMinutes: 5 })).toEqual({
      ...DEFAULT_SETTINGS,
      serverUrl: 'https://vault.example.com',
      autoLockMinutes: 5,
    });
  });

  it('migrate a broken v1 value to defaults field by field, never throwing', () => {
    expect(migrateV1toV2(null)).toEqual(DEFAULT_SETTINGS);
    expect(migrateV1toV2({ serverUrl: 'ftp://x', autoLockMinutes: 'soon' })).toEqual(DEFAULT_SETTINGS);
    // A v1 value of more than a day is capped, a fraction rounded, zero (never offered in v1) the default.
    expect(migrateV1toV2({ serverUrl: 'http://h:1', autoLockMinutes: 99_999 }).autoLockMinutes).toBe(1440);
    expect(migrateV1toV2({ serverUrl: 'http://h:1', autoLockMinutes: 2.4 }).autoLockMinutes).toBe(2);
    expect(migrateV1toV2({ serverUrl: 'http://h:1', autoLockMinutes: 0 }).autoLockMinutes).toBe(15);
  });

  it('migrate a stored v1 item when it is read', async () => {
    // What version 1 of the extension left in storage.local (WXT's version meta absent = v1).
    await fakeBrowser.storage.local.set({
      settings: { serverUrl: 'https://v1.example', autoLockMinutes: 7 },
    });
    const item = storage.defineItem('local:settings', {
      fallback: DEFAULT_SETTINGS,
      version: 2,
      migrations: { 2: migrateV1toV2 },
    });
    await item.migrate();
    expect(await item.getValue()).toEqual({
      ...DEFAULT_SETTINGS,
      serverUrl: 'https://v1.example',
      autoLockMinutes: 7,
    });
    expect(await item.getMeta()).toEqual({ v: 2 });
  });

  it('read a damaged stored value as defaults for the damaged fields only', async () => {
    await settingsItem.setValue({ ...DEFAULT_SETTINGS, theme: 'neon', autoLockMinutes: -3 } as never);
    expect(await readSettings()).toEqual(DEFAULT_SETTINGS);
    expect(sanitizeSettings('garbage')).toEqual(DEFAULT_SETTINGS);
  });

  it('write a change and keep the rest', async () => {
    await writeSettings({ theme: 'dark' });
    await writeSettings({ clipboardClearSeconds: 0 });
    expect(await readSettings()).toEqual({ ...DEFAULT_SETTINGS, theme: 'dark', clipboardClearSeconds: 0 });
  });

  it('accept good values and normalise the server address', () => {
    const parsed = settingsPatchSchema().parse({
      serverUrl: ' https://vault.example.com/ ',
      autoLockMinutes: 0,
    });
    expect(parsed).toEqual({ serverUrl: 'https://vault.example.com', autoLockMinutes: 0 });
  });

  it.each([
    [{ serverUrl: 'vault.example.com' }, 'serverUrl', 'Enter the server address with http:// or https://'],
    [
      { serverUrl: 'ftp://vault.example.com' },
      'serverUrl',
      'Enter the server address with http:// or https://',
    ],
    [{ serverUrl: 42 }, 'serverUrl', 'Enter the server address with http:// or https://'],
    [{ autoLockMinutes: -1 }, 'autoLockMinutes', 'Auto-lock takes whole minutes from 0'],
    [{ autoLockMinutes: 1441 }, 'autoLockMinutes', 'Auto-lock takes whole minutes from 0'],
    [{ autoLockMinutes: 1.5 }, 'autoLockMinutes', 'Auto-lock takes whole minutes from 0'],
    [{ autoLockMinutes: '5' }, 'autoLockMinutes', 'Auto-lock takes whole minutes from 0'],
    [{ clipboardClearSeconds: 3601 }, 'clipboardClearSeconds', 'Clearing the clipboard takes whole seconds'],
    [{ clipboardClearSeconds: -5 }, 'clipboardClearSeconds', 'Clearing the clipboard takes whole seconds'],
    [{ lockOnBrowserRestart: 'yes' }, 'lockOnBrowserRestart', 'Lock on browser restart is on or off'],
    [{ defaultUriMatch: 'regex' }, 'defaultUriMatch', 'Choose one of the offered match modes'],
    [{ theme: 'neon' }, 'theme', 'Choose system, light or dark'],
    [{ language: 'fr' }, 'language', 'Choose one of the offered languages'],
  ])('refuse %j with a message for its field', (patch, field, message) => {
    const found = issue(patch);
    expect(found?.field).toBe(field);
    expect(found?.message).toContain(message);
  });

  it('refuse an unknown setting', () => {
    expect(issue({ autoFill: true })?.message).toBeTruthy();
  });
});
