import { randomBytes, randomUUID } from 'node:crypto';
import { eq } from 'drizzle-orm';
import { base64url, type JWK, SignJWT } from 'jose';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { deviceSessions, dpopProofs, tokens } from './db/schema.ts';
import {
  accessTokenHash,
  currentDpopNonce,
  DPOP_MAX_AGE_SECONDS,
  DPOP_NONCE_BUCKET_SECONDS,
  normalizeHtu,
  pruneProofs,
  pruneProofsSoon,
} from './dpop.ts';
import { createTestApp } from './test-support/app.ts';
import { createTestDatabase, type TestDatabase } from './test-support/db.ts';
import { type DpopKey, dpopProof, newDpopKey } from './test-support/dpop.ts';
import { startServer } from './test-support/run-process.ts';

let testDb: TestDatabase;
beforeAll(async () => {
  testDb = await createTestDatabase();
});
afterAll(() => testDb.dispose());
beforeEach(() => testDb.truncate());

const PULL = '/v1/sync/changes?since=0';
const URL_OF = (path: string) => `http://localhost${path}`;
const SECRET = 'test-secret-0123456789abcdef0123456789';

/** A signed-up account and a way to send GET /v1/sync/changes with a hand-made proof. */
async function setup(overrides: Parameters<typeof createTestApp>[1] = {}) {
  const t = createTestApp(testDb.database, overrides);
  const user = await t.signUp();
  const key = await t.dpopKeyOf(user.accessToken);
  const proofFor = (options: Partial<Parameters<typeof dpopProof>[1]> = {}, by: DpopKey = key) =>
    dpopProof(by, {
      method: 'GET',
      url: URL_OF(PULL),
      accessToken: user.accessToken,
      at: t.clock.now,
      ...options,
    });
  const pull = (proof: string | null, scheme = 'DPoP') =>
    t.app.request(PULL, {
      headers: {
        authorization: `${scheme} ${user.accessToken}`,
        ...(proof === null ? {} : { dpop: proof }),
      },
    });
  return { ...t, user, key, proofFor, pull };
}

async function expectInvalidProof(res: Response, message?: RegExp) {
  expect(res.status).toBe(401);
  expect(res.headers.get('www-authenticate')).toBe('DPoP error="invalid_dpop_proof", algs="ES256"');
  const body = (await res.json()) as { error: { code: string; message: string } };
  expect(body.error.code).toBe('INVALID_DPOP_PROOF');
  if (message) expect(body.error.message).toMatch(message);
}

