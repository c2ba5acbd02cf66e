import { sql } from 'drizzle-orm';
import { CHANGES_CHANNEL } from '../push/notifier.ts';
import type { Db } from './client.ts';
import { allRows } from './first-row.ts';
import { counted } from './pool-usage.ts';
import type { items } from './schema.ts';

/**
 * The sync hot paths, one round trip each, through the functions of migration 0005 (docs/sync.md,
 * "Cost of a request"). Each function declares the account it acts for before it reads a row, so
 * row-level security applies as it does in inScope; none of them runs with more rights than the
 * caller. The token check is tokens.ts `authorize`.
 */

export type ItemRow = typeof items.$inferSelect;

/** Drivers answer timestamptz as a Date or as text, depending on how the column was selected. */
export function toDate(value: unknown): Date {
  return value instanceof Date ? value : new Date(String(value));
}

const buildChanges = (db: Db) =>
  db
    .select({
      accountId: sql<string>`c.account_id`,
      id: sql<string>`c.id`,
      revision: sql<number>`c.revision`.mapWith(Number),
      deleted: sql<boolean>`c.deleted`,
      keyVersion: sql<number>`c.key_version`.mapWith(Number),
      ciphertext: sql<string | null>`c.ciphertext`,
      createdAt: sql<Date>`c.created_at`.mapWith(toDate),
      updatedAt: sql<Date>`c.updated_at`.mapWith(toDate),
    })
    .from(
      sql`keyhold_changes(${sql.placeholder('account')}::uuid, ${sql.placeholder('since')}::bigint,
        ${sql.placeholder('limit')}::integer) as c`,
    )
    .prepare('keyhold_changes');
const changesStatements = new WeakMap<Db, ReturnType<typeof buildChanges>>();

/** The account's items changed after `since`, in revision order, at most `limit` (keyhold_changes). */
export async function changesSince(
  db: Db,
  accountId: string,
  since: number,
  limit: number,
): Promise<ItemRow[]> {
  let statement = changesStatements.get(db);
  if (!statement) {
    statement = buildChanges(db);
    changesStatements.set(db, statement);
  }
  const prepared = statement;
  return counted(db, 'statements', () => prepared.execute({ account: accountId, since, limit }));
}

const buildStreamState = (db: Db) =>
  db
    .select({
      revision: sql<number>`s.revision`.mapWith(Number),
      revokedAt: sql<Date | null>`s.revoked_at`.mapWith(toDate),
    })
    .from(
      sql`keyhold_stream_state(${sql.placeholder('account')}::uuid, ${sql.placeholder('session')}::uuid) as s`,
    )
    .prepare('keyhold_stream_state');
const streamStatements = new WeakMap<Db, ReturnType<typeof buildStreamState>>();

/**
 * What a push stream reads after it subscribed (keyhold_stream_state): the account's revision and
 * the session's revocation; undefined when the session or its account is gone.
 */
export async function streamState(
  db: Db,
  accountId: string,
  sessionId: string,
): Promise<{ revision: number; revokedAt: Date | null } | undefined> {
  let statement = streamStatements.get(db);
  if (!statement) {
    statement = buildStreamState(db);
    streamStatements.set(db, statement);
  }
  const prepared = statement;
  const [row] = await counted(db, 'statements', () =>
    prepared.execute({ account: accountId, session: sessionId }),
  );
  return row;
}

export interface PushLock {
  revision: number;
  keyVersion: number;
  rotationKeyVersion: number | null;
  /** The stored copies of the pushed ids (those that exist), by id. */
  stored: Map<string, ItemRow>;
}

/**
 * A push's first statement in its transaction (keyhold_push_lock): declares the account, locks its
 * row until commit — pushes of one account run one at a time, so revisions are assigned in commit
 * order without gaps — and reads the revision, the key versions and the stored copies of `ids`.
 * Null when the account is gone.
 */
export async function lockForPush(
  tx: Db,
  accountId: string,
  ids: readonly string[],
): Promise<PushLock | null> {
  const rows = allRows(
    await tx.execute(
      sql`select * from keyhold_push_lock(${accountId}::uuid, ${sql.param([...ids])}::uuid[])`,
    ),
  );
  const [first] = rows;
  if (!first) return null;
  const stored = new Map<string, ItemRow>();
  for (const row of rows) {
    if (row.item_id === null || row.item_id === undefined) continue;
    const id = String(row.item_id);
    stored.set(id, {
      accountId,
      id,
      revision: Number(row.item_revision),
      deleted: row.item_deleted === true,
      keyVersion: Number(row.item_key_version),
      ciphertext: row.item_ciphertext === null ? null : String(row.item_ciphertext),
      createdAt: toDate(row.item_created_at),
      updatedAt: toDate(row.item_updated_at),
    });
  }
  return {
    revision: Number(first.revision),
    keyVersion: Number(first.key_version),
    rotationKeyVersion: first.rotation_key_version === null ? null : Number(first.rotation_key_version),
    stored,
  };
}

/**
 * A push's one write, in the transaction lockForPush opened: the items (inserted or replaced), the
 * account's new revision, and the change notification that every server process's push hub hears
 * on commit (never on rollback) — one statement.
 */
export async function writePush(
  tx: Db,
  accountId: string,
  revision: number,
  at: Date,
  writes: readonly ItemRow[],
): Promise<void> {
  const rows = JSON.stringify(
    writes.map((w) => ({
      id: w.id,
      revision: w.revision,
      deleted: w.deleted,
      key_version: w.keyVersion,
      ciphertext: w.ciphertext,
      created_at: w.createdAt.toISOString(),
    })),
  );
  await tx.execute(sql`
    with written as (
      insert into items (account_id, id, revision, deleted, key_version, ciphertext, created_at, updated_at)
      select ${accountId}::uuid, w.id, w.revision, w.deleted, w.key_version, w.ciphertext, w.created_at,
        ${at.toISOString()}::timestamptz
      from json_to_recordset(${rows}::json) as w(id uuid, revision bigint, deleted boolean,
        key_version integer, ciphertext text, created_at timestamptz)
      on conflict (account_id, id) do update set revision = excluded.revision, deleted = excluded.deleted,
        key_version = excluded.key_version, ciphertext = excluded.ciphertext, updated_at = excluded.updated_at
      returning 1
    ), moved as (
      update accounts set revision = ${revision}::bigint where id = ${accountId}::uuid returning id
    )
    select pg_notify(${CHANGES_CHANNEL}, json_build_object('accountId', id, 'revision', ${revision}::bigint)::text)
    from moved`);
}
