import { createHash, randomUUID } from 'node:crypto';
import { calculateJwkThumbprint, exportJWK, generateKeyPair, type JWK, SignJWT } from 'jose';
import type { Db } from '../db/client.ts';
import { bindSessionKey } from '../dpop.ts';
import { createDeviceSession } from '../tokens.ts';

/** A device's DPoP key, as a client holds it (docs/sessions.md, "DPoP"). */
export interface DpopKey {
  privateKey: CryptoKey;
  publicJwk: JWK;
  /** RFC 7638 thumbprint: what the server stores as the session's `jkt`. */
  jkt: string;
}

export async function newDpopKey(): Promise<DpopKey> {
  const { privateKey, publicKey } = await generateKeyPair('ES256');
  const exported = await exportJWK(publicKey);
  const publicJwk: JWK = { kty: exported.kty, crv: exported.crv, x: exported.x, y: exported.y };
  return { privateKey, publicJwk, jkt: await calculateJwkThumbprint(publicJwk, 'sha256') };
}

export interface ProofOptions {
  method: string;
  /** The full request URL (query and fragment are dropped, as a client must). */
  url: string;
  /** Adds `ath` for this access token. */
  accessToken?: string;
  /** The proof's time (default: now). */
  at?: Date;
  jti?: string;
  nonce?: string;
  /** Replaces claims (undefined removes one) — for tests of bad proofs. */
  claims?: Record<string, unknown>;
  /** Replaces header parameters — for tests of bad proofs. */
  header?: Record<string, unknown>;
}

const htuOf = (url: string) => {
  const u = new URL(url);
  return `${u.protocol}//${u.host}${u.pathname}`;
};

/** A proof as RFC 9449 §4.2 describes it, signed with ES256 by `key`. */
export async function dpopProof(key: DpopKey, options: ProofOptions): Promise<string> {
  const claims: Record<string, unknown> = {
    htm: options.method,
    htu: htuOf(options.url),
    iat: Math.floor((options.at ?? new Date()).getTime() / 1000),
    jti: options.jti ?? randomUUID(),
    ...(options.accessToken === undefined
      ? {}
      : { ath: createHash('sha256').update(options.accessToken).digest('base64url') }),
    ...(options.nonce === undefined ? {} : { nonce: options.nonce }),
    ...options.claims,
  };
  for (const [name, value] of Object.entries(claims)) if (value === undefined) delete claims[name];
  return new SignJWT(claims)
    .setProtectedHeader({ alg: 'ES256', typ: 'dpop+jwt', jwk: key.publicJwk, ...options.header })
    .sign(key.privateKey);
}

/** `Authorization: DPoP <token>` and its proof: what a raw fetch (real processes, streams) sends. */
export async function dpopHeaders(
  key: DpopKey,
  method: string,
  url: string,
  accessToken: string,
  at?: Date,
): Promise<Record<string, string>> {
  return {
    authorization: `DPoP ${accessToken}`,
    dpop: await dpopProof(key, { method, url, accessToken, ...(at ? { at } : {}) }),
  };
}

/** A device session bound to `jkt`, for tests that mint tokens directly (reduced scopes). */
export async function boundSession(db: Db, accountId: string, now: Date, jkt: string): Promise<string> {
  const sessionId = await createDeviceSession(db, accountId, now);
  await bindSessionKey(db, sessionId, jkt);
  return sessionId;
}

/** Paths that begin a new device session: a client signs them with a new key. */
export const isSignInPath = (pathname: string) =>
  pathname.endsWith('/v1/sessions') || pathname.endsWith('/v1/accounts/recovery/complete');

/** After a sign-in or refresh answered 200: its tokens belong to the key that signed the request. */
export async function rememberTokenKeys(keys: Map<string, DpopKey>, res: Response, key: DpopKey) {
  const tokens = (await res.clone().json()) as { accessToken?: string; refreshToken?: string };
  if (tokens.accessToken) keys.set(tokens.accessToken, key);
  if (tokens.refreshToken) keys.set(tokens.refreshToken, key);
}

/**
 * `fetch` as a device sends it to a real server process: each sign-in (login, recovery completion)
 * with a new key, and every later request or refresh signed by the key its token was issued to.
 */
export function dpopFetch() {
  const keys = new Map<string, DpopKey>();
  return async (
    url: string,
    init: { method: string; body?: unknown; token?: string | undefined },
  ): Promise<Response> => {
    const { pathname } = new URL(url);
    const signIn = init.method === 'POST' && isSignInPath(pathname);
    const refreshToken =
      init.method === 'POST' && pathname.endsWith('/v1/sessions/refresh')
        ? (init.body as { refreshToken?: string } | undefined)?.refreshToken
        : undefined;
    const key = signIn ? await newDpopKey() : keys.get(init.token ?? refreshToken ?? '');
    const headers: Record<string, string> = {};
    if (init.body !== undefined) headers['content-type'] = 'application/json';
    if (init.token) headers.authorization = `DPoP ${init.token}`;
    if (key) {
      headers.dpop = await dpopProof(key, {
        method: init.method,
        url,
        ...(init.token ? { accessToken: init.token } : {}),
      });
    }
    const res = await fetch(url, {
      method: init.method,
      headers,
      ...(init.body === undefined ? {} : { body: JSON.stringify(init.body) }),
    });
    if (key && res.ok && (signIn || refreshToken)) await rememberTokenKeys(keys, res, key);
    return res;
  };
}