describe('DPoP proofs on protected requests', () => {
  it('accepts a proof by the session key; login bound the session to it and says DPoP', async () => {
    const t = await setup();
    expect((await t.pull(await t.proofFor())).status).toBe(200);
    const [session] = await testDb.asOwner((db) =>
      db.select().from(deviceSessions).where(eq(deviceSessions.accountId, t.user.accountId)),
    );
    expect(session?.jkt).toBe(t.key.jkt);
    expect((t.user as unknown as { tokenType: string }).tokenType).toBe('DPoP');
  });

  it('refuses the same proof twice (replay), and any proof at all without the header', async () => {
    const t = await setup();
    const proof = await t.proofFor();
    expect((await t.pull(proof)).status).toBe(200);
    await expectInvalidProof(await t.pull(proof), /already used/);
    await expectInvalidProof(await t.pull(null), /missing/);
  });

  it('refuses a proof signed by another key', async () => {
    const t = await setup();
    await expectInvalidProof(await t.pull(await t.proofFor({}, await newDpopKey())), /not signed by the key/);
  });

  it('refuses the wrong URL or method; query and fragment are not part of htu', async () => {
    const t = await setup();
    await expectInvalidProof(
      await t.pull(await t.proofFor({ url: 'http://evil.example/v1/sync/changes' })),
      /htu/,
    );
    await expectInvalidProof(await t.pull(await t.proofFor({ url: URL_OF('/v1/sync/push') })), /htu/);
    await expectInvalidProof(await t.pull(await t.proofFor({ claims: { htu: 'not a url' } })), /htu/);
    await expectInvalidProof(await t.pull(await t.proofFor({ method: 'POST' })), /htm/);
    const loose = await t.proofFor({ claims: { htu: 'HTTP://LOCALHOST:80/v1/sync/changes?since=9#x' } });
    expect((await t.pull(loose)).status).toBe(200);
  });

  it(`accepts iat up to ${DPOP_MAX_AGE_SECONDS} s old and 10 s ahead, refuses beyond`, async () => {
    const t = await setup();
    const at = (seconds: number) => new Date(t.clock.now.getTime() + seconds * 1000);
    expect((await t.pull(await t.proofFor({ at: at(-DPOP_MAX_AGE_SECONDS) }))).status).toBe(200);
    expect((await t.pull(await t.proofFor({ at: at(10) }))).status).toBe(200);
    await expectInvalidProof(
      await t.pull(await t.proofFor({ at: at(-DPOP_MAX_AGE_SECONDS - 1) })),
      /too old/,
    );
    await expectInvalidProof(await t.pull(await t.proofFor({ at: at(11) })), /future/);
    await expectInvalidProof(await t.pull(await t.proofFor({ claims: { iat: undefined } })), /iat/);
  });

  it('refuses a missing or wrong ath, and a missing or short jti', async () => {
    const t = await setup();
    await expectInvalidProof(
      await t.pull(await t.proofFor({ claims: { ath: undefined } })),
      /ath is missing/,
    );
    const other = accessTokenHash('another-token-0123456789');
    await expectInvalidProof(await t.pull(await t.proofFor({ claims: { ath: other } })), /ath is not/);
    await expectInvalidProof(await t.pull(await t.proofFor({ claims: { jti: undefined } })), /jti/);
    await expectInvalidProof(await t.pull(await t.proofFor({ jti: 'short' })), /jti/);
  });

  it('refuses alg none, HS256, another typ, a jwk with its private part, and a proof not signed by its jwk', async () => {
    const t = await setup();
    const enc = (value: unknown) => base64url.encode(JSON.stringify(value));
    const claims = {
      htm: 'GET',
      htu: URL_OF('/v1/sync/changes'),
      iat: Math.floor(t.clock.now.getTime() / 1000),
      jti: randomUUID(),
      ath: accessTokenHash(t.user.accessToken),
    };
    const none = `${enc({ alg: 'none', typ: 'dpop+jwt', jwk: t.key.publicJwk })}.${enc(claims)}.`;
    await expectInvalidProof(await t.pull(none));
    const noneSigned = `${enc({ alg: 'none', typ: 'dpop+jwt', jwk: t.key.publicJwk })}.${enc(claims)}.AA`;
    await expectInvalidProof(await t.pull(noneSigned), /alg must be ES256/);
    const secret = new TextEncoder().encode('k'.repeat(32));
    const hs256 = await new SignJWT(claims)
      .setProtectedHeader({
        alg: 'HS256',
        typ: 'dpop+jwt',
        // A symmetric "key" in the header: jose's types rightly refuse it, an attacker would not.
        jwk: { kty: 'oct', k: base64url.encode(secret) } as unknown as JWK,
      })
      .sign(secret);
    await expectInvalidProof(await t.pull(hs256), /alg must be ES256/);
    await expectInvalidProof(await t.pull(await t.proofFor({ header: { typ: 'JWT' } })), /typ/);
    await expectInvalidProof(await t.pull(await t.proofFor({ header: { jwk: undefined } })), /jwk/);
    const withPrivate = { ...t.key.publicJwk, d: base64url.encode(new Uint8Array(32).fill(7)) };
    await expectInvalidProof(await t.pull(await t.proofFor({ header: { jwk: withPrivate } })), /public key/);
    // The header names the session's public key, but another key signed: the signature fails.
    const stranger = await newDpopKey();
    const forged = await dpopProof(stranger, {
      method: 'GET',
      url: URL_OF(PULL),
      accessToken: t.user.accessToken,
      at: t.clock.now,
      header: { jwk: t.key.publicJwk },
    });
    await expectInvalidProof(await t.pull(forged), /signature/);
    await expectInvalidProof(await t.pull('a.b'), /compact JWS/);
    await expectInvalidProof(await t.pull(`${await t.proofFor()}, ${await t.proofFor()}`), /compact JWS/);
  });

  it('refuses the Bearer scheme, even with a valid proof', async () => {
    const t = await setup();
    const res = await t.pull(await t.proofFor(), 'Bearer');
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toBe('DPoP algs="ES256"');
    expect(await res.json()).toMatchObject({ error: { code: 'INVALID_TOKEN', message: /DPoP-bound/ } });
  });

  it('makes a session from before DPoP (no key) sign in again', async () => {
    const t = await setup();
    await testDb.asOwner((db) =>
      db.update(deviceSessions).set({ jkt: null }).where(eq(deviceSessions.accountId, t.user.accountId)),
    );
    const res = await t.pull(await t.proofFor());
    expect(res.status).toBe(401);
    expect(await res.json()).toMatchObject({ error: { code: 'INVALID_TOKEN' } });
    const refresh = await t.call('POST', '/v1/sessions/refresh', {
      body: { refreshToken: t.user.refreshToken },
    });
    expect(refresh.status).toBe(401);
    expect(await refresh.json()).toMatchObject({ error: { code: 'INVALID_TOKEN' } });
  });
});

