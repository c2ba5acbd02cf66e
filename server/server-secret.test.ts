import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { tokens } from './db/schema.ts';
import { resolveServerSecrets, type ServerSecrets } from './server-secret.ts';
import { StartupError } from './startup-error.ts';
import { createTestApp } from './test-support/app.ts';
import { createTestDatabase, type TestDatabase } from './test-support/db.ts';

const secret = () => randomBytes(32).toString('base64url');
let testDb: TestDatabase;
let dataDir: string;
beforeAll(async () => {
  testDb = await createTestDatabase();
});
afterAll(() => testDb.dispose());
beforeEach(async () => {
  await testDb.truncate();
  await rm(dataDir ?? '/nonexistent', { recursive: true, force: true });
  dataDir = await mkdtemp(path.join(tmpdir(), 'keyhold-server-secret-'));
});
afterAll(() => rm(dataDir, { recursive: true, force: true }));

const resolve = (env: Record<string, string> = {}) =>
  resolveServerSecrets({ DATA_DIR: dataDir, ...env }, testDb.database);
const appWith = (secrets: ServerSecrets) =>
  createTestApp(testDb.database, {
    secret: secrets.preloginSeed,
    keyring: secrets.keyring,
    tokenHasher: secrets.tokenHasher,
  });

describe('resolveServerSecrets', () => {
  it('generates each secret once and keeps it: every start (every process) gets the same', async () => {
    const first = await resolve();
    const second = await resolve();
    expect(first.sources).toEqual({ serverSecret: 'stored', tokenPepper: 'stored', preloginSeed: 'stored' });
    expect(second.preloginSeed).toBe(first.preloginSeed);
    expect(first.preloginSeed).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(second.tokenHasher.hash('t')).toBe(first.tokenHasher.hash('t'));
    expect(second.keyring.verify('x', 'data', first.keyring.sign('x', 'data'))).toBe(true);
    // Three independent values.
    const pepperHash = first.tokenHasher.hash('t');
    expect(new Set([first.preloginSeed, pepperHash, first.keyring.sign('x', 't')]).size).toBe(3);
  });

  it('takes configured values over stored ones, and says where each came from', async () => {
    const stored = await resolve();
    const configured = await resolve({ SERVER_SECRET: secret(), TOKEN_PEPPER: secret() });
    expect(configured.sources).toEqual({ serverSecret: 'env', tokenPepper: 'env', preloginSeed: 'stored' });
    expect(configured.tokenHasher.hash('t')).not.toBe(stored.tokenHasher.hash('t'));
    // The seed does not follow SERVER_SECRET: it is the one kept since the first start.
    expect(configured.preloginSeed).toBe(stored.preloginSeed);
    const seed = secret();
    expect((await resolve({ PRELOGIN_SEED: seed })).preloginSeed).toBe(seed);
  });

  it('refuses a previous version without a current one', async () => {
    for (const [previous, current] of [
      ['SERVER_SECRET_PREVIOUS', 'SERVER_SECRET'],
      ['TOKEN_PEPPER_PREVIOUS', 'TOKEN_PEPPER'],
    ]) {
      const error = await resolve({ [previous as string]: secret() }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(StartupError);
      expect((error as StartupError).message).toBe(
        `${previous}: set without ${current} (a rotation needs the new value as ${current})`,
      );
    }
  });

  it('refuses one value used for two secrets, naming both variables and not the value', async () => {
    const value = secret();
    const envs: Record<string, string>[] = [
      { SERVER_SECRET: value, TOKEN_PEPPER: value },
      { TOKEN_PEPPER: value, TOKEN_PEPPER_PREVIOUS: value },
    ];
    for (const env of envs) {
      const error = (await resolve(env).catch((e: unknown) => e)) as StartupError;
      expect(error).toBeInstanceOf(StartupError);
      expect(error.code).toBe('REUSED_SECRET');
      expect(error.message).toMatch(
        /^(TOKEN_PEPPER|TOKEN_PEPPER_PREVIOUS): the same value as (SERVER_SECRET|TOKEN_PEPPER);/,
      );
      expect(error.message).not.toContain(value);
    }
  });
});

describe('rotating SERVER_SECRET and TOKEN_PEPPER (one process)', () => {
  it('keeps every pre-login answer, real or fake, and every session, through the rotation', async () => {
    const [oldSecret, newSecret, oldPepper, newPepper] = [secret(), secret(), secret(), secret()];
    const before = appWith(await resolve({ SERVER_SECRET: oldSecret, TOKEN_PEPPER: oldPepper }));
    const user = await before.signUp();
    const unknown = `nobody-${randomUUID()}@example.com`;
    const answersOf = async (app: ReturnType<typeof appWith>) =>
      Promise.all(
        [unknown, user.email].map(async (email) => {
          const res = await app.call('POST', '/v1/accounts/prelogin', { body: { email } });
          expect(res.status).toBe(200);
          return res.json();
        }),
      );
    const recorded = await answersOf(before);
    expect(recorded[0]).not.toEqual(recorded[1]);

    const during = appWith(
      await resolve({
        SERVER_SECRET: newSecret,
        SERVER_SECRET_PREVIOUS: oldSecret,
        TOKEN_PEPPER: newPepper,
        TOKEN_PEPPER_PREVIOUS: oldPepper,
      }),
    );
    expect(await answersOf(during)).toEqual(recorded);
    expect((await during.call('GET', '/v1/sync/changes', { token: user.accessToken })).status).toBe(200);
    const refreshed = await during.call('POST', '/v1/sessions/refresh', {
      body: { refreshToken: user.refreshToken },
    });
    expect(refreshed.status).toBe(200);
    const rotated = (await refreshed.json()) as { accessToken: string };

    const after = appWith(await resolve({ SERVER_SECRET: newSecret, TOKEN_PEPPER: newPepper }));
    expect(await answersOf(after)).toEqual(recorded);
    expect((await after.call('GET', '/v1/sync/changes', { token: rotated.accessToken })).status).toBe(200);
    expect((await after.call('GET', '/v1/sync/changes', { token: user.accessToken })).status).toBe(401);
  }, 120_000);

  it('still accepts a token stored before peppering (plain SHA-256), so an upgrade signs no one out', async () => {
    const app = appWith(await resolve({ TOKEN_PEPPER: secret() }));
    const user = await app.signUp();
    expect((await app.call('GET', '/v1/sync/changes', { token: user.accessToken })).status).toBe(200);
    const plain = createHash('sha256').update(user.accessToken).digest('hex');
    await testDb.asOwner((db) => db.update(tokens).set({ hash: plain }).where(eq(tokens.kind, 'access')));
    expect((await app.call('GET', '/v1/sync/changes', { token: user.accessToken })).status).toBe(200);
    // Only that token's SHA-256 matches: a different token is refused.
    const other = `${user.accessToken.slice(0, -1)}${user.accessToken.endsWith('A') ? 'B' : 'A'}`;
    expect((await app.call('GET', '/v1/sync/changes', { token: other })).status).toBe(401);
  });
});
