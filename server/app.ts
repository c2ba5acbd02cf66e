import { Hono, type MiddlewareHandler } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { HTTPException } from 'hono/http-exception';
import type { UnofficialStatusCode } from 'hono/utils/http-status';
import { ApiError, type ErrorCode } from './api-error.ts';
import { apiRoutes } from './api-routes.ts';
import type { AppDeps, AppEnv, ResolvedDeps } from './app-env.ts';
import { dummyAuthHash } from './auth-hash.ts';
import { CLIENT_CLOSED_REQUEST, clientBodyFailure } from './client-body-failure.ts';
import { rawQueryOf } from './db/client.ts';
import { databaseFailure, databaseFailureError } from './db/database-failure.ts';
import { describeError } from './describe-error.ts';
import { AuthLimits, DEFAULT_LIMITS } from './limits/auth-limits.ts';
import { postgresLimitStore } from './limits/store.ts';
import { httpMetrics } from './metrics.ts';
import { TrustedProxies } from './middleware/client-ip.ts';
import { requestLog } from './middleware/request-log.ts';
import { DEFAULT_POLICY } from './policy.ts';
import { DEFAULT_SESSION_LIMITS } from './session-limits.ts';

export type { AppDeps } from './app-env.ts';

const PUSH_BODY_LIMIT = 4 * 1024 * 1024;
const DEFAULT_BODY_LIMIT = 64 * 1024;

const tooLarge = () => {
  throw new ApiError(413, 'PAYLOAD_TOO_LARGE', 'The request body is too large.');
};
const pushLimit = bodyLimit({ maxSize: PUSH_BODY_LIMIT, onError: tooLarge });
const defaultLimit = bodyLimit({ maxSize: DEFAULT_BODY_LIMIT, onError: tooLarge });
/**
 * Requests without a body skip the limit: asking a GET for its body makes @hono/node-server build
 * a full Fetch Request, which cost the cheapest routes (the "nothing changed" poll) most of their
 * throughput.
 */
const sizeLimit: MiddlewareHandler<AppEnv> = (c, next) => {
  if (c.req.method === 'GET' || c.req.method === 'HEAD') return next();
  return (c.req.path === '/v1/sync/push' ? pushLimit : defaultLimit)(c, next);
};

const codeForStatus = (status: number): ErrorCode =>
  status === 404
    ? 'NOT_FOUND'
    : status === 413
      ? 'PAYLOAD_TOO_LARGE'
      : status < 500
        ? 'VALIDATION'
        : 'INTERNAL';

export function createApp(deps: AppDeps) {
  const { authRateLimit: ipLimit, limits, trustProxy, ...rest } = deps;
  const resolved: ResolvedDeps = {
    now: () => new Date(),
    accessTokenTtlSeconds: 900,
    policy: DEFAULT_POLICY,
    sessionLimits: DEFAULT_SESSION_LIMITS,
    dpopRequireNonce: false,
    ...rest,
    limits:
      limits ??
      new AuthLimits(postgresLimitStore(rawQueryOf(deps.db)), {
        ...DEFAULT_LIMITS,
        ...(ipLimit && { ipPoints: ipLimit.limit, ipWindowSeconds: ipLimit.windowMs / 1000 }),
      }),
    trustedProxies: new TrustedProxies(trustProxy ?? []),
  };
  // Warm the dummy hash so the first unknown-email login costs the same as any other.
  void dummyAuthHash();

  const base = new Hono<AppEnv>();
  // First, so it times the whole request and sees the final answer; absent when metrics are off.
  if (deps.metrics) base.use(httpMetrics(deps.metrics));
  const app = base
    .use(async (c, next) => {
      c.set('deps', resolved);
      await next();
    })
    .use(requestLog)
    .use(async (c, next) => {
      // API answers are per-user secrets: never cache them. No CORS header is ever added.
      // Set before the answer exists, so every answer is built with them (errors included): a
      // header added to a finished answer makes Hono copy it into a streamed one, which cost each
      // request a web stream and most of the cheap routes' throughput.
      c.header('Cache-Control', 'no-store');
      c.header('X-Content-Type-Options', 'nosniff');
      await next();
    })
    .use(sizeLimit)
    // A preflight gets an empty answer without any Access-Control-Allow-* header, so browsers refuse.
    .options('*', (c) => c.body(null, 204))
    .route('/', apiRoutes);

  app.notFound((c) => c.json({ error: { code: 'NOT_FOUND', message: 'No such route.' } }, 404));
  app.onError((thrown, c) => {
    let error = thrown;
    // A lock or statement timeout, or a lost connection: rolled back, answered 503 for a retry. A
    // client's own broken connection (ECONNRESET too) is the client's, handled below.
    const failure =
      error instanceof ApiError || clientBodyFailure(c.env, error) ? null : databaseFailure(error);
    if (failure) {
      c.var.deps.logger.warn(
        { event: `database_${failure}`, err: describeError(error), reqId: c.var.requestId },
        failure === 'busy' ? 'database busy: request rolled back' : 'database unavailable',
      );
      error = databaseFailureError(failure, error);
    }
    if (error instanceof ApiError) {
      c.var.deps.metrics?.refused(error.code);
      if (error.code === 'LIMITS_UNAVAILABLE') {
        c.var.deps.logger.error(
          { event: 'limits_unavailable', err: describeError(error.cause), reqId: c.var.requestId },
          'limit store unavailable: sign-in paused',
        );
      }
      for (const [name, value] of Object.entries(error.extra.headers ?? {})) c.header(name, value);
      const { field, reason } = error.extra;
      return c.json(
        {
          error: {
            code: error.code,
            message: error.message,
            ...(field ? { field } : {}),
            ...(reason ? { reason } : {}),
          },
        },
        error.status,
      );
    }
    if (error instanceof HTTPException && error.status < 500) {
      return c.json({ error: { code: codeForStatus(error.status), message: error.message } }, error.status);
    }
    // A body the client garbled or abandoned reached no one and is no server fault: logged as the
    // client's (400 / 499), never as an unhandled error anyone could inflate at will.
    const bodyFailure = clientBodyFailure(c.env, error);
    if (bodyFailure) {
      // Through the context, so the answer carries the headers set above.
      return c.body(
        null,
        bodyFailure === 'malformed' ? 400 : (CLIENT_CLOSED_REQUEST as UnofficialStatusCode),
      );
    }
    c.var.deps.logger.error({ err: describeError(error), reqId: c.var.requestId }, 'unhandled error');
    return c.json({ error: { code: 'INTERNAL', message: 'Internal server error.' } }, 500);
  });
  return app;
}

export type AppType = ReturnType<typeof createApp>;
