import { eq, sql } from 'drizzle-orm';
import { pino } from 'pino';
import { recordAudit } from '../audit/record.ts';
import type { Db } from './client.ts';
import { firstRow } from './first-row.ts';
import { serverSecrets } from './schema.ts';
import { inScope } from './scope.ts';

/**
 * The database's restore lineage (docs/operations/backup-restore.md). A database that was never
 * restored has none. `npm run restore` gives the restored database a new one: a random id and the
 * floor every account's revision counter was moved to, above anything the backed-up database or its
 * successor can have handed out. Clients learn it from the changes answer and reconcile when it
 * changes (docs/sync.md, "After a restore").
 */
export interface Lineage {
  id: string;
  floor: number;
}

/**
 * How far past the highest revision of any account the restore moves every account's counter: the
 * revisions a server may hand out between a backup and its restore without reusing one a device saw.
 */
export const RESTORE_REVISION_GAP = 1_000_000_000;

/** Kept as a row of server_secrets (readable by the application role); not a secret. */
export const LINEAGE_ROW = 'restore-lineage';

const isLineage = (value: unknown): value is Lineage =>
  typeof value === 'object' &&
  value !== null &&
  typeof (value as Lineage).id === 'string' &&
  Number.isSafeInteger((value as Lineage).floor);

const cache = new WeakMap<Db, Promise<Lineage | null>>();

/**
 * The lineage of the database behind `db`, read once per process: a restore happens while no server
 * runs on the database (the restore refuses otherwise), so it cannot change under a running server.
 */
export function lineageOf(db: Db): Promise<Lineage | null> {
  let lineage = cache.get(db);
  if (!lineage) {
    lineage = readLineage(db);
    cache.set(db, lineage);
    // A failed read (database briefly down) is retried by the next request.
    lineage.catch(() => cache.delete(db));
  }
  return lineage;
}

async function readLineage(db: Db): Promise<Lineage | null> {
  const [row] = await db
    .select({ value: serverSecrets.value })
    .from(serverSecrets)
    .where(eq(serverSecrets.name, LINEAGE_ROW));
  if (!row) return null;
  const value: unknown = JSON.parse(row.value);
  if (!isLineage(value)) throw new Error(`server_secrets row ${LINEAGE_ROW} is not a lineage`);
  return value;
}

/**
 * The restore's last step, as the tables' owner, in one transaction: every account's revision moves
 * to one floor above the highest any account had plus the gap, the database gets a new lineage, and
 * the audit log records `database.restored` right after the backup's last event — so the log itself
 * says where history was rewound (whatever happened after the backup is not in it).
 */
export async function startNewLineage(owner: Db, id: string, at: Date = new Date()): Promise<Lineage> {
  return inScope(owner, 'server', async (tx) => {
    const top = firstRow(await tx.execute(sql`select coalesce(max(revision), 0) as top from accounts`));
    const floor = Number(top?.top ?? 0) + RESTORE_REVISION_GAP;
    const lineage: Lineage = { id, floor };
    await tx.execute(sql`update accounts set revision = ${floor}::bigint`);
    await tx
      .insert(serverSecrets)
      .values({ name: LINEAGE_ROW, value: JSON.stringify(lineage) })
      .onConflictDoUpdate({ target: serverSecrets.name, set: { value: JSON.stringify(lineage) } });
    // The restore prints its own line; the event is in the log it restored.
    const logger = pino({ level: 'silent' });
    await recordAudit(
      tx,
      { at, requestId: null, ip: null, logger },
      { type: 'database.restored', payload: { lineage: id, revisionFloor: floor } },
    );
    return lineage;
  });
}
