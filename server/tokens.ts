import { randomBytes } from 'node:crypto';
import { sql } from 'drizzle-orm';
import type { Db } from './db/client.ts';
import { deviceSessions, tokens } from './db/schema.ts';
import type { TokenHasher } from './secrets/keyring.ts';

export const scopes = ['vault:read', 'vault:write', 'account'] as const;
export type Scope = (typeof scopes)[number];

export const REFRESH_TOKEN_TTL_SECONDS = 30 * 24 * 60 * 60;

/**
 * Tokens are 256 random bits; only their HMAC under the token pepper is stored (TokenHasher,
 * secrets/keyring.ts), so a database dump holds no usable token nor any hash to match one against.
 */
const newToken = () => randomBytes(32).toString('base64url');

export interface IssuedTokens {
  /** Always DPoP: the tokens work only with proofs by the session's key (docs/sessions.md). */
  tokenType: 'DPoP';
  accessToken: string;
  refreshToken: string;
  accessExpiresAt: string;
}

export async function createDeviceSession(db: Db, accountId: string, now: Date) {
  const [session] = await db
    .insert(deviceSessions)
    .values({ accountId, createdAt: now, lastSeenAt: now })
    .returning({ id: deviceSessions.id });
  if (!session) throw new Error('device session insert returned no row');
  return session.id;
}

/** Mints an access/refresh pair bound to a device session. Tests use it directly to get reduced scopes. */
export async function issueTokens(
  db: Db,
  options: {
    /** deps.tokenHasher: new tokens are stored under the current pepper. */
    hasher: TokenHasher;
    accountId: string;
    sessionId: string;
    scopes: readonly Scope[];
    now: Date;
    accessTtlSeconds: number;
    /** The refresh token expires no later than this (the session's absolute limit). */
    refreshNotAfter?: Date;
  },
): Promise<IssuedTokens> {
  const accessToken = newToken();
  const refreshToken = newToken();
  const accessExpiresAt = new Date(options.now.getTime() + options.accessTtlSeconds * 1000);
  const common = { sessionId: options.sessionId, accountId: options.accountId, scopes: [...options.scopes] };
  await db.insert(tokens).values([
    { ...common, hash: options.hasher.hash(accessToken), kind: 'access', expiresAt: accessExpiresAt },
    {
      ...common,
      hash: options.hasher.hash(refreshToken),
      kind: 'refresh',
      expiresAt: new Date(
        Math.min(
          options.now.getTime() + REFRESH_TOKEN_TTL_SECONDS * 1000,
          options.refreshNotAfter?.getTime() ?? Number.POSITIVE_INFINITY,
        ),
      ),
    },
  ]);
  return { tokenType: 'DPoP', accessToken, refreshToken, accessExpiresAt: accessExpiresAt.toISOString() };
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
      sessionCreatedAt: sql<Date>`t.session_created_at`.mapWith(toDate),
      sessionLastSeenAt: sql<Date>`t.session_last_seen_at`.mapWith(toDate),
      /** The session's DPoP key thumbprint (null: a session from before DPoP). */
      jkt: sql<string | null>`t.jkt`,
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

/**
 * findToken for a presented token: under the current pepper first — the only lookup a valid token
 * normally costs — and only on a miss under the previous pepper (during a rotation) and the
 * pre-pepper form (TokenHasher.candidates). `hash` is the stored hash that matched (the current
 * one when none did), for the statements that act on that row.
 */
export async function lookupToken(db: Db, hasher: TokenHasher, token: string, kind: 'access' | 'refresh') {
  for (const hash of hasher.candidates(token)) {
    const row = await findToken(db, hash, kind);
    if (row) return { hash, row };
  }
  return { hash: hasher.hash(token), row: null };
}
