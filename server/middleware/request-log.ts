import { randomUUID } from 'node:crypto';
import { createMiddleware } from 'hono/factory';
import type { AppEnv } from '../app-env.ts';

const CLIENT_REQUEST_ID = /^[A-Za-z0-9._-]{1,128}$/;

/**
 * One JSON line per request: id, method, path (never the query string), status, latency.
 * Headers and bodies are never logged. Echoes X-Request-Id (the client's if well-formed, else a new one).
 */
export const requestLog = createMiddleware<AppEnv>(async (c, next) => {
  const started = performance.now();
  const incoming = c.req.header('x-request-id');
  const requestId = incoming && CLIENT_REQUEST_ID.test(incoming) ? incoming : randomUUID();
  c.set('requestId', requestId);
  // Before the answer exists (app.ts explains why): every answer is built with it.
  c.header('X-Request-Id', requestId);
  await next();
  const status = c.res.status;
  const fields = {
    reqId: requestId,
    method: c.req.method,
    path: c.req.path,
    status,
    ms: Math.round((performance.now() - started) * 10) / 10,
  };
  const { logger } = c.var.deps;
  if (status >= 500) logger.error(fields, 'request');
  else logger.info(fields, 'request');
});
