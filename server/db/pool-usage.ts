import type { Db } from './client.ts';

/**
 * How busy a database's connections are, counted where our code runs work on them: postgres.js
 * publishes no pool statistics. One record per opened database (shared by every app on it), read by
 * the metrics at scrape time (server/metrics.ts); counting costs two additions per unit of work.
 */
export interface PoolUsage {
  /** Connections the pool may open: postgres.js `max`; PGlite has one. */
  readonly size: number;
  /** Transactions running now (inScope, inScopeOpenedBy): each holds a connection throughout. */
  transactions: number;
  /**
   * Statements running now outside a transaction: the hot paths' prepared statements (token check,
   * changes page, stream state) and the database limit store's. Background work (proof prunes,
   * audit checkpoints, the push hub's resync) is not counted.
   */
  statements: number;
}

const usages = new WeakMap<Db, PoolUsage>();

/** Starts counting the work run on `db` (client.ts, when a database is opened). */
export function trackPoolUsage(db: Db, size: number): PoolUsage {
  const usage: PoolUsage = { size, transactions: 0, statements: 0 };
  usages.set(db, usage);
  return usage;
}

/** The usage of a database opened by client.ts; undefined for anything else (e.g. a transaction). */
export const poolUsageOf = (db: Db): PoolUsage | undefined => usages.get(db);

/** Runs `work` on `db`, counted as one `kind` in flight while it runs. */
export async function counted<T>(
  db: Db,
  kind: 'transactions' | 'statements',
  work: () => Promise<T>,
): Promise<T> {
  const usage = usages.get(db);
  if (!usage) return work();
  usage[kind] += 1;
  try {
    return await work();
  } finally {
    usage[kind] -= 1;
  }
}
