import { sql } from 'drizzle-orm';
import {
  bigint,
  boolean,
  check,
  index,
  integer,
  jsonb,
  pgTable,
  primaryKey,
  text,
  timestamp,
  uuid,
  varchar,
} from 'drizzle-orm/pg-core';

const timestamptz = (name: string) => timestamp(name, { withTimezone: true, mode: 'date' });

/** KDF parameters as the client sent them; validated by the route schema before they get here. */
export type StoredKdf =
  | { alg: 'argon2id'; memoryKiB: number; iterations: number; parallelism: number }
  | { alg: 'pbkdf2-sha256'; iterations: number };

export const accounts = pgTable(
  'accounts',
  {
    id: uuid('id').primaryKey(),
    email: text('email').notNull().unique(),
    kdf: jsonb('kdf').$type<StoredKdf>().notNull(),
    salt: text('salt').notNull(),
    /** "scrypt$N$r$p$salt$hash" of the client's auth key, never the key itself. */
    authHash: text('auth_hash').notNull(),
    wrappedVaultKey: text('wrapped_vault_key').notNull(),
    /** Highest revision assigned to any of this account's items; bumped under SELECT ... FOR UPDATE. */
    revision: bigint('revision', { mode: 'number' }).notNull().default(0),
    failedAttempts: integer('failed_attempts').notNull().default(0),
    lockedUntil: timestamptz('locked_until'),
    createdAt: timestamptz('created_at').notNull().defaultNow(),
    /** Version of the vault key `wrappedVaultKey` holds; rises by 1 at every rotation and vault reset. */
    keyVersion: integer('key_version').notNull().default(1),
    /** The recovery key's auth key, hashed like authHash; null when no recovery key is set. */
    recoveryAuthHash: text('recovery_auth_hash'),
    /** The vault key (of keyVersion) wrapped by the recovery wrapping key. */
    recoveryWrappedVaultKey: text('recovery_wrapped_vault_key'),
    recoveryCreatedAt: timestamptz('recovery_created_at'),
    /** A rotation in progress: the new version (keyVersion + 1) and its key, wrapped twice. */
    rotationKeyVersion: integer('rotation_key_version'),
    /** The new vault key wrapped by the password wrapping key. */
    rotationWrappedVaultKey: text('rotation_wrapped_vault_key'),
    /** The new vault key wrapped by the current (previous) vault key: any holder of it can follow. */
    rotationWrappedByPrevious: text('rotation_wrapped_by_previous'),
    /** Keyed hashes of earlier master passwords, sealed by the vault key; opaque to the server. */
    passwordHistory: text('password_history'),
    passwordChangedAt: timestamptz('password_changed_at').notNull().defaultNow(),
  },
  (t) => [
    check('accounts_email_lowercase', sql`${t.email} = lower(${t.email})`),
    // A recovery key and a pending rotation are each all there or not at all.
    check(
      'accounts_recovery_complete',
      sql`(${t.recoveryAuthHash} is null) = (${t.recoveryWrappedVaultKey} is null)
        and (${t.recoveryAuthHash} is null) = (${t.recoveryCreatedAt} is null)`,
    ),
    check(
      'accounts_rotation_complete',
      sql`(${t.rotationKeyVersion} is null) = (${t.rotationWrappedVaultKey} is null)
        and (${t.rotationKeyVersion} is null) = (${t.rotationWrappedByPrevious} is null)`,
    ),
    check(
      'accounts_rotation_next',
      sql`${t.rotationKeyVersion} is null or ${t.rotationKeyVersion} = ${t.keyVersion} + 1`,
    ),
  ],
);

export const deviceSessions = pgTable(
  'device_sessions',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    accountId: uuid('account_id')
      .notNull()
      .references(() => accounts.id, { onDelete: 'cascade' }),
    /** Unused since issue 10 (always null): the device's name is sealed in `name_ciphertext`. */
    deviceName: text('device_name'),
    /**
     * The device's name (browser, OS and the user's own words) sealed with the vault key by the
     * device after it signed in: the server stores no readable device name. Null until it does.
     */
    nameCiphertext: text('name_ciphertext'),
    /**
     * RFC 7638 thumbprint of the device's DPoP public key (RFC 9449): the session's tokens are
     * refused without a proof signed by that key. Null only for sessions from before DPoP.
     */
    jkt: text('jkt'),
    createdAt: timestamptz('created_at').notNull().defaultNow(),
    /** The last request (or refresh) seen from the session, kept to within a minute. */
    lastSeenAt: timestamptz('last_seen_at').notNull().defaultNow(),
    /** The client address the server saw at sign-in and most recently (docs/operations/deployment.md, TRUST_PROXY). */
    createdIp: text('created_ip'),
    lastIp: text('last_ip'),
    revokedAt: timestamptz('revoked_at'),
    /** Why it ended (logout, remote-logout, idle, absolute, session-cap, password-change…): shown to that device. */
    revokedReason: text('revoked_reason'),
  },
  (t) => [
    index('device_sessions_account_idx').on(t.accountId),
    index('device_sessions_live_idx').on(t.accountId, t.lastSeenAt).where(sql`${t.revokedAt} is null`),
  ],
);

export const tokenKinds = ['access', 'refresh'] as const;
export type TokenKind = (typeof tokenKinds)[number];

