import { pino } from 'pino';
import { createApp } from '../app.ts';
import { testKeyring, testTokenHasher } from './app.ts';
import { createTestDatabase } from './db.ts';
import { startPushHub } from './push.ts';

export interface TestServer {
  /** Answers a Request like the real server, in-process (no port). */
  fetch(request: Request): Promise<Response>;
  /** Waits for requests still in flight (a previous test's background sync), then empties every table. */
  reset(): Promise<void>;
  close(): Promise<void>;
}

/** The real app on a fresh migrated database, for clients' tests (the extension's sync, benches). */
export async function startTestServer(): Promise<TestServer> {
  const testDb = await createTestDatabase();
  // GET /v1/sync/events works too: its own listener on the test database.
  const push = await startPushHub(testDb.database);
  const app = createApp({
    db: testDb.database.db,
    ping: testDb.database.ping,
    logger: pino({ level: 'silent' }),
    secret: 'in-process-test-secret-0123456789abcdef',
    keyring: testKeyring,
    tokenHasher: testTokenHasher,
    authRateLimit: { limit: 10_000, windowMs: 60_000 },
    push,
  });
  const inFlight = new Set<Promise<unknown>>();
  const settle = async () => {
    while (inFlight.size > 0) await Promise.allSettled([...inFlight]);
  };
  return {
    fetch: (request) => {
      const answer = Promise.resolve(app.fetch(request));
      inFlight.add(answer);
      const forget = () => inFlight.delete(answer);
      answer.then(forget, forget);
      return answer;
    },
    async reset() {
      // A sync a worker queued in the previous test may still be writing; TRUNCATE's exclusive lock would
      // deadlock against its row locks on PostgreSQL. Drain first, and retry the rare race that remains.
      for (let attempt = 1; ; attempt++) {
        await settle();
        try {
          await testDb.truncate();
          return;
        } catch (error) {
          if (attempt >= 5 || !isDeadlock(error)) throw error;
        }
      }
    },
    close: async () => {
      await settle();
      await push.close();
      await testDb.dispose();
    },
  };
}

function isDeadlock(error: unknown): boolean {
  for (let e: unknown = error; e instanceof Error; e = e.cause) {
    if ((e as Error & { code?: unknown }).code === '40P01') return true;
  }
  return false;
}