describe('a copied token is useless without the key', () => {
  it('refuses a thief holding both tokens (from a log or a debugger) and leaves the owner signed in', async () => {
    const t = await setup();
    const thief = await newDpopKey();
    const stolenPull = await t.call('GET', PULL, { token: t.user.accessToken, dpop: thief });
    await expectInvalidProof(stolenPull);
    const stolenRefresh = await t.call('POST', '/v1/sessions/refresh', {
      body: { refreshToken: t.user.refreshToken },
      dpop: thief,
    });
    await expectInvalidProof(stolenRefresh, /not signed by the key/);
    // The refresh token was not used up: the owner renews with it.
    const owner = await t.call('POST', '/v1/sessions/refresh', {
      body: { refreshToken: t.user.refreshToken },
    });
    expect(owner.status).toBe(200);
    expect(await owner.json()).toMatchObject({ tokenType: 'DPoP' });
  });

  it('a database dump holds only hashes: the stored value is not a token either way', async () => {
    const t = await setup();
    const rows = await testDb.asOwner((db) =>
      db.select({ hash: tokens.hash }).from(tokens).where(eq(tokens.accountId, t.user.accountId)),
    );
    for (const { hash } of rows) {
      const res = await t.call('GET', PULL, { token: hash, dpop: t.key });
      expect(res.status).toBe(401);
    }
  });

  it('refresh needs a proof by the session key (no ath) and keeps the new tokens bound to it', async () => {
    const t = await setup();
    const bare = await t.call('POST', '/v1/sessions/refresh', {
      body: { refreshToken: t.user.refreshToken },
      dpop: false,
    });
    await expectInvalidProof(bare, /missing/);
    const res = await t.call('POST', '/v1/sessions/refresh', { body: { refreshToken: t.user.refreshToken } });
    expect(res.status).toBe(200);
    const next = (await res.json()) as { accessToken: string };
    expect((await t.call('GET', PULL, { token: next.accessToken, dpop: t.key })).status).toBe(200);
    await expectInvalidProof(
      await t.call('GET', PULL, { token: next.accessToken, dpop: await newDpopKey() }),
    );
  });

  it('login refuses a request without a proof', async () => {
    const t = createTestApp(testDb.database);
    const account = t.registration();
    expect((await t.call('POST', '/v1/accounts', { body: account })).status).toBe(201);
    const login = await t.call('POST', '/v1/sessions', {
      body: { email: account.email, authKey: account.authKey, deviceName: 'd' },
      dpop: false,
    });
    await expectInvalidProof(login, /missing/);
  });
});

