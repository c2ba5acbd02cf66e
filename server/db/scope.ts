import { sql } from 'drizzle-orm';
import type { Db } from './client.ts';
import { counted } from './pool-usage.ts';

/**
 * Who a transaction acts for, declared in transaction-local settings that the row-level security
 * policies read (server/db/migrations/0002_row_level_security.sql, docs/audit.md):
 * - `account`: the authenticated account, or the one being registered — its rows only;
 * - `email`: a login or pre-login that finds its account by email — that account row only;
 * - `server`: nothing of any account (rate limits, checkpoints, events without an account).
 */
export type Principal = { account: string } | { email: string } | 'server';

const SETTING = { account: 'keyhold.account_id', email: 'keyhold.email' } as const;

/** Declares `principal` for the rest of the current transaction (or adds an account to an email lookup). */
export async function declare(tx: Db, principal: Principal): Promise<void> {
  if (principal === 'server') return;
  const [name, value] =
    'account' in principal ? [SETTING.account, principal.account] : [SETTING.email, principal.email];
  await tx.execute(sql`select set_config(${name}, ${value}, true)`);
}

/** Work done in one transaction, after it was told who it acts for. */
export type Scoped<T> = (tx: Db) => Promise<T>;

/** Hooks run after the transaction committed (the audit log's JSON lines go out only then). */
const afterCommit = new WeakMap<Db, Array<() => void>>();

/**
 * Runs `work` in a transaction that acts as `principal`: the one way a request's queries reach
 * account data. Everything it does commits together or not at all, audit events included.
 */
export async function inScope<T>(db: Db, principal: Principal, work: Scoped<T>): Promise<T> {
  const hooks: Array<() => void> = [];
  const result = await counted(db, 'transactions', () =>
    db.transaction(async (tx) => {
      const scoped = tx as unknown as Db;
      afterCommit.set(scoped, hooks);
      await declare(scoped, principal);
      return work(scoped);
    }),
  );
  for (const hook of hooks) hook();
  return result;
}

/**
 * Like inScope, for the hot paths: a transaction whose first statement, `open`, is one of the
 * keyhold_* functions (migration 0005) that declares the account itself before it reads anything,
 * so the declaration costs no round trip of its own. `open` must be such a function: until an
 * account is declared, row-level security shows no account row at all, so forgetting it fails
 * closed (nothing found), never open.
 */
export async function inScopeOpenedBy<O, T>(
  db: Db,
  open: (tx: Db) => Promise<O>,
  work: (tx: Db, opened: O) => Promise<T>,
): Promise<T> {
  const hooks: Array<() => void> = [];
  const result = await counted(db, 'transactions', () =>
    db.transaction(async (tx) => {
      const scoped = tx as unknown as Db;
      afterCommit.set(scoped, hooks);
      return work(scoped, await open(scoped));
    }),
  );
  for (const hook of hooks) hook();
  return result;
}

/** Queues `hook` to run once the transaction `tx` (from inScope) has committed. */
export function onCommit(tx: Db, hook: () => void): void {
  const hooks = afterCommit.get(tx);
  if (!hooks)
    throw new Error('onCommit outside inScope: audit events must be written in a scoped transaction');
  hooks.push(hook);
}
