/** Process entry: `npx tsx server/main.ts`. Env is documented in server/env.ts. */
import { createAdaptorServer } from '@hono/node-server';
import { pino } from 'pino';
import { createApp } from './app.ts';
import { AuditSealer } from './audit/sealer.ts';
import { loadSigningKey } from './audit/signing-key-source.ts';
import { assertAppRole } from './db/app-role.ts';
import { openDatabase, poolSettingsFromEnv } from './db/client.ts';
import { describeError } from './describe-error.ts';
import { loadEnvOrExit } from './env.ts';
import { startHousekeeping } from './housekeeping.ts';
import { createLimits } from './limits/create.ts';
import { checkListenHost, listen } from './listen.ts';
import { Metrics } from './metrics.ts';
import { createMetricsServer } from './metrics-server.ts';
import { policyFromEnv } from './policy.ts';
import { PushHub } from './push/hub.ts';
import { resolveServerSecrets } from './server-secret.ts';
import { logStartupFailure } from './startup-error.ts';

const SHUTDOWN_TIMEOUT_MS = 10_000;

const LOG_FLUSH_MS = 250;

const env = loadEnvOrExit(process.env);
/**
 * Log lines are collected up to 4 KiB and written together, and whatever is collected is written at
 * least every 250 ms and when the process exits: one write per request (each a hand-off to the
 * thread pool) was a tenth of the server's CPU under load (docs/operations/deployment.md, "Logs").
 */
const logDestination = pino.destination({ dest: 1, sync: false, minLength: 4096 });
setInterval(() => logDestination.flush(), LOG_FLUSH_MS).unref();
const logger = pino(
  {
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
  },
  logDestination,
);

/**
 * A start that cannot succeed prints one line and exits 1 before listening: a StartupError names the
 * setting to fix; anything else is a bug, logged described (type, code, frames — never its message).
 */
async function exitStart(error: unknown, context: string, release?: () => Promise<unknown>): Promise<never> {
  logStartupFailure(logger, error, env, context);
  await release?.().catch(() => {});
  process.exit(1);
}

// Before opening anything: PGlite would otherwise create and migrate its data directory first.
await checkListenHost(env.HOST).catch((error) => exitStart(error, 'cannot check HOST'));
if (env.METRICS_PORT !== undefined) {
  await checkListenHost(env.METRICS_HOST, 'METRICS_HOST').catch((error) =>
    exitStart(error, 'cannot check METRICS_HOST'),
  );
}

const database = await openDatabase(env, poolSettingsFromEnv(env)).catch((error) =>
  exitStart(error, 'cannot open the database'),
);
const closeDatabase = () => database.close();
// Reachable, and at the schema this build expects, before anything else touches a table.
await database.ping().catch((error) => exitStart(error, 'cannot reach the database', closeDatabase));
// Row-level security only holds for a role that owns nothing and cannot bypass it.
await assertAppRole(database).catch((error) =>
  exitStart(error, 'cannot check the database role', closeDatabase),
);
// From the environment or files (checked for strength), else generated once and kept.
const secrets = await resolveServerSecrets(env, database).catch((error) =>
  exitStart(error, 'cannot read or store the server secrets', closeDatabase),
);

// The audit log's checkpoints: signed with this process's key, every N events and every few minutes.
const signing = await loadSigningKey(env).catch((error) =>
  exitStart(error, 'cannot load the audit signing key', closeDatabase),
);
const sealer = new AuditSealer({
  db: database.db,
  key: signing.key,
  logger,
  everyEvents: env.AUDIT_CHECKPOINT_EVERY,
  intervalMs: env.AUDIT_CHECKPOINT_INTERVAL_SECONDS * 1000,
  retentionDays: env.AUDIT_RETENTION_DAYS,
});
await sealer
  .start()
  .catch((error) => exitStart(error, 'cannot publish the audit signing key', closeDatabase));

// The push channel: one LISTEN connection for this process, fanned out to its event streams.
const push = new PushHub({ db: database.db, notifier: database.createNotifier(), logger });
await push
  .start()
  .catch((error) => exitStart(error, 'cannot LISTEN for change notifications', closeDatabase));