describe('server nonce (DPOP_REQUIRE_NONCE)', () => {
  it('challenges a proof without a nonce, then accepts the retry with it (resource and login)', async () => {
    const t = createTestApp(testDb.database, { dpopRequireNonce: true });
    const account = t.registration();
    expect((await t.call('POST', '/v1/accounts', { body: account })).status).toBe(201);
    const key = await newDpopKey();
    const loginProof = (nonce?: string) =>
      dpopProof(key, {
        method: 'POST',
        url: URL_OF('/v1/sessions'),
        at: t.clock.now,
        ...(nonce ? { nonce } : {}),
      });
    const body = JSON.stringify({ email: account.email, authKey: account.authKey, deviceName: 'd' });
    const login = (dpop: string) =>
      t.app.request('/v1/sessions', {
        method: 'POST',
        headers: { 'content-type': 'application/json', dpop },
        body,
      });
    const challenge = await login(await loginProof());
    expect(challenge.status).toBe(400);
    expect(challenge.headers.get('www-authenticate')).toBe('DPoP error="use_dpop_nonce", algs="ES256"');
    expect(await challenge.json()).toMatchObject({ error: { code: 'USE_DPOP_NONCE' } });
    const nonce = challenge.headers.get('dpop-nonce');
    expect(nonce).toBe(currentDpopNonce(SECRET, t.clock.now));
    const retried = await login(await loginProof(nonce ?? ''));
    expect(retried.status).toBe(200);
    const { accessToken } = (await retried.json()) as { accessToken: string };

    const pull = async (nonceValue?: string) =>
      t.app.request(PULL, {
        headers: {
          authorization: `DPoP ${accessToken}`,
          dpop: await dpopProof(key, {
            method: 'GET',
            url: URL_OF(PULL),
            accessToken,
            at: t.clock.now,
            ...(nonceValue ? { nonce: nonceValue } : {}),
          }),
        },
      });
    const resourceChallenge = await pull();
    expect(resourceChallenge.status).toBe(401);
    expect(resourceChallenge.headers.get('www-authenticate')).toContain('error="use_dpop_nonce"');
    expect((await pull('x'.repeat(32))).status).toBe(401);
    const ok = await pull(resourceChallenge.headers.get('dpop-nonce') ?? '');
    expect(ok.status).toBe(200);
    expect(ok.headers.get('dpop-nonce')).toBeNull();

    // Next bucket: the previous nonce still works and the reply carries the new one; two back it does not.
    const old = currentDpopNonce(SECRET, t.clock.now);
    t.clock.now = new Date(t.clock.now.getTime() + DPOP_NONCE_BUCKET_SECONDS * 1000);
    const previous = await pull(old);
    expect(previous.status).toBe(200);
    expect(previous.headers.get('dpop-nonce')).toBe(currentDpopNonce(SECRET, t.clock.now));
    t.clock.now = new Date(t.clock.now.getTime() + DPOP_NONCE_BUCKET_SECONDS * 1000);
    const stale = await pull(old);
    expect(stale.status).toBe(401);
    expect(await stale.json()).toMatchObject({ error: { code: 'USE_DPOP_NONCE' } });
  });

  it('a nonce from one process works on another with the same secret; nonces are off by default', async () => {
    const one = createTestApp(testDb.database, { dpopRequireNonce: true });
    const two = createTestApp(testDb.database, { dpopRequireNonce: true });
    const user = await two.signUp().catch(() => null);
    // signUp sends no nonce: with nonces required it cannot log in.
    expect(user).toBeNull();
    const off = await setup();
    expect((await off.pull(await off.proofFor())).status).toBe(200);
    const nonce = currentDpopNonce(SECRET, one.clock.now);
    const proof = await off.proofFor({ nonce });
    const res = await one.app.request(PULL, {
      headers: { authorization: `DPoP ${off.user.accessToken}`, dpop: proof },
    });
    expect(res.status).toBe(200);
  });
});

describe('behind a reverse proxy (PUBLIC_URL)', () => {
  it('checks htu against the public URL and its path prefix, not the internal address', async () => {
    const t = await setup();
    const proxied = createTestApp(testDb.database, { publicUrl: 'https://vault.example.com/keyhold/' });
    const pull = (proof: string) =>
      proxied.app.request(PULL, { headers: { authorization: `DPoP ${t.user.accessToken}`, dpop: proof } });
    // Proofs naming the address the server sees (http://localhost) are refused…
    await expectInvalidProof(await pull(await t.proofFor()), /htu/);
    // …and proofs for the address the client used are accepted.
    const res = await pull(
      await t.proofFor({ url: 'https://vault.example.com/keyhold/v1/sync/changes?since=0' }),
    );
    expect(res.status).toBe(200);
  });
});

