/**
 * What DPoP (docs/sessions.md, "DPoP") adds to an authenticated request, in one run on one app and
 * one database, interleaved: requireScope's authentication with DPoP (the proof's checks and
 * signature, then keyhold_authorize: the replay-store insert and the token lookup in one statement)
 * and without (the token lookup alone), and for context the whole "nothing changed" poll
 * (GET /v1/sync/changes) with its proof.
 * Budget: the added median ≤ 1 ms. PostgreSQL when DATABASE_URL is set, the embedded PGlite otherwise.
 *
 *   node --import tsx bench/dpop.ts
 */
import { randomUUID } from 'node:crypto';
import { pathToFileURL } from 'node:url';
import { Hono } from 'hono';
import { pino } from 'pino';
import { createApp } from '../server/app.ts';
import type { AppEnv, ResolvedDeps } from '../server/app-env.ts';
import { rawQueryOf } from '../server/db/client.ts';
import { verifyDpopProof } from '../server/dpop.ts';
import { AuthLimits, DEFAULT_LIMITS } from '../server/limits/auth-limits.ts';
import { postgresLimitStore } from '../server/limits/store.ts';
import { TrustedProxies } from '../server/middleware/client-ip.ts';
import { DEFAULT_POLICY } from '../server/policy.ts';
import { Keyring, TokenHasher } from '../server/secrets/keyring.ts';
import { DEFAULT_SESSION_LIMITS, touchWindow } from '../server/session-limits.ts';
import { createTestDatabase } from '../server/test-support/db.ts';
import { dpopProof, newDpopKey } from '../server/test-support/dpop.ts';
import { authorize, findToken } from '../server/tokens.ts';
import { median } from './fixtures.ts';

const RUNS = 2_000;
const WARMUP = 200;
const SECRET = 'bench-dpop-secret-0123456789abcdef0123';

export async function benchDpop() {
  const testDb = await createTestDatabase();
  try {
    const deps: ResolvedDeps = {
      db: testDb.database.db,
      ping: testDb.database.ping,
      logger: pino({ level: 'silent' }),
      secret: SECRET,
      now: () => new Date(),
      accessTokenTtlSeconds: 900,
      policy: DEFAULT_POLICY,
      dpopRequireNonce: false,
      keyring: new Keyring(SECRET),
      tokenHasher: new TokenHasher(`${SECRET}-pepper`),
      sessionLimits: DEFAULT_SESSION_LIMITS,
      limits: new AuthLimits(postgresLimitStore(rawQueryOf(testDb.database.db)), DEFAULT_LIMITS),
      trustedProxies: new TrustedProxies([]),
    };
    const app = createApp({ ...deps, authRateLimit: { limit: 100_000, windowMs: 60_000 } });
    const key = await newDpopKey();
    const email = `bench-${randomUUID()}@example.test`;
    const authKey = Buffer.from(crypto.getRandomValues(new Uint8Array(32))).toString('base64url');
    const registered = await app.request('/v1/accounts', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        accountId: randomUUID(),
        email,
        kdf: { alg: 'pbkdf2-sha256', iterations: 600_000 },
        salt: Buffer.from(crypto.getRandomValues(new Uint8Array(16))).toString('base64url'),
        authKey,
        wrappedVaultKey: `k1.${Buffer.from(crypto.getRandomValues(new Uint8Array(77))).toString('base64url')}`,
      }),
    });
    if (registered.status !== 201) throw new Error(`register: ${registered.status}`);
    const login = await app.request('/v1/sessions', {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        dpop: await dpopProof(key, { method: 'POST', url: 'http://localhost/v1/sessions' }),
      },
      body: JSON.stringify({ email, authKey, deviceName: 'bench' }),
    });
    if (login.status !== 200) throw new Error(`login: ${login.status}`);
    const { accessToken } = (await login.json()) as { accessToken: string };

    const path = '/v1/sync/changes?since=0';
    const url = `http://localhost${path}`;
    // requireScope's authentication with and without its DPoP part, on the same deps and database:
    // the token lookup alone, and the proof's checks + the one statement that records the proof id
    // and finds the token (what requireScope runs).
    const withDeps = () =>
      new Hono<AppEnv>().use(async (c, next) => {
        c.set('deps', deps);
        await next();
      });
    const hash = deps.tokenHasher.hash(accessToken);
    const empty = withDeps().get('/v1/sync/changes', async (c) => {
      const row = await findToken(deps.db, hash, 'access');
      if (!row) throw new Error('token not found');
      return c.body(null, 204);
    });
    const probe = withDeps().get('/v1/sync/changes', async (c) => {
      const proof = await verifyDpopProof(c, { accessToken });
      const at = deps.now();
      const { row, fresh } = await authorize(deps.db, {
        token: accessToken,
        hasher: deps.tokenHasher,
        proof,
        at,
        touch: touchWindow(deps.sessionLimits, at),
        ip: null,
      });
      if (!row || row.jkt !== proof.jkt || !fresh) throw new Error('proof refused');
      return c.body(null, 204);
    });
    const verifyOnly = withDeps().get('/v1/sync/changes', async (c) => {
      await verifyDpopProof(c, { accessToken });
      const row = await findToken(deps.db, hash, 'access');
      if (!row) throw new Error('token not found');
      return c.body(null, 204);
    });

    const timings = {
      poll: [] as number[],
      dpop: [] as number[],
      verify: [] as number[],
      none: [] as number[],
    };
    const time = async (
      into: number[] | null,
      target: { request: (p: string, init: RequestInit) => Response | Promise<Response> },
      expected: number,
      signed: boolean,
    ) => {
      const headers: Record<string, string> = signed
        ? {
            authorization: `DPoP ${accessToken}`,
            dpop: await dpopProof(key, { method: 'GET', url, accessToken }),
          }
        : {};
      const t0 = performance.now();
      const res = await target.request(path, { headers });
      await res.arrayBuffer();
      const ms = performance.now() - t0;
      if (res.status !== expected) throw new Error(`bench request answered ${res.status}`);
      into?.push(ms);
    };
    for (let i = 0; i < WARMUP + RUNS; i++) {
      const keep = i >= WARMUP;
      // Interleaved, so drift (GC, the database's caches) falls on every series alike.
      await time(keep ? timings.poll : null, app, 200, true);
      await time(keep ? timings.dpop : null, probe, 204, true);
      await time(keep ? timings.verify : null, verifyOnly, 204, true);
      await time(keep ? timings.none : null, empty, 204, true);
    }
    const round3 = (x: number) => Number(x.toFixed(3));
    const m = {
      poll: median(timings.poll),
      dpop: median(timings.dpop),
      verify: median(timings.verify),
      none: median(timings.none),
    };
    const added = m.dpop - m.none;
    return {
      name: 'dpop',
      database: testDb.driver,
      runs: RUNS,
      pollWithDpopMedianMs: round3(m.poll),
      authWithoutDpopMedianMs: round3(m.none),
      authWithDpopMedianMs: round3(m.dpop),
      dpopAddedMedianMs: round3(added),
      proofChecksMedianMs: round3(m.verify - m.none),
      replayInsertInLookupMedianMs: round3(m.dpop - m.verify),
      budgetMs: 1,
      withinBudget: added <= 1,
    };
  } finally {
    await testDb.dispose();
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  console.log(JSON.stringify(await benchDpop(), null, 2));
}