export const tokens = pgTable(
  'tokens',
  {
    /** Hex SHA-256 of the random bearer token; the token itself is never stored. */
    hash: text('hash').primaryKey(),
    kind: text('kind', { enum: tokenKinds }).notNull(),
    sessionId: uuid('session_id')
      .notNull()
      .references(() => deviceSessions.id, { onDelete: 'cascade' }),
    accountId: uuid('account_id')
      .notNull()
      .references(() => accounts.id, { onDelete: 'cascade' }),
    scopes: text('scopes').array().notNull(),
    expiresAt: timestamptz('expires_at').notNull(),
    /** Set when a refresh token is rotated; presenting it again revokes the whole session. */
    usedAt: timestamptz('used_at'),
    revokedAt: timestamptz('revoked_at'),
    createdAt: timestamptz('created_at').notNull().defaultNow(),
  },
  (t) => [
    index('tokens_session_idx').on(t.sessionId),
    // Housekeeping finds the expired ones by it (keyhold_prune_tokens), not by reading every token.
    index('tokens_expires_idx').on(t.expiresAt),
    check('tokens_kind_check', sql`${t.kind} in ('access', 'refresh')`),
  ],
);

export const items = pgTable(
  'items',
  {
    accountId: uuid('account_id')
      .notNull()
      .references(() => accounts.id, { onDelete: 'cascade' }),
    id: uuid('id').notNull(),
    revision: bigint('revision', { mode: 'number' }).notNull(),
    deleted: boolean('deleted').notNull().default(false),
    keyVersion: integer('key_version').notNull(),
    /** AEAD envelope ("k1.…"); null for tombstones. */
    ciphertext: text('ciphertext'),
    createdAt: timestamptz('created_at').notNull().defaultNow(),
    updatedAt: timestamptz('updated_at').notNull().defaultNow(),
  },
  (t) => [
    primaryKey({ columns: [t.accountId, t.id] }),
    index('items_account_revision_idx').on(t.accountId, t.revision),
  ],
);

/** Process-wide secrets shared by every server process on one PostgreSQL (e.g. the fake-prelogin HMAC key). */
/**
 * DPoP proofs already accepted (RFC 9449 §11.1), shared by every server process: `id` is the
 * SHA-256 of the key thumbprint and the proof's `jti`; a row lives as long as the proof could be
 * accepted, and a second insert of the same id is a replay.
 */
export const dpopProofs = pgTable(
  'dpop_proofs',
  {
    id: text('id').primaryKey(),
    expiresAt: timestamptz('expires_at').notNull(),
  },
  (t) => [index('dpop_proofs_expires_idx').on(t.expiresAt)],
);

/**
 * Counters of rate-limiter-flexible's RateLimiterPostgres (its own layout: key, points, expire in
 * epoch milliseconds), shared by every server process when no REDIS_URL is set.
 */
export const rateLimits = pgTable('rate_limits', {
  key: varchar('key', { length: 255 }).primaryKey(),
  points: integer('points').notNull().default(0),
  expire: bigint('expire', { mode: 'number' }),
});

export const serverSecrets = pgTable('server_secrets', {
  name: text('name').primaryKey(),
  value: text('value').notNull(),
  createdAt: timestamptz('created_at').notNull().defaultNow(),
});

/**
 * The append-only audit log (docs/audit.md). `seq` numbers the server-wide hash chain without gaps;
 * `account_seq`/`account_prev_hash` chain each account's events. No foreign key to accounts: an
 * account's history outlives the account. The application role may only INSERT and SELECT.
 */
export const auditEvents = pgTable(
  'audit_events',
  {
    seq: bigint('seq', { mode: 'number' }).primaryKey(),
    at: timestamptz('at').notNull(),
    type: text('type').notNull(),
    accountId: uuid('account_id'),
    sessionId: uuid('session_id'),
    requestId: text('request_id'),
    ip: text('ip'),
    payload: jsonb('payload').$type<Record<string, string | number | boolean | null>>().notNull(),
    accountSeq: bigint('account_seq', { mode: 'number' }),
    accountPrevHash: text('account_prev_hash'),
    prevHash: text('prev_hash').notNull(),
    hash: text('hash').notNull(),
  },
  (t) => [
    index('audit_events_account_idx').on(t.accountId, t.accountSeq),
    index('audit_events_at_idx').on(t.at),
  ],
);

/**
 * The chain's head: one row, locked by every audit write (which serialises the chain) and compared
 * with the last event by the verifier (so a removed tail is found). Pruning records where it cut.
 */
export const auditHead = pgTable(
  'audit_head',
  {
    id: boolean('id').primaryKey().default(true),
    lastEventSeq: bigint('last_event_seq', { mode: 'number' }).notNull().default(0),
    hash: text('hash').notNull(),
    prunedThroughSeq: bigint('pruned_through_seq', { mode: 'number' }).notNull().default(0),
    prunedThroughHash: text('pruned_through_hash').notNull(),
  },
  (t) => [check('audit_head_singleton', sql`${t.id}`)],
);

/** Signed snapshots of the chain's head (Ed25519 over RFC 8785 JSON), linked to each other. */
export const auditCheckpoints = pgTable('audit_checkpoints', {
  seq: bigint('seq', { mode: 'number' }).primaryKey(),
  at: timestamptz('at').notNull(),
  lastEventSeq: bigint('last_event_seq', { mode: 'number' }).notNull(),
  headHash: text('head_hash').notNull(),
  prevCheckpointHash: text('prev_checkpoint_hash').notNull(),
  keyId: text('key_id').notNull(),
  signature: text('signature').notNull(),
});

/** Public halves of every key that ever signed a checkpoint (published at /.well-known/keyhold-audit-keys). */
export const auditSigningKeys = pgTable('audit_signing_keys', {
  keyId: text('key_id').primaryKey(),
  publicKey: text('public_key').notNull(),
  createdAt: timestamptz('created_at').notNull().defaultNow(),
});
