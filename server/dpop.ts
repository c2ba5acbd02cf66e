import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { eq, inArray, lt, sql } from 'drizzle-orm';
import type { Context } from 'hono';
import { calculateJwkThumbprint, decodeProtectedHeader, EmbeddedJWK, type JWTPayload, jwtVerify } from 'jose';
import type { Logger } from 'pino';
import { ApiError } from './api-error.ts';
import type { AppEnv } from './app-env.ts';
import type { Db } from './db/client.ts';
import { deviceSessions, dpopProofs } from './db/schema.ts';

/**
 * DPoP (RFC 9449): every token is bound to the device's P-256 key; each request carries a proof the
 * key signed over the method, URL, time, a unique id and the access token's hash. Invariants and
 * windows: docs/sessions.md, "DPoP".
 */

/** A proof is accepted up to this long after its `iat` (server clock)… */
export const DPOP_MAX_AGE_SECONDS = 60;
/** …and from this long before it (a device clock slightly ahead). */
export const DPOP_MAX_FUTURE_SECONDS = 10;
/** Server nonces change every bucket; the current and the previous bucket's are accepted. */
export const DPOP_NONCE_BUCKET_SECONDS = 300;

const COMPACT_JWS = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/;
const MAX_PROOF_LENGTH = 4096;
const PRIVATE_JWK_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'k', 'oth'];

export const DPOP_CHALLENGE = 'DPoP algs="ES256"';

export const invalidDpopProof = (message: string) =>
  new ApiError(401, 'INVALID_DPOP_PROOF', `Invalid DPoP proof: ${message}`, {
    headers: { 'WWW-Authenticate': 'DPoP error="invalid_dpop_proof", algs="ES256"' },
  });

/** RFC 9449 §8/§9: the token endpoints answer 400, protected resources 401 with a challenge. */
const useDpopNonce = (status: 400 | 401, nonce: string) =>
  new ApiError(status, 'USE_DPOP_NONCE', 'Sign the request again with the nonce in the DPoP-Nonce header.', {
    headers: { 'WWW-Authenticate': 'DPoP error="use_dpop_nonce", algs="ES256"', 'DPoP-Nonce': nonce },
  });

/** base64url(SHA-256(access token)): the proof's `ath`. */
export const accessTokenHash = (token: string) => createHash('sha256').update(token).digest('base64url');

/**
 * The one place the server secret becomes a nonce key (a keyring may replace the secret later: only
 * this function changes).
 */
const nonceKey = (secret: string) => createHmac('sha256', secret).update('keyhold dpop nonce v1').digest();

const nonceFor = (secret: string, bucket: number) =>
  createHmac('sha256', nonceKey(secret)).update(String(bucket)).digest('base64url').slice(0, 32);

/** The nonce of the current time bucket: any process with the same secret computes the same one. */
export const currentDpopNonce = (secret: string, now: Date) =>
  nonceFor(secret, Math.floor(now.getTime() / 1000 / DPOP_NONCE_BUCKET_SECONDS));

/** 'current', 'previous' (accepted, but the reply carries the new one) or null (unknown/expired). */
function nonceAge(secret: string, now: Date, nonce: unknown): 'current' | 'previous' | null {
  if (typeof nonce !== 'string' || Buffer.byteLength(nonce) !== 32) return null;
  const bucket = Math.floor(now.getTime() / 1000 / DPOP_NONCE_BUCKET_SECONDS);
  const given = Buffer.from(nonce);
  if (timingSafeEqual(given, Buffer.from(nonceFor(secret, bucket)))) return 'current';
  if (timingSafeEqual(given, Buffer.from(nonceFor(secret, bucket - 1)))) return 'previous';
  return null;
}

/**
 * The URL the request was addressed to, as the client saw it: PUBLIC_URL (the external origin and
 * path prefix behind a reverse proxy) + the path, else the request's own scheme, host and path.
 * Query and fragment are not part of `htu` (RFC 9449 §4.2).
 */
export function expectedHtu(c: Context<AppEnv>): string {
  const { publicUrl } = c.var.deps;
  if (publicUrl) return normalizeHtu(`${publicUrl.replace(/\/+$/, '')}${c.req.path}`) ?? '';
  return normalizeHtu(c.req.url) ?? '';
}

/** Scheme and host lower-cased, default port dropped, query and fragment removed (RFC 3986 §6). */
export function normalizeHtu(value: string): string | null {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return null;
  }
  return `${url.protocol}//${url.host}${url.pathname}`;
}

