import { describe, expect, it } from 'vitest';
import { generateKeyBytes, importSymmetricKey } from '../../shared-crypto/index.ts';
import { cleanLabel, describeBrowser, displayName, openDeviceName, sealDeviceName } from './device-name.ts';

const ACCOUNT = '0b9f8a4e-3c1d-4e2f-9a7b-1c2d3e4f5a6b';
const OTHER_ACCOUNT = '1c2d3e4f-5a6b-4c7d-8e9f-0a1b2c3d4e5f';
const SESSION = '5d6e7f80-91a2-4b3c-8d4e-5f6071829304';
const OTHER_SESSION = '6e7f8091-a2b3-4c4d-9e5f-607182930415';

const key = async () => importSymmetricKey(generateKeyBytes());

describe('describeBrowser: browser and OS', () => {
  it.each([
    [
      'Chrome on Linux (client hints)',
      {
        brands: [{ brand: 'Not)A;Brand' }, { brand: 'Chromium' }, { brand: 'Google Chrome' }],
        platform: 'Linux',
        userAgent: 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 Chrome/131.0.0.0 Safari/537.36',
      },
      'Chrome on Linux',
    ],
    [
      'Edge on Windows',
      {
        brands: [{ brand: 'Chromium' }, { brand: 'Microsoft Edge' }],
        platform: 'Windows',
        userAgent: 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) Chrome/131.0 Safari/537.36 Edg/131.0',
      },
      'Edge on Windows',
    ],
    [
      'Chromium on ChromeOS',
      { brands: [{ brand: 'Chromium' }], platform: 'Chrome OS', userAgent: 'Mozilla/5.0 (X11; CrOS x86_64)' },
      'Chromium on ChromeOS',
    ],
    [
      'Firefox on macOS (no client hints)',
      {
        userAgent: 'Mozilla/5.0 (Macintosh; Intel Mac OS X 14.5; rv:133.0) Gecko/20100101 Firefox/133.0',
      },
      'Firefox on macOS',
    ],
    [
      'Firefox on Linux',
      { userAgent: 'Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0' },
      'Firefox on Linux',
    ],
    [
      'Firefox on Android',
      { userAgent: 'Mozilla/5.0 (Android 14; Mobile; rv:133.0) Gecko/133.0 Firefox/133.0' },
      'Firefox on Android',
    ],
    [
      'Safari on iOS',
      {
        userAgent:
          'Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 Version/17.5 Mobile/15E148 Safari/604.1',
      },
      'Safari on iOS',
    ],
    [
      'Opera on Windows (UA string)',
      { userAgent: 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) Chrome/130.0.0.0 Safari/537.36 OPR/115.0' },
      'Opera on Windows',
    ],
    ['an unknown browser', { userAgent: 'curl/8.5.0' }, 'Browser'],
  ])('%s', (_what, hints, expected) => {
    expect(describeBrowser(hints)).toBe(expected);
  });
});

describe('labels', () => {
  it('trims, collapses spaces and bounds what the user typed; empty means none', () => {
    expect(cleanLabel('  Work   laptop ')).toBe('Work laptop');
    expect(cleanLabel('   ')).toBeNull();
    expect(cleanLabel('x'.repeat(80))).toHaveLength(60);
  });

  it('shows the label with the browser, or the browser alone', () => {
    expect(displayName({ device: 'Chrome on Linux', label: 'Work laptop' })).toBe(
      'Work laptop (Chrome on Linux)',
    );
    expect(displayName({ device: 'Chrome on Linux', label: null })).toBe('Chrome on Linux');
  });
});

describe('sealed device names', () => {
  const name = { device: 'Chrome on Linux', label: 'Work laptop' };

  it('opens with the vault key, for the account and session it was sealed for', async () => {
    const k = await key();
    const sealed = await sealDeviceName(k, ACCOUNT, SESSION, 1, name);
    expect(sealed).toMatch(/^k1\.[A-Za-z0-9_-]+$/);
    expect(sealed.length).toBeLessThanOrEqual(2048);
    expect(await openDeviceName([{ version: 1, key: k }], ACCOUNT, SESSION, sealed)).toEqual(name);
  });

  it('is the same length whatever the label: it tells nothing about it', async () => {
    const k = await key();
    const short = await sealDeviceName(k, ACCOUNT, SESSION, 1, { device: 'Chrome on Linux', label: null });
    const long = await sealDeviceName(k, ACCOUNT, SESSION, 1, {
      device: 'Chrome on Linux',
      label: 'x'.repeat(60),
    });
    expect(short.length).toBe(long.length);
  });

  it('cannot be swapped by the server to another session or another account', async () => {
    const k = await key();
    const sealed = await sealDeviceName(k, ACCOUNT, SESSION, 1, name);
    expect(await openDeviceName([{ version: 1, key: k }], ACCOUNT, OTHER_SESSION, sealed)).toBeNull();
    expect(await openDeviceName([{ version: 1, key: k }], OTHER_ACCOUNT, SESSION, sealed)).toBeNull();
  });

  it('opens under the key version that sealed it, and not with another key or a tampered byte', async () => {
    const [v1, v2] = [await key(), await key()];
    const sealed = await sealDeviceName(v1, ACCOUNT, SESSION, 1, name);
    // A keyring that holds both versions finds the old one.
    const both = [
      { version: 2, key: v2 },
      { version: 1, key: v1 },
    ];
    expect(await openDeviceName(both, ACCOUNT, SESSION, sealed)).toEqual(name);
    // The right key under a claimed other version (AD keyVersion) does not open it.
    expect(await openDeviceName([{ version: 2, key: v1 }], ACCOUNT, SESSION, sealed)).toBeNull();
    expect(await openDeviceName([{ version: 1, key: v2 }], ACCOUNT, SESSION, sealed)).toBeNull();
    const last = sealed.at(-1) === 'A' ? 'B' : 'A';
    expect(
      await openDeviceName([{ version: 1, key: v1 }], ACCOUNT, SESSION, sealed.slice(0, -1) + last),
    ).toBeNull();
    expect(await openDeviceName([{ version: 1, key: v1 }], ACCOUNT, SESSION, 'not an envelope')).toBeNull();
  });
});
