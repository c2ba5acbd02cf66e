import { createHash, randomBytes } from 'node:crypto';
import { and, eq, sql } from 'drizzle-orm';
import type { Db } from './db/client.ts';
import { accounts, deviceSessions, tokens } from './db/schema.ts';

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
 * Every authenticated request runs this, so it is a prepared statement (one per database handle):
 * planned once per connection instead of on every request.
 */
const buildFindToken = (db: Db) =>
  db
    .select({
      accountId: tokens.accountId,
      sessionId: tokens.sessionId,
      scopes: tokens.scopes,
      expiresAt: tokens.expiresAt,
      revokedAt: tokens.revokedAt,
      sessionRevokedAt: deviceSessions.revokedAt,
      accountRevision: accounts.revision,
    })
    .from(tokens)
    .innerJoin(deviceSessions, eq(deviceSessions.id, tokens.sessionId))
    .innerJoin(accounts, eq(accounts.id, tokens.accountId))
    // A token of one kind is never accepted as the other.
    .where(and(eq(tokens.hash, sql.placeholder('hash')), eq(tokens.kind, sql.placeholder('kind'))))
    .limit(1)
    .prepare('keyhold_find_token');
const findTokenStatements = new WeakMap<Db, ReturnType<typeof buildFindToken>>();

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
  return row ?? null;
}