describe('the replay store', () => {
  it('keeps ids until the proof is too old for any process, then prunes them in batches', async () => {
    const t = await setup();
    expect((await t.pull(await t.proofFor())).status).toBe(200);
    const rows = await testDb.asOwner((db) => db.select().from(dpopProofs));
    expect(rows).toHaveLength(2); // the login's proof and the pull's
    const later = new Date(t.clock.now.getTime() + (DPOP_MAX_AGE_SECONDS + 2) * 1000);
    expect(await pruneProofs(testDb.database.db, t.clock.now)).toBe(0);
    expect(await pruneProofs(testDb.database.db, later)).toBe(rows.length);
  });

  it('prunes beside the requests, batch after batch while batches come back full', async () => {
    const at = new Date();
    const expired = new Date(at.getTime() - 3_600_000);
    const live = new Date(at.getTime() + 3_600_000);
    await testDb.asOwner((db) =>
      db
        .insert(dpopProofs)
        .values([
          ...Array.from({ length: 2_500 }, (_, i) => ({ id: `expired-${i}`, expiresAt: expired })),
          { id: 'live', expiresAt: live },
        ]),
    );
    const { db } = testDb.database;
    const logger = { warn: () => {} };
    // The first call of a process only starts the clock, and one prune runs at a time: ask every
    // 20 s (of the clock) until one starts, then wait for it.
    let run: Promise<void> | undefined;
    for (let i = 1; !run; i++) {
      run = pruneProofsSoon(db, new Date(at.getTime() + i * 20_000), logger);
      if (!run) await new Promise((resolve) => setTimeout(resolve, 10));
    }
    await run;
    const left = await testDb.asOwner((owner) => owner.select().from(dpopProofs));
    expect(left.map((row) => row.id)).toEqual(['live']);
  });

  it('normalizes URLs for comparison', () => {
    expect(normalizeHtu('HTTPS://Example.COM:443/a/b?c#d')).toBe('https://example.com/a/b');
    expect(normalizeHtu('http://example.com:8080/')).toBe('http://example.com:8080/');
    expect(normalizeHtu('nope')).toBeNull();
  });
});

describe.runIf(process.env.DATABASE_URL)('two server processes on one database', () => {
  it('a proof accepted by one process is refused as a replay by the other', async () => {
    const urls = testDb.urls;
    if (!urls) throw new Error('PostgreSQL test database expected');
    const env = {
      DATABASE_URL: urls.app,
      DATABASE_OWNER_URL: urls.owner,
      // Processes refuse a guessable secret at start (docs/operations/secret-rotation.md): a random one.
      SERVER_SECRET: randomBytes(32).toString('base64url'),
      PUBLIC_URL: 'http://keyhold.test',
      AUTH_RATE_LIMIT_PER_MINUTE: '1000',
    };
    const [one, two] = await Promise.all([startServer(env), startServer(env)]);
    try {
      const t = createTestApp(testDb.database);
      const account = t.registration();
      const post = (url: string, path: string, body: unknown, headers: Record<string, string> = {}) =>
        fetch(`${url}${path}`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', ...headers },
          body: JSON.stringify(body),
        });
      expect((await post(one.url, '/v1/accounts', account)).status).toBe(201);
      const key = await newDpopKey();
      const loginProof = await dpopProof(key, { method: 'POST', url: 'http://keyhold.test/v1/sessions' });
      const login = await post(
        one.url,
        '/v1/sessions',
        { email: account.email, authKey: account.authKey, deviceName: 'd' },
        { dpop: loginProof },
      );
      expect(login.status).toBe(200);
      const { accessToken } = (await login.json()) as { accessToken: string };
      const proof = await dpopProof(key, { method: 'GET', url: `http://keyhold.test${PULL}`, accessToken });
      const headers = { authorization: `DPoP ${accessToken}`, dpop: proof };
      expect((await fetch(`${one.url}${PULL}`, { headers })).status).toBe(200);
      const replayed = await fetch(`${two.url}${PULL}`, { headers });
      await expectInvalidProof(replayed, /already used/);
      // A fresh proof works on the second process: the token is fine, only the proof was spent.
      const fresh = await dpopProof(key, { method: 'GET', url: `http://keyhold.test${PULL}`, accessToken });
      const ok = await fetch(`${two.url}${PULL}`, { headers: { ...headers, dpop: fresh } });
      expect(ok.status).toBe(200);
    } finally {
      await Promise.all([one.stop(), two.stop()]);
    }
  }, 120_000);
});
