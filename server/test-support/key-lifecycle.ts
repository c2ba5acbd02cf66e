import { randomUUID } from 'node:crypto';
import { asc, eq } from 'drizzle-orm';
import { expect } from 'vitest';
import { accounts, auditEvents as auditEventsTable } from '../db/schema.ts';
import type { createTestApp } from './app.ts';
import { b64u, envelope } from './app.ts';
import type { TestDatabase } from './db.ts';

/**
 * Helpers for the tests of the key lifecycle routes (recovery, password change, rotation, reset):
 * they speak the wire protocol through app.request() and look at the tables as their owner.
 */

type TestApp = ReturnType<typeof createTestApp>;
export type SignedUp = Awaited<ReturnType<TestApp['signUp']>>;

/** The error code (and field) of a JSON error answer. */
export async function errorOf(res: Response): Promise<{ status: number; code: string; field?: string }> {
  const body = (await res.json()) as { error: { code: string; field?: string } };
  return {
    status: res.status,
    code: body.error.code,
    ...(body.error.field ? { field: body.error.field } : {}),
  };
}

/** A second (third…) device session of the same account: a login with its auth key. */
export async function logInAgain(t: TestApp, user: { email: string; authKey: string }, deviceName = 'phone') {
  const res = await t.call('POST', '/v1/sessions', {
    body: { email: user.email, authKey: user.authKey, deviceName },
  });
  expect(res.status).toBe(200);
  return (await res.json()) as { accessToken: string; refreshToken: string };
}

/** Pushes `count` new items at `keyVersion`; returns their ids and the account's revision after. */
export async function pushNewItems(t: TestApp, token: string, count: number, keyVersion = 1) {
  const ids = Array.from({ length: count }, () => randomUUID());
  const res = await t.call('POST', '/v1/sync/push', {
    token,
    body: {
      changes: ids.map((id) => ({ id, baseRevision: 0, deleted: false, keyVersion, ciphertext: envelope() })),
    },
  });
  expect(res.status).toBe(200);
  const body = (await res.json()) as { revision: number; results: { id: string; revision: number }[] };
  return { ids, revision: body.revision, revisions: body.results.map((r) => r.revision) };
}

/** Whether the session behind `accessToken` still works (its next request is not refused). */
export async function sessionAlive(t: TestApp, accessToken: string): Promise<boolean> {
  const res = await t.call('GET', '/v1/accounts/current', { token: accessToken });
  if (res.status === 200) return true;
  expect(res.status).toBe(401);
  return false;
}

/** New master-password credentials, as the extension sends them after deriving a new master key. */
export const newCredentials = () => ({
  authKey: b64u(32),
  kdf: { alg: 'argon2id', memoryKiB: 65_536, iterations: 3, parallelism: 4 } as const,
  salt: b64u(16),
  wrappedVaultKey: envelope(77),
});

/** Every audit event (as the owner sees them), oldest first; of one account when given. */
export async function auditEvents(testDb: TestDatabase, accountId?: string) {
  const rows = await testDb.asOwner((db) =>
    db.select().from(auditEventsTable).orderBy(asc(auditEventsTable.seq)),
  );
  return accountId === undefined ? rows : rows.filter((row) => row.accountId === accountId);
}

/** None of `secrets` appears anywhere in the audit log (payloads, ids, everything). */
export async function expectNoSecretInAudit(testDb: TestDatabase, secrets: readonly string[]) {
  const dump = JSON.stringify(await auditEvents(testDb));
  for (const secret of secrets) expect(dump.includes(secret), 'a secret reached the audit log').toBe(false);
}

/** The account row as the owner sees it. */
export async function accountRow(testDb: TestDatabase, accountId: string) {
  const [row] = await testDb.asOwner((db) => db.select().from(accounts).where(eq(accounts.id, accountId)));
  if (!row) throw new Error('no such account');
  return row;
}
