import type { MiddlewareHandler } from 'hono';
import { matchedRoutes } from 'hono/route';
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';
import type { ErrorCode } from './api-error.ts';
import type { AppEnv } from './app-env.ts';
import type { Db } from './db/client.ts';
import { poolUsageOf } from './db/pool-usage.ts';
import type { PushHub } from './push/hub.ts';

/**
 * The server's Prometheus metrics (docs/operations/metrics.md), in a registry of their own per app
 * (never prom-client's global one). Served only by the metrics listener (metrics-server.ts) when
 * METRICS_PORT is set; without it the app has no Metrics and pays nothing for them.
 *
 * Labels take their values from small fixed sets only — route patterns, methods, status codes,
 * error codes, outcomes — never an account id, email, token, address or a path with ids in it.
 */

const PREFIX = 'keyhold_';

/** Methods a client may send are arbitrary tokens; anything else is counted as `other`. */
const METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']);

/** The refusals counted as authentication failures (by their code). */
const AUTH_FAILURES = new Set<ErrorCode>([
  'UNAUTHENTICATED',
  'INVALID_TOKEN',
  'INVALID_DPOP_PROOF',
  'INVALID_CREDENTIALS',
  'INVALID_RECOVERY_KEY',
  'FORBIDDEN_SCOPE',
  'SESSION_ENDED',
  'RATE_LIMITED',
]);

/** Items per pull and changes per push: both at most 1000 (sync-schema.ts). */
const SIZE_BUCKETS = [0, 1, 5, 25, 100, 250, 500, 1000];

/** What the gauges read at scrape time. */
export interface MetricsSources {
  /** The app's database: its pool usage (db/pool-usage.ts), when client.ts opened it. */
  db?: Db;
  /** This process's push hub: its open streams. */
  push?: PushHub;
}

export class Metrics {
  readonly registry = new Registry();

  readonly httpRequests = new Counter({
    name: `${PREFIX}http_requests_total`,
    help: 'HTTP requests answered, by method, matched route pattern and status.',
    labelNames: ['method', 'route', 'status'] as const,
    registers: [this.registry],
  });

  readonly httpDuration = new Histogram({
    name: `${PREFIX}http_request_duration_seconds`,
    help: 'Time to produce an answer (an event stream: until it starts), by method and route pattern.',
    labelNames: ['method', 'route'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [this.registry],
  });

  readonly pullItems = new Histogram({
    name: `${PREFIX}sync_pull_items`,
    help: 'Items returned by one GET /v1/sync/changes (0: nothing changed).',
    buckets: SIZE_BUCKETS,
    registers: [this.registry],
  });

  readonly pushSize = new Histogram({
    name: `${PREFIX}sync_push_changes`,
    help: 'Changes in one committed POST /v1/sync/push.',
    buckets: SIZE_BUCKETS,
    registers: [this.registry],
  });

  readonly pushedChanges = new Counter({
    name: `${PREFIX}sync_pushed_changes_total`,
    help: 'Changes of committed pushes, by outcome (applied or conflict).',
    labelNames: ['outcome'] as const,
    registers: [this.registry],
  });

  readonly authFailures = new Counter({
    name: `${PREFIX}auth_failures_total`,
    help: 'Requests refused for authentication or authorisation, by error code.',
    labelNames: ['reason'] as const,
    registers: [this.registry],
  });

  readonly rateLimited = new Counter({
    name: `${PREFIX}rate_limited_total`,
    help: 'Requests refused by a limit: ip (per-address auth budget) or account-locked (lockout).',
    labelNames: ['reason'] as const,
    registers: [this.registry],
  });

  readonly lockouts = new Counter({
    name: `${PREFIX}lockouts_total`,
    help: 'Locks started by wrong guesses, by the key locked (email or device-token).',
    labelNames: ['key'] as const,
    registers: [this.registry],
  });

  readonly auditWriteFailures = new Counter({
    name: `${PREFIX}audit_write_failures_total`,
    help: 'Audit events that could not be written (the action failed with 503 AUDIT_UNAVAILABLE).',
    labelNames: ['type'] as const,
    registers: [this.registry],
  });

  constructor(sources: MetricsSources = {}) {
    const pool = sources.db && poolUsageOf(sources.db);
    const registers = [this.registry];
    new Gauge({
      name: `${PREFIX}db_pool_size`,
      help: 'Connections the database pool may open (PGlite: 1).',
      registers,
      collect() {
        if (pool) this.set(pool.size);
      },
    });
    new Gauge({
      name: `${PREFIX}db_transactions_in_flight`,
      help: 'Transactions running now; each holds a pool connection.',
      registers,
      collect() {
        if (pool) this.set(pool.transactions);
      },
    });
    new Gauge({
      name: `${PREFIX}db_statements_in_flight`,
      help: 'Statements running now outside a transaction (token check, changes page, limit store).',
      registers,
      collect() {
        if (pool) this.set(pool.statements);
      },
    });
    const { push } = sources;
    new Gauge({
      name: `${PREFIX}push_streams_open`,
      help: 'Open push event streams (GET /v1/sync/events) in this process.',
      registers,
      collect() {
        this.set(push?.size ?? 0);
      },
    });
    collectDefaultMetrics({ register: this.registry, prefix: PREFIX });
  }

  /** Counts a refusal if its code is an authentication failure. */
  refused(code: ErrorCode): void {
    if (AUTH_FAILURES.has(code)) this.authFailures.inc({ reason: code });
  }

  /** An audit event of `type` could not be written (audit/record.ts); bound, to be passed around. */
  readonly auditWriteFailed = (type: string): void => {
    this.auditWriteFailures.inc({ type });
  };

  /** The exposition text, as GET /metrics answers it. */
  exposition(): Promise<string> {
    return this.registry.metrics();
  }
}

/**
 * The route pattern a request matched: the last matched route's path (a handler, or a route's own
 * middleware when no handler matched); `unmatched` when only the app-wide middleware did.
 */
function routeOf(c: Parameters<MiddlewareHandler<AppEnv>>[0]): string {
  const routes = matchedRoutes(c);
  const last = routes[routes.length - 1];
  if (!last || (last.method === 'ALL' && last.path === '/*')) return 'unmatched';
  return last.path;
}

/** Times and counts every request; the first middleware of an app that has Metrics. */
export const httpMetrics =
  (metrics: Metrics): MiddlewareHandler<AppEnv> =>
  async (c, next) => {
    const started = performance.now();
    // Errors never come out of next(): Hono has turned them into their answer (app.onError) by then.
    await next();
    const method = METHODS.has(c.req.method) ? c.req.method : 'other';
    const route = routeOf(c);
    metrics.httpRequests.inc({ method, route, status: String(c.res.status) });
    metrics.httpDuration.observe({ method, route }, (performance.now() - started) / 1000);
  };
