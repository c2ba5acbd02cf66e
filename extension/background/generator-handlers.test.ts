import { beforeEach, describe, expect, it } from 'vitest';
import { fakeBrowser } from 'wxt/testing/fake-browser';
import { generateKeyBytes, toBase64Url } from '../../shared-crypto/index.ts';
import { DEFAULT_GENERATOR_OPTIONS } from '../generator/options.ts';
import { ErrorCode } from '../messaging/protocol.ts';
import type { AccountRecord } from '../storage/items.ts';
import type { AccountActivity } from './account-activity.ts';
import type { AutofillService } from './autofill-service.ts';
import type { Devices } from './devices.ts';
import { GeneratorService } from './generator-service.ts';
import { createHandlers, dispatch } from './handlers.ts';
import type { RecoveryKeys } from './recovery-key.ts';
import { VaultError } from './vault-error.ts';
import type { OpenVault, VaultService } from './vault-service.ts';

/** The generator's messages through the real dispatch: validation at the boundary, replies, errors. */

let unlocked = true;
const vault = {
  account: { accountId: 'acct-1', keyVersion: 1 } as AccountRecord,
  vaultKey: toBase64Url(generateKeyBytes()),
  async withOpenVault<T>(work: (v: OpenVault) => Promise<T>): Promise<T> {
    if (!unlocked) throw new VaultError(ErrorCode.Locked);
    return work({ account: this.account, vaultKey: this.vaultKey } as OpenVault);
  },
};

const handlers = () =>
  createHandlers(
    vault as unknown as VaultService,
    {} as AutofillService,
    {} as AccountActivity,
    {} as RecoveryKeys,
    {} as Devices,
    new GeneratorService(vault),
  );

const call = (name: string, request: unknown) => dispatch(handlers(), { name, request });

beforeEach(() => {
  fakeBrowser.reset();
  unlocked = true;
});

describe('generator messages', () => {
  it('generatePassword answers a value that obeys the options, and saves them', async () => {
    const options = {
      ...DEFAULT_GENERATOR_OPTIONS,
      password: { ...DEFAULT_GENERATOR_OPTIONS.password, length: 33, symbols: false, minSymbols: 0 },
    };
    const reply = await call('generatePassword', { options });
    expect(reply.ok).toBe(true);
    const value = reply.ok ? (reply.value as { value: string }).value : '';
    expect(value).toMatch(/^[A-Za-z0-9]{33}$/);
    expect(await call('generatorOptions', {})).toEqual({ ok: true, value: options });
  });

  it('refuses minimums that exceed the length, naming the field, and keeps the saved options', async () => {
    const options = {
      ...DEFAULT_GENERATOR_OPTIONS,
      password: { ...DEFAULT_GENERATOR_OPTIONS.password, length: 8, minDigits: 5, minSymbols: 3 },
    };
    expect(await call('generatePassword', { options })).toEqual({
      ok: false,
      code: 'VALIDATION',
      field: 'options.password.length',
      message:
        'The chosen sets and minimums need at least 10 characters: raise the length or lower the minimums.',
    });
    expect(await call('generatorOptions', {})).toEqual({ ok: true, value: DEFAULT_GENERATOR_OPTIONS });
  });

  it.each([
    [
      'a separator with letters',
      { kind: 'passphrase', passphrase: { ...DEFAULT_GENERATOR_OPTIONS.passphrase, separator: 'and' } },
      'options.passphrase.separator',
    ],
    [
      'too many words',
      { kind: 'passphrase', passphrase: { ...DEFAULT_GENERATOR_OPTIONS.passphrase, words: 21 } },
      'options.passphrase.words',
    ],
    [
      'no character set',
      {
        password: {
          ...DEFAULT_GENERATOR_OPTIONS.password,
          upper: false,
          lower: false,
          digits: false,
          symbols: false,
          minDigits: 0,
          minSymbols: 0,
        },
      },
      'options.password.upper',
    ],
    ['an unknown kind', { kind: 'pin' }, 'options.kind'],
  ])('refuses %s', async (_, change, field) => {
    const reply = await call('generatePassword', { options: { ...DEFAULT_GENERATOR_OPTIONS, ...change } });
    expect(reply).toMatchObject({ ok: false, code: 'VALIDATION', field });
  });

  it('generates a passphrase while the password options are half edited; those read back as the defaults', async () => {
    const options = {
      ...DEFAULT_GENERATOR_OPTIONS,
      kind: 'passphrase',
      password: { ...DEFAULT_GENERATOR_OPTIONS.password, length: 8, minDigits: 30 },
    };
    const reply = await call('generatePassword', { options });
    expect(reply).toMatchObject({ ok: true, value: { kind: 'passphrase' } });
    expect(await call('generatorOptions', {})).toEqual({
      ok: true,
      value: { ...options, password: DEFAULT_GENERATOR_OPTIONS.password },
    });
  });

  it('records, lists and clears the history; locked, it says so', async () => {
    expect(await call('recordGenerated', { value: 'Copied-Value-123!', kind: 'password' })).toEqual({
      ok: true,
      value: null,
    });
    const listed = await call('generatorHistory', {});
    expect(listed).toMatchObject({
      ok: true,
      value: { entries: [{ value: 'Copied-Value-123!', kind: 'password' }] },
    });
    unlocked = false;
    expect(await call('generatorHistory', {})).toMatchObject({ ok: false, code: 'LOCKED' });
    unlocked = true;
    expect(await call('clearGeneratorHistory', {})).toEqual({ ok: true, value: null });
    expect(await call('generatorHistory', {})).toEqual({ ok: true, value: { entries: [] } });
  });

  it('refuses an empty or oversized value to record', async () => {
    expect(await call('recordGenerated', { value: '', kind: 'password' })).toMatchObject({
      ok: false,
      code: 'VALIDATION',
    });
    expect(await call('recordGenerated', { value: 'x'.repeat(1025), kind: 'password' })).toMatchObject({
      ok: false,
      code: 'VALIDATION',
    });
  });
});
