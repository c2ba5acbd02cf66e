import { createHash, randomBytes } from 'node:crypto';
import { sql } from 'drizzle-orm';
import type { Db } from './db/client.ts';
import { deviceSessions, tokens } from './db/schema.ts';

export const scopes = ['vault:read', 'vault:write', 'account'] as const;
export type Scope = (typeof scopes)[number];

export const REFRESH_TOKEN_TTL_SECONDS = 30 * 24 * 60 * 60;

/** Tokens are 256 random bits; only their SHA-256 is stored, so a database dump holds no usable token. */
export const hashToken = (token: string): string => createHash('sha256').update(token).digest('hex');

const newToken = () => randomBytes(32).toString('base64url');

export interface IssuedTokens {
  accessToken: string;
  refreshToken: string;
  accessExpiresAt: string;
}

export async function createDeviceSession(db: Db, accountId: string, deviceName: string, now: Date) {
  const [session] = await db
    .insert(deviceSessions)
    .values({ accountId, deviceName, createdAt: now })
    .returning({ id: deviceSessions.id });
  if (!session) throw new Error('device session insert returned no row');
  return session.id;
}

/** Mints an access/refresh pair bound to a device session. Tests use it directly to get reduced scopes. */
export async function issueTokens(
  db: Db,
  options: {
    accountId: string;
    sessionId: string;
    scopes: readonly Scope[];
    now: Date;
    accessTtlSeconds: number;
  },
): Promise<IssuedTokens> {
  const accessToken = newToken();
  const refreshToken = newToken();
  const accessExpiresAt = new Date(options.now.getTime() + options.accessTtlSeconds * 1000);
  const common = { sessionId: options.sessionId, accountId: options.accountId, scopes: [...options.scopes] };
  await db.insert(tokens).values([
    { ...common, hash: hashToken(accessToken), kind: 'access', expiresAt: accessExpiresAt },
    {
      ...common,
      hash: hashToken(refreshToken),
      kind: 'refresh',
      expiresAt: new Date(options.now.getTime() + REFRESH_TOKEN_TTL_SECONDS * 1000),
    },
  ]);
  return { accessToken, refreshToken, accessExpiresAt: accessExpiresAt.toISOString() };
}

/**
 * Every authenticated request runs this, so it is one prepared statement (one per database handle)
 * and one round trip: keyhold_authenticate (migration 0002) finds the token by its hash and
 * declares its account for row-level security in the same statement.
 */
const buildFindToken = (db: Db) =>
  db
    .select({
      accountId: sql<string>`t.account_id`,
      sessionId: sql<string>`t.session_id`,
      scopes: sql<string[]>`t.scopes`,
      expiresAt: sql<Date>`t.expires_at`.mapWith(toDate),
      revokedAt: sql<Date | null>`t.revoked_at`.mapWith(toDate),
      sessionRevokedAt: sql<Date | null>`t.session_revoked_at`.mapWith(toDate),
      accountRevision: sql<number>`t.account_revision`.mapWith(Number),
    })
    // A token of one kind is never accepted as the other.
    .from(sql`keyhold_authenticate(${sql.placeholder('hash')}, ${sql.placeholder('kind')}) as t`)
    .prepare('keyhold_find_token');
const findTokenStatements = new WeakMap<Db, ReturnType<typeof buildFindToken>>();

/** Drivers answer timestamptz as a Date or as text, depending on how the column was selected. */
function toDate(value: unknown): Date {
  return value instanceof Date ? value : new Date(String(value));
}

/**
 * A token row with its session's revocation and its account's current revision, by the token's
 * hash and kind; null when unknown (or its account is gone).
 */
export async function findToken(db: Db, hash: string, kind: 'access' | 'refresh') {
  let statement = findTokenStatements.get(db);
  if (!statement) {
    statement = buildFindToken(db);
    findTokenStatements.set(db, statement);
  }
  const [row] = await statement.execute({ hash, kind });
  if (!row) return null;
  // mapWith is skipped for SQL NULL: the revocation columns stay null.
  return row;
}
