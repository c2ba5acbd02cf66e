import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EnvError, loadEnv } from '../env.ts';
import { StartupError } from '../startup-error.ts';
import { readSecret } from './source.ts';

const strong = () => randomBytes(32).toString('base64url');
let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'keyhold-secrets-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

const refusal = (promise: Promise<unknown>) =>
  promise.then(
    () => {
      throw new Error('expected a refusal');
    },
    (error: unknown) => {
      expect(error).toBeInstanceOf(StartupError);
      return error as StartupError;
    },
  );

describe('readSecret', () => {
  it('reads NAME_FILE: the file contents, surrounding whitespace trimmed', async () => {
    const value = strong();
    const file = path.join(dir, 'pepper');
    await writeFile(file, `  ${value}\n\n`);
    expect(await readSecret({ TOKEN_PEPPER_FILE: file }, 'TOKEN_PEPPER')).toEqual({
      value,
      setting: 'TOKEN_PEPPER_FILE',
    });
  });

  it('reads NAME from the environment; undefined when neither is set', async () => {
    const value = strong();
    expect(await readSecret({ SERVER_SECRET_PREVIOUS: value }, 'SERVER_SECRET_PREVIOUS')).toEqual({
      value,
      setting: 'SERVER_SECRET_PREVIOUS',
    });
    expect(await readSecret({ SERVER_SECRET: value }, 'SERVER_SECRET_PREVIOUS')).toBeUndefined();
  });

  it('refuses a file it cannot read, naming the variable and the system code', async () => {
    const missing = await refusal(
      readSecret({ SERVER_SECRET_FILE: path.join(dir, 'absent') }, 'SERVER_SECRET'),
    );
    expect(missing.setting).toBe('SERVER_SECRET_FILE');
    expect(missing.message).toBe('SERVER_SECRET_FILE: cannot read the file (ENOENT)');
    const directory = await refusal(readSecret({ PRELOGIN_SEED_FILE: dir }, 'PRELOGIN_SEED'));
    expect(directory.message).toBe('PRELOGIN_SEED_FILE: cannot read the file (EISDIR)');
  });

  it('refuses an empty file and a weak one, never printing what it holds', async () => {
    const empty = path.join(dir, 'empty');
    await writeFile(empty, '\n  \n');
    const blank = await refusal(readSecret({ TOKEN_PEPPER_FILE: empty }, 'TOKEN_PEPPER'));
    expect(blank.message).toBe('TOKEN_PEPPER_FILE: the file is empty');

    const weak = path.join(dir, 'weak');
    const value = 'my-token-pepper-for-production-2024';
    await writeFile(weak, value);
    const refused = await refusal(readSecret({ TOKEN_PEPPER_PREVIOUS_FILE: weak }, 'TOKEN_PEPPER_PREVIOUS'));
    expect(refused.setting).toBe('TOKEN_PEPPER_PREVIOUS_FILE');
    expect(refused.code).toBe('WEAK_SECRET');
    expect(refused.message).toMatch(/^TOKEN_PEPPER_PREVIOUS_FILE: weak secret, too guessable/);
    expect(refused.message).not.toContain(value);
    expect(refused.message).not.toContain('pepper-for');
  });
});

describe('loadEnv: a secret set twice', () => {
  it('refuses NAME and NAME_FILE together, naming both and neither value', () => {
    const value = strong();
    for (const name of [
      'SERVER_SECRET',
      'SERVER_SECRET_PREVIOUS',
      'TOKEN_PEPPER',
      'TOKEN_PEPPER_PREVIOUS',
      'PRELOGIN_SEED',
      'AUDIT_SIGNING_KEY',
    ]) {
      const load = () => loadEnv({ [name]: value, [`${name}_FILE`]: '/run/secrets/x' });
      expect(load, name).toThrow(EnvError);
      expect(load, name).toThrow(`${name}: both ${name} and ${name}_FILE are set; set one`);
      try {
        load();
      } catch (error) {
        expect((error as Error).message).not.toContain(value);
      }
    }
  });

  it('takes either alone, and an empty one as unset', () => {
    const value = strong();
    expect(loadEnv({ TOKEN_PEPPER: value }).TOKEN_PEPPER).toBe(value);
    expect(loadEnv({ TOKEN_PEPPER_FILE: '/run/secrets/pepper' }).TOKEN_PEPPER_FILE).toBe(
      '/run/secrets/pepper',
    );
    expect(
      loadEnv({ TOKEN_PEPPER: '', TOKEN_PEPPER_FILE: '/run/secrets/pepper' }).TOKEN_PEPPER,
    ).toBeUndefined();
  });
});