/** Imported public keys by their JWK (as sent), with their thumbprints. */
const keyCache = new Map<string, { publicKey: CryptoKey; jkt: string }>();
const KEY_CACHE_MAX = 10_000;

export interface VerifiedProof {
  /** RFC 7638 thumbprint of the proof's key. */
  jkt: string;
  /** SHA-256 of jkt and jti: the proof's row in dpop_proofs. */
  replayId: string;
  /** After this the proof's `iat` is too old for any process to accept it. */
  expiresAt: Date;
}

/**
 * Checks the request's DPoP header: one compact JWS, typ dpop+jwt, ES256 by the public key in its
 * header, this request's method and URL, a recent iat, a jti, `ath` of `accessToken` when one is
 * presented, and the server's nonce when required. Does not check replay (rememberProof does).
 */
export async function verifyDpopProof(
  c: Context<AppEnv>,
  options: { accessToken?: string; tokenEndpoint?: boolean } = {},
): Promise<VerifiedProof> {
  const { now, secret, dpopRequireNonce } = c.var.deps;
  const proof = c.req.header('dpop');
  if (!proof) throw invalidDpopProof('the DPoP header is missing.');
  if (proof.length > MAX_PROOF_LENGTH || !COMPACT_JWS.test(proof)) {
    throw invalidDpopProof('the DPoP header must be exactly one compact JWS.');
  }
  let header: ReturnType<typeof decodeProtectedHeader>;
  try {
    header = decodeProtectedHeader(proof);
  } catch {
    throw invalidDpopProof('its header is not readable.');
  }
  if (header.typ !== 'dpop+jwt') throw invalidDpopProof('typ must be dpop+jwt.');
  if (header.alg !== 'ES256') throw invalidDpopProof('alg must be ES256.');
  const jwk = header.jwk;
  if (!jwk || typeof jwk !== 'object') throw invalidDpopProof('the header must carry the public jwk.');
  if (PRIVATE_JWK_MEMBERS.some((member) => member in jwk)) {
    throw invalidDpopProof('the jwk must be a public key.');
  }
  const at = now();
  // A device sends the same key with every proof: its import and thumbprint are computed once.
  const cacheKey = JSON.stringify(jwk);
  let known = keyCache.get(cacheKey);
  let payload: JWTPayload;
  try {
    if (!known) {
      const publicKey = await EmbeddedJWK(header, { payload: '', signature: '' });
      known = { publicKey, jkt: await calculateJwkThumbprint(jwk, 'sha256') };
      if (keyCache.size >= KEY_CACHE_MAX) keyCache.clear();
      keyCache.set(cacheKey, known);
    }
    ({ payload } = await jwtVerify(proof, known.publicKey, {
      typ: 'dpop+jwt',
      algorithms: ['ES256'],
      currentDate: at,
    }));
  } catch {
    throw invalidDpopProof('the signature does not verify with its jwk.');
  }
  if (payload.htm !== c.req.method) throw invalidDpopProof('htm is not this request method.');
  const htu = typeof payload.htu === 'string' ? normalizeHtu(payload.htu) : null;
  if (htu === null || htu !== expectedHtu(c)) throw invalidDpopProof('htu is not this request URL.');
  if (typeof payload.jti !== 'string' || payload.jti.length < 8 || payload.jti.length > 256) {
    throw invalidDpopProof('jti must be a unique id (8–256 characters).');
  }
  const nowSeconds = at.getTime() / 1000;
  if (typeof payload.iat !== 'number') throw invalidDpopProof('iat is missing.');
  if (payload.iat < nowSeconds - DPOP_MAX_AGE_SECONDS) throw invalidDpopProof('it is too old (iat).');
  if (payload.iat > nowSeconds + DPOP_MAX_FUTURE_SECONDS) throw invalidDpopProof('iat is in the future.');
  if (options.accessToken !== undefined) {
    if (typeof payload.ath !== 'string') throw invalidDpopProof('ath is missing.');
    const expected = Buffer.from(accessTokenHash(options.accessToken));
    const given = Buffer.from(payload.ath);
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
      throw invalidDpopProof('ath is not the hash of this access token.');
    }
  }
  if (dpopRequireNonce) {
    const age = nonceAge(secret, at, payload.nonce);
    const fresh = currentDpopNonce(secret, at);
    if (age === null) throw useDpopNonce(options.tokenEndpoint ? 400 : 401, fresh);
    // The previous bucket's nonce still works; the reply hands out the new one.
    if (age === 'previous') c.header('DPoP-Nonce', fresh);
  }
  const { jkt } = known;
  return {
    jkt,
    replayId: createHash('sha256').update(`${jkt}:${payload.jti}`).digest('hex'),
    expiresAt: new Date((payload.iat + DPOP_MAX_AGE_SECONDS) * 1000 + 1000),
  };
}

