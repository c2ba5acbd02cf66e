import { randomBytes } from 'node:crypto';
import { sql } from 'drizzle-orm';
import type { Db } from './db/client.ts';
import { toDate } from './db/hot-path.ts';
import { counted } from './db/pool-usage.ts';
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

/** A token row's columns as keyhold_authenticate and keyhold_authorize both answer them (`t`). */
const tokenRowColumns = () => ({
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
});

/**
 * Every authenticated request runs this, so it is one prepared statement (one per database handle)
 * and one round trip: keyhold_authenticate (migration 0002) finds the token by its hash and
 * declares its account for row-level security in the same statement.
 */
const buildFindToken = (db: Db) =>
  db
    .select({
      accountId: sql<string>`t.account_id`,
      ...tokenRowColumns(),
    })
    // A token of one kind is never accepted as the other.
    .from(sql`keyhold_authenticate(${sql.placeholder('hash')}, ${sql.placeholder('kind')}) as t`)
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
  if (!row) return null;
  // mapWith is skipped for SQL NULL: the revocation columns stay null.
  return row;
}

const buildAuthorize = (db: Db) =>
  db
    .select({
      fresh: sql<boolean>`t.fresh`,
      hash: sql<string | null>`t.hash`,
      accountId: sql<string | null>`t.account_id`,
      ...tokenRowColumns(),
    })
    .from(
      sql`keyhold_authorize(${sql.placeholder('hashes')}::text[], ${sql.placeholder('proofId')},
        ${sql.placeholder('proofExpiresAt')}::timestamptz, ${sql.placeholder('at')}::timestamptz,
        ${sql.placeholder('jkt')}, ${sql.placeholder('touchUntil')}::timestamptz,
        ${sql.placeholder('idleAfter')}::timestamptz, ${sql.placeholder('absoluteAfter')}::timestamptz,
        ${sql.placeholder('ip')}) as t`,
    )
    .prepare('keyhold_authorize');
const authorizeStatements = new WeakMap<Db, ReturnType<typeof buildAuthorize>>();

export interface AuthorizeInput {
  /** The presented access token: looked up under every stored form it may have (TokenHasher.candidates). */
  token: string;
  hasher: TokenHasher;
  /** The request's DPoP proof (dpop.ts verifyDpopProof): its id is recorded, its key compared. */
  proof: { replayId: string; expiresAt: Date; jkt: string };
  at: Date;
  /** When a use is written to `last_seen_at` (session-limits.ts touchWindow). */
  touch: { until: Date; idleAfter: Date; absoluteAfter: Date };
  ip: string | null;
}

/**
 * Everything an authenticated request asks the database, in one statement and one round trip
 * (keyhold_authorize, migration 0005): the proof id into the replay store, the access token with
 * its session and its account's revision, and the session's last use when it is due. Nothing is
 * cached: a token or session revoked a moment ago is found revoked. `fresh` is false for a replayed
 * proof; `row` is null for an unknown token. The caller makes the checks and their answers.
 */
export async function authorize(db: Db, input: AuthorizeInput) {
  let statement = authorizeStatements.get(db);
  if (!statement) {
    statement = buildAuthorize(db);
    authorizeStatements.set(db, statement);
  }
  const prepared = statement;
  const [result] = await counted(db, 'statements', () =>
    prepared.execute({
      hashes: [...input.hasher.candidates(input.token)],
      proofId: input.proof.replayId,
      proofExpiresAt: input.proof.expiresAt.toISOString(),
      at: input.at.toISOString(),
      jkt: input.proof.jkt,
      touchUntil: input.touch.until.toISOString(),
      idleAfter: input.touch.idleAfter.toISOString(),
      absoluteAfter: input.touch.absoluteAfter.toISOString(),
      ip: input.ip,
    }),
  );
  if (!result) throw new Error('keyhold_authorize returned no row');
  const { fresh, hash, accountId, ...rest } = result;
  return { fresh: fresh === true, row: hash === null || accountId === null ? null : { ...rest, accountId } };
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