// Counters shared by every process: Redis when REDIS_URL is set, else this database.
const limits = createLimits(env, database, logger);

// Expired rows of every account deleted in batches, by one process at a time (docs/operations/database.md).
const housekeeping = startHousekeeping({
  db: database.db,
  logger,
  intervalMs: env.HOUSEKEEPING_INTERVAL_SECONDS * 1000,
  sessionLimits: { idleDays: env.SESSION_IDLE_DAYS, absoluteDays: env.SESSION_ABSOLUTE_DAYS },
  endedSessionDays: env.AUDIT_RETENTION_DAYS,
});

// Prometheus metrics only when METRICS_PORT is set; otherwise nothing is counted at all.
const metrics = env.METRICS_PORT === undefined ? undefined : new Metrics({ db: database.db, push });

const app = createApp({
  db: database.db,
  ping: database.ping,
  logger,
  secret: secrets.preloginSeed,
  keyring: secrets.keyring,
  tokenHasher: secrets.tokenHasher,
  accessTokenTtlSeconds: env.ACCESS_TOKEN_TTL_SECONDS,
  limits,
  trustProxy: env.TRUST_PROXY,
  push,
  onAuditEvent: sealer.noteEvent,
  policy: policyFromEnv(env),
  sessionLimits: {
    idleDays: env.SESSION_IDLE_DAYS,
    absoluteDays: env.SESSION_ABSOLUTE_DAYS,
    maxPerAccount: env.SESSION_MAX_PER_ACCOUNT,
  },
  ...(env.PUBLIC_URL ? { publicUrl: env.PUBLIC_URL } : {}),
  dpopRequireNonce: env.DPOP_REQUIRE_NONCE,
  ...(metrics ? { metrics } : {}),
});

const server = createAdaptorServer({ fetch: app.fetch });
const info = await listen(server, env.PORT, env.HOST).catch((error) =>
  exitStart(error, 'cannot listen', async () => {
    await housekeeping.stop();
    await push.close();
    await database.close();
  }),
);
const urlOf = (address: { family: string; address: string; port: number }) =>
  `http://${address.family === 'IPv6' ? `[${address.address}]` : address.address}:${address.port}`;

// The metrics listener, once the API listens: its own port, GET /metrics only.
const metricsServer = metrics && createMetricsServer(metrics, logger);
if (metricsServer && env.METRICS_PORT !== undefined) {
  const metricsInfo = await listen(metricsServer, env.METRICS_PORT, env.METRICS_HOST, {
    port: 'METRICS_PORT',
    host: 'METRICS_HOST',
  }).catch((error) =>
    exitStart(error, 'cannot listen for metrics', async () => {
      server.close();
      await push.close();
      await database.close();
    }),
  );
  logger.info({ url: `${urlOf(metricsInfo)}/metrics` }, 'metrics listening');
}

logger.info(
  {
    url: urlOf(info),
    driver: database.driver,
    auditKey: { keyId: sealer.keyId, source: signing.source },
    secrets: { ...secrets.sources, rotating: secrets.keyring.rotating || secrets.tokenHasher.rotating },
  },
  'listening',
);

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
  // Scrapes are short: the metrics listener stops at once, its keep-alive connections with it.
  metricsServer?.close();
  metricsServer?.closeAllConnections();
  // Open event streams would hold server.close() forever: end them (each gets `bye`) and stop listening.
  const pushClosed = push.close();
  server.close(async () => {
    try {
      await pushClosed;
      // Sign what this process added since the last checkpoint, then stop the timer.
      await sealer
        .checkpoint()
        .catch((error: unknown) =>
          logger.error({ event: 'audit_seal_failed', err: describeError(error) }, 'audit'),
        );
      await sealer.close();
      await housekeeping.stop();
      await limits.close();
      await database.close();
      logger.info('stopped');
      process.exit(0);
    } catch (error) {
      logger.error({ err: describeError(error) }, 'error while closing the database');
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