/** Expired proof ids are deleted in bounded batches, at most this often per process. */
const PRUNE_EVERY_MS = 10_000;
const PRUNE_BATCH = 1000;
const lastPrune = new WeakMap<Db, number>();
const pruning = new WeakMap<Db, Promise<void>>();

/**
 * Records the proof id in the table every process shares; a proof seen before (by any process,
 * within its window) is a replay. One statement: an expired row of the same id is reused.
 */
export async function rememberProof(c: Context<AppEnv>, proof: VerifiedProof): Promise<void> {
  if (!(await recordProofId(c, proof))) throw invalidDpopProof('it was already used (replay).');
}

/**
 * Inserts the proof id; false when any process already holds it (a replay). Separate from the
 * refusal so a caller can act on the outcome afterwards. (Protected routes record theirs inside
 * keyhold_authorize, tokens.ts authorize.)
 */
export async function recordProofId(c: Context<AppEnv>, proof: VerifiedProof): Promise<boolean> {
  const { db, now, logger } = c.var.deps;
  const at = now();
  // One statement, its own transaction, committed without waiting for the WAL flush
  // (synchronous_commit off for this transaction only): a database crash may forget the ids of the
  // last moments, which are replayable only for the rest of their window (docs/sessions.md).
  const result = await db.execute<{ id: string }>(sql`
    with relaxed as (select set_config('synchronous_commit', 'off', true))
    insert into ${dpopProofs} (id, expires_at)
    select ${proof.replayId}, ${proof.expiresAt.toISOString()}::timestamptz from relaxed
    on conflict (id) do update set expires_at = excluded.expires_at
      where ${dpopProofs.expiresAt} < ${at.toISOString()}::timestamptz
    returning id`);
  const inserted = Array.isArray(result) ? result : ((result as { rows?: unknown[] }).rows ?? []);
  pruneProofsSoon(db, at, logger);
  return inserted.length > 0;
}

/**
 * Called on every recorded proof: at most every 10 s per process, deletes the expired ids beside
 * the requests, never in their way (no request waits for it), batch after batch for as long as
 * batches come back full — so the table stays bounded at any request rate, not only below a
 * batch per 10 s. One prune at a time per process; a failed one is logged and tried again later.
 * Returns the prune it started, if any (nobody on a request's path awaits it).
 */
export function pruneProofsSoon(db: Db, at: Date, logger: Pick<Logger, 'warn'>): Promise<void> | undefined {
  const last = lastPrune.get(db);
  if (last === undefined) {
    lastPrune.set(db, at.getTime());
    return undefined;
  }
  if (pruning.has(db) || (at.getTime() - last < PRUNE_EVERY_MS && at.getTime() >= last)) return undefined;
  lastPrune.set(db, at.getTime());
  const run = (async () => {
    try {
      while ((await pruneProofs(db, at)) === PRUNE_BATCH) {}
    } catch (error) {
      logger.warn({ err: String(error) }, 'dpop proof prune failed');
    } finally {
      pruning.delete(db);
    }
  })();
  pruning.set(db, run);
  return run;
}

/** Deletes up to one batch (`limit`, default 1,000) of expired proof ids; returns how many went. */
export async function pruneProofs(db: Db, at: Date, limit = PRUNE_BATCH): Promise<number> {
  const expired = db
    .select({ id: dpopProofs.id })
    .from(dpopProofs)
    .where(lt(dpopProofs.expiresAt, at))
    .limit(limit);
  const gone = await db
    .delete(dpopProofs)
    .where(inArray(dpopProofs.id, expired))
    .returning({ id: dpopProofs.id });
  return gone.length;
}

/** Verifies the request's proof and remembers it: login, recovery completion and refresh. */
export async function acceptDpopProof(
  c: Context<AppEnv>,
  options: { accessToken?: string; tokenEndpoint?: boolean } = {},
): Promise<VerifiedProof> {
  const proof = await verifyDpopProof(c, options);
  await rememberProof(c, proof);
  return proof;
}

/** Binds a new device session to the key that signed its login proof. */
export async function bindSessionKey(tx: Db, sessionId: string, jkt: string): Promise<void> {
  await tx.update(deviceSessions).set({ jkt }).where(eq(deviceSessions.id, sessionId));
}
