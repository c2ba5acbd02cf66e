import { createHmac } from 'node:crypto';
import { eq } from 'drizzle-orm';
import { Hono } from 'hono';
import { ApiError } from '../api-error.ts';
import type { AppEnv } from '../app-env.ts';
import { hashAuthKey } from '../auth-hash.ts';
import { accounts } from '../db/schema.ts';
import { jsonBody } from '../middleware/validate.ts';
import { type PreloginResponse, preloginRequest, registerRequest } from './accounts-schema.ts';
import type { KdfParamsWire } from './common-schema.ts';

export * from './accounts-schema.ts';

/** What an unknown email is told: the client's default KDF and a salt stable per (server, email). */
export const FAKE_KDF: KdfParamsWire = { alg: 'argon2id', memoryKiB: 65_536, iterations: 3, parallelism: 4 };
export const FAKE_SALT_BYTES = 16;

export const fakeSalt = (secret: string, email: string): string =>
  createHmac('sha256', secret)
    .update(`keyhold/v1/prelogin-salt\0${email}`)
    .digest()
    .subarray(0, FAKE_SALT_BYTES)
    .toString('base64url');

export const accountRoutes = new Hono<AppEnv>()
  .post('/', jsonBody(registerRequest), async (c) => {
    const body = c.req.valid('json');
    const { db, now } = c.var.deps;
    const authHash = await hashAuthKey(Buffer.from(body.authKey, 'base64url'));
    // Conflict on either the client-chosen id or the email: both mean "this account exists".
    const inserted = await db
      .insert(accounts)
      .values({
        id: body.accountId,
        email: body.email,
        kdf: body.kdf,
        salt: body.salt,
        authHash,
        wrappedVaultKey: body.wrappedVaultKey,
        createdAt: now(),
      })
      .onConflictDoNothing()
      .returning({ id: accounts.id });
    if (inserted.length === 0) {
      throw new ApiError(409, 'ACCOUNT_EXISTS', 'An account with this email or id already exists.');
    }
    return c.json({ accountId: body.accountId }, 201);
  })
  .post('/prelogin', jsonBody(preloginRequest), async (c) => {
    const { email } = c.req.valid('json');
    const { db, secret } = c.var.deps;
    const [account] = await db
      .select({ kdf: accounts.kdf, salt: accounts.salt })
      .from(accounts)
      .where(eq(accounts.email, email))
      .limit(1);
    const reply: PreloginResponse = account ?? { kdf: FAKE_KDF, salt: fakeSalt(secret, email) };
    return c.json(reply, 200);
  });
