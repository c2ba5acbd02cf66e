/** Process entry: `npx tsx server/main.ts`. Env is documented in server/env.ts. */
import { serve } from '@hono/node-server';
import { pino } from 'pino';
import { createApp } from './app.ts';
import { openDatabase } from './db/client.ts';
import { loadEnvOrExit } from './env.ts';
import { PushHub } from './push/hub.ts';
import { resolveServerSecret } from './server-secret.ts';

const SHUTDOWN_TIMEOUT_MS = 10_000;

const env = loadEnvOrExit(process.env);
const logger = pino({
  level: env.LOG_LEVEL,
  // Defence in depth: nothing logs headers or bodies, but if an object slips in, these never print.
  redact: {
    paths: [
      'req.headers.authorization',
      'headers.authorization',
      '*.authKey',
      '*.refreshToken',
      '*.accessToken',
      '*.ciphertext',
      '*.wrappedVaultKey',
      'body',
      '*.body',
    ],
    censor: '[redacted]',
  },
});

let database: Awaited<ReturnType<typeof openDatabase>>;
let secret: string;
try {
  database = await openDatabase(env);
  secret = await resolveServerSecret(env, database);
} catch (error) {
  logger.fatal({ err: error }, 'cannot open the database (for PostgreSQL, run server/migrate.ts first)');
  process.exit(1);
}

// The push channel: one LISTEN connection for this process, fanned out to its event streams.
const push = new PushHub({ db: database.db, notifier: database.createNotifier(), logger });
try {
  await push.start();
} catch (error) {
  logger.fatal({ err: error }, 'cannot LISTEN for change notifications');
  await database.close().catch(() => {});
  process.exit(1);
}

const app = createApp({
  db: database.db,
  ping: database.ping,
  logger,
  secret,
  accessTokenTtlSeconds: env.ACCESS_TOKEN_TTL_SECONDS,
  authRateLimit: { limit: env.AUTH_RATE_LIMIT_PER_MINUTE, windowMs: 60_000 },
  push,
});

const server = serve({ fetch: app.fetch, port: env.PORT, hostname: env.HOST }, (info) => {
  const host = info.family === 'IPv6' ? `[${info.address}]` : info.address;
  logger.info({ url: `http://${host}:${info.port}`, driver: database.driver }, 'listening');
});

let stopping = false;
const shutdown = (signal: NodeJS.Signals) => {
  if (stopping) return;
  stopping = true;
  logger.info({ signal }, 'shutting down');
  const force = setTimeout(() => {
    logger.error('shutdown timed out');
    process.exit(1);
  }, SHUTDOWN_TIMEOUT_MS);
  force.unref();
  // Open event streams would hold server.close() forever: end them (each gets `bye`) and stop listening.
  const pushClosed = push.close();
  server.close(async () => {
    try {
      await pushClosed;
      await database.close();
      logger.info('stopped');
      process.exit(0);
    } catch (error) {
      logger.error({ err: error }, 'error while closing the database');
      process.exit(1);
    }
  });
  // Idle keep-alive connections would otherwise hold close() open (again once the streams have ended).
  const closeIdle = () => {
    if ('closeIdleConnections' in server) server.closeIdleConnections();
  };
  closeIdle();
  void pushClosed.then(() => setTimeout(closeIdle, 100), closeIdle);
};
process.on('SIGTERM', shutdown);
process.on('SIGINT', shutdown);
