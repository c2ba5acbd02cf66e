/**
 * Sync against the real server processes on the running PostgreSQL (DESIGN.md §9):
 *  1. "Nothing changed" polls: requests per second of GET /v1/sync/changes?since=<current> (token
 *     check, scope, one account read) against a bare Hono route in its own process, measured in
 *     the same run with autocannon on 127.0.0.1, alternating. Budget: ≥ 40 % of bare Hono.
 *  2. Push channel: device A pushes one change through server process 1; device B, listening on
 *     process 2's channel (LISTEN/NOTIFY between them), is woken, pulls and decrypts it. Time from
 *     A's push to the change in B's vault; median ≤ 1 s.
 * Figures only: nothing here passes or fails.
 */

// Extension modules define WXT storage items on import; in Node they get WXT's fake browser.
import '../e2e/support/extension-modules.ts';
import { type ChildProcess, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { pathToFileURL } from 'node:url';
import autocannon from 'autocannon';
import postgres from 'postgres';
import { startServer } from '../e2e/support/server.ts';
import { ApiClient } from '../extension/background/api-client.ts';
import { type DpopKey, dpopProof, memoryDpopKeys } from '../extension/background/dpop-key.ts';
import { PushChannel } from '../extension/background/push-channel.ts';
import { pullChanges, pushDirty, type SyncContext } from '../extension/background/sync-engine.ts';
import { emptyVault } from '../extension/background/vault-data.ts';
import { VaultKeys } from '../extension/background/vault-keys.ts';
import type { LoginFields } from '../extension/messaging/item-schema.ts';
import { openPostgres } from '../server/db/client.ts';
import { appRoleUrl } from '../server/test-support/db.ts';
import { generateKeyBytes, importSymmetricKey } from '../shared-crypto/index.ts';
import { makeVault, median, registerBenchAccount } from './fixtures.ts';

const ADMIN_URL = process.env.DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/postgres';
const POLL = { connections: 10, seconds: 5, rounds: 3 };
const LATENCY_RUNS = 21;
const VAULT_ITEMS = 1_000;

async function startBareHono(): Promise<{ url: string; stop(): Promise<void> }> {
  const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', 'bench/bare-hono.ts'], {
    cwd: path.resolve(import.meta.dirname, '..'),
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const url = await new Promise<string>((resolve, reject) => {
    createInterface({ input: child.stdout as NodeJS.ReadableStream }).on('line', (line) => {
      const entry = JSON.parse(line) as { url?: string };
      if (entry.url) resolve(entry.url);
    });
    child.once('exit', (code) => reject(new Error(`bare Hono exited with ${code}`)));
  });
  return {
    url,
    stop: () =>
      new Promise((resolve) => {
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}

/** Signed ahead of each authenticated round: every request needs its own DPoP proof. */
const POLL_PROOFS = 15_000;

async function poll(url: string, auth?: { token: string; key: DpopKey }) {
  const proofs = auth
    ? await Promise.all(
        Array.from({ length: POLL_PROOFS }, () => dpopProof(auth.key, 'GET', url, auth.token)),
      )
    : [];
  const r = await autocannon({
    url,
    connections: POLL.connections,
    ...(auth
      ? {
          amount: POLL_PROOFS,
          requests: [
            {
              setupRequest: (request) => ({
                ...request,
                headers: {
                  ...request.headers,
                  authorization: `DPoP ${auth.token}`,
                  dpop: proofs.pop() ?? '',
                },
              }),
            },
          ],
        }
      : { duration: POLL.seconds }),
  });
  if (r.non2xx > 0 || r.errors > 0) throw new Error(`poll bench saw ${r.non2xx} non-2xx, ${r.errors} errors`);
  return { rps: r.requests.average, p50Ms: r.latency.p50, p99Ms: r.latency.p99 };
}

/** Sequential one-item pushes timed for the push figure. */
const PUSHES = 200;

export async function benchSyncServer() {
  const admin = postgres(ADMIN_URL, { onnotice: () => {}, max: 1 });
  const dbName = `keyhold_bench_${randomUUID().replaceAll('-', '').slice(0, 10)}`;
  const dbUrl = (() => {
    const u = new URL(ADMIN_URL);
    u.pathname = `/${dbName}`;
    return u.toString();
  })();
  await admin.unsafe(`create database "${dbName}"`);
  const stops: (() => Promise<void>)[] = [];
  try {
    await (await openPostgres(dbUrl, { migrate: true })).close();
    // LOG_LEVEL info: the server logs every request, as it does in production.
    const [one, two, bare] = await Promise.all([
      startServer({ DATABASE_URL: appRoleUrl(dbUrl), LOG_LEVEL: process.env.BENCH_LOG_LEVEL ?? 'info' }),
      startServer({ DATABASE_URL: appRoleUrl(dbUrl), LOG_LEVEL: process.env.BENCH_LOG_LEVEL ?? 'info' }),
      startBareHono(),
    ]);
    stops.push(one.stop, two.stop, bare.stop);

    // One account with a real vault; each device has its own session.
    const { accountId, email, authKey } = await registerBenchAccount(
      new ApiClient(one.url, undefined, undefined, memoryDpopKeys()),
    );
    const vaultKey = await importSymmetricKey(generateKeyBytes());
    const device = async (serverUrl: string, name: string): Promise<SyncContext & { key: DpopKey }> => {
      const keys = memoryDpopKeys();
      const api = new ApiClient(serverUrl, undefined, undefined, keys);
      const { accessToken } = await api.login({ email, authKey, deviceName: name });
      const key = await keys.current();
      if (!key) throw new Error('no DPoP key after login');
      return {
        key,
        api,
        accessToken,
        accountId,
        keys: VaultKeys.only(vaultKey),
        refreshKeys: async () => VaultKeys.only(vaultKey),
        now: () => new Date(),
        newId: randomUUID,
      };
    };
    const ctxA = await device(one.url, 'bench A');
    const ctxB = await device(two.url, 'bench B');
    const a = makeVault(VAULT_ITEMS);
    for (const item of Object.values(a.items)) Object.assign(item, { revision: 0, dirty: true });
    a.revision = 0;
    await pushDirty(ctxA, a);
    const b = emptyVault();
    await pullChanges(ctxB, b);

    // ---- 1. nothing-changed polls vs bare Hono ----
    const pollUrl = `${one.url}/v1/sync/changes?since=${b.revision}`;
    const check = await fetch(pollUrl, {
      headers: {
        authorization: `DPoP ${ctxB.accessToken}`,
        dpop: await dpopProof(ctxB.key, 'GET', pollUrl, ctxB.accessToken),
      },
    });
    const empty = (await check.json()) as { items: unknown[] };
    if (empty.items.length !== 0) throw new Error('the poll is not a nothing-changed poll');
    const keyhold: Awaited<ReturnType<typeof poll>>[] = [];
    const hono: Awaited<ReturnType<typeof poll>>[] = [];
    await poll(`${bare.url}/v1/sync/changes`); // warm-up both
    await poll(pollUrl, { token: ctxB.accessToken, key: ctxB.key });
    for (let round = 0; round < POLL.rounds; round++) {
      if (round % 2 === 0) {
        keyhold.push(await poll(pollUrl, { token: ctxB.accessToken, key: ctxB.key }));
        hono.push(await poll(`${bare.url}/v1/sync/changes`));
      } else {
        hono.push(await poll(`${bare.url}/v1/sync/changes`));
        keyhold.push(await poll(pollUrl, { token: ctxB.accessToken, key: ctxB.key }));
      }
    }
    const keyholdRps = median(keyhold.map((r) => r.rps));
    const honoRps = median(hono.map((r) => r.rps));

    // ---- 1b. pushes: one changed item per request, sequential, on process 1 ----
    const pushMs: number[] = [];
    const pushId = Object.keys(a.items)[0];
    if (!pushId) throw new Error('bench vault is empty');
    for (let i = 0; i < PUSHES; i++) {
      // An acknowledged push replaces the item object: edit the current one.
      const pushItem = a.items[pushId];
      if (!pushItem) throw new Error('bench item vanished');
      a.items[pushId] = {
        ...pushItem,
        dirty: true,
        fields: { ...pushItem.fields, notes: `bench push ${i}` },
      };
      const t0 = performance.now();
      await pushDirty(ctxA, a);
      pushMs.push(performance.now() - t0);
    }
    pushMs.sort((x, y) => x - y);

    // ---- 2. push channel: A on process 1 → B on process 2 ----
    let woke: (() => void) | null = null;
    const channel = new PushChannel({
      auth: async () => ({ serverUrl: two.url, accessToken: ctxB.accessToken }),
      onRevision: (revision) => {
        if (revision > b.revision) woke?.();
      },
      fetch,
      authHeaders: async (url, token) => ({
        authorization: `DPoP ${token}`,
        dpop: await dpopProof(ctxB.key, 'GET', url, token),
      }),
      keepAlive: () => undefined,
    });
    channel.ensureRunning();
    stops.unshift(async () => channel.stop());
    const deadline = Date.now() + 10_000;
    while (channel.state !== 'open' && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    if (channel.state !== 'open') throw new Error('push channel did not open');
    await new Promise((r) => setTimeout(r, 200));

    const latencies: number[] = [];
    const [target] = Object.values(a.items);
    if (!target) throw new Error('no item');
    for (let run = 0; run < LATENCY_RUNS; run++) {
      const password = `changed-${run}`;
      const current = a.items[target.id];
      if (!current) throw new Error('item gone');
      a.items[target.id] = {
        ...current,
        fields: { ...(current.fields as LoginFields), password },
        dirty: true,
      };
      const heard = new Promise<void>((resolve) => {
        woke = resolve;
      });
      const t0 = performance.now();
      await pushDirty(ctxA, a);
      await Promise.race([
        heard,
        new Promise((_, reject) => setTimeout(() => reject(new Error('no push event within 10 s')), 10_000)),
      ]);
      await pullChanges(ctxB, b);
      if ((b.items[target.id]?.fields as LoginFields | undefined)?.password !== password)
        throw new Error('B did not get the change');
      latencies.push(performance.now() - t0);
      await new Promise((r) => setTimeout(r, 100));
    }

    const round1 = (x: number) => Number(x.toFixed(1));
    return {
      name: 'sync-server',
      database: 'postgresql (running server), two Keyhold processes',
      nothingChangedPoll: {
        keyholdRps: Math.round(keyholdRps),
        bareHonoRps: Math.round(honoRps),
        ratioPct: round1((keyholdRps / honoRps) * 100),
        budgetPct: 40,
        keyholdRuns: keyhold.map((r) => ({ rps: Math.round(r.rps), p50Ms: r.p50Ms, p99Ms: r.p99Ms })),
        bareHonoRuns: hono.map((r) => ({ rps: Math.round(r.rps), p50Ms: r.p50Ms, p99Ms: r.p99Ms })),
        note: `autocannon, ${POLL.connections} connections, ${POLL.seconds} s per run, ${POLL.rounds} alternated runs each after a warm-up; Keyhold logs every request (LOG_LEVEL info)`,
      },
      push: {
        medianMs: Number(median(pushMs).toFixed(2)),
        p99Ms: Number((pushMs[Math.floor(pushMs.length * 0.99)] ?? 0).toFixed(2)),
        note: `${PUSHES} sequential pushes of one changed item (encrypt + POST /v1/sync/push + apply), client-side time`,
      },
      pushChannelLatency: {
        medianMs: round1(median(latencies)),
        maxMs: round1(Math.max(...latencies)),
        budgetMs: 1000,
        runs: latencies.map(round1),
        note: `A pushes through process 1; B listens on process 2, is woken, pulls and decrypts; vault of ${VAULT_ITEMS} items`,
      },
    };
  } finally {
    for (const stop of stops) await stop().catch(() => undefined);
    await admin.unsafe(`drop database if exists "${dbName}" with (force)`);
    await admin.end();
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  process.stdout.write(`${JSON.stringify(await benchSyncServer(), null, 2)}\n`);
}
