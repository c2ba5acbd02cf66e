import { Hono } from 'hono';
import { ApiError } from '../api-error.ts';
import type { AppEnv } from '../app-env.ts';
import { SchemaVersionError } from '../db/schema-version.ts';
import { describeError } from '../describe-error.ts';
import { describe } from '../openapi/describe.ts';
import { type HealthResponse, healthResponse } from './health-schema.ts';

const READY_TIMEOUT_MS = 2_000;

/**
 * `/live`: the process runs. `/ready`: it can serve — the database answers and holds the schema this
 * build expects. Every probe asks the database again; nothing is cached.
 */
export const healthRoutes = new Hono<AppEnv>()
  .get(
    '/live',
    describe({
      summary: 'Liveness: the process runs',
      tag: 'health',
      answers: { 200: { description: 'The process runs.', schema: healthResponse } },
    }),
    (c) => c.json({ status: 'ok' as const } satisfies HealthResponse, 200),
  )
  .get(
    '/ready',
    describe({
      summary: 'Readiness: the database answers with the schema this build expects',
      tag: 'health',
      answers: { 200: { description: 'The server can serve (else 503 NOT_READY).', schema: healthResponse } },
    }),
    async (c) => {
      const { ping, logger } = c.var.deps;
      let timer: NodeJS.Timeout | undefined;
      try {
        await Promise.race([
          ping(),
          new Promise<never>((_, reject) => {
            timer = setTimeout(() => reject(new Error('database ping timed out')), READY_TIMEOUT_MS);
          }),
        ]);
      } catch (error) {
        if (error instanceof SchemaVersionError) {
          logger.warn({ reason: error.code }, 'readiness check failed');
          throw new ApiError(503, 'NOT_READY', `The database is not ready: ${error.message}.`);
        }
        logger.warn({ err: describeError(error) }, 'readiness check failed');
        throw new ApiError(503, 'NOT_READY', 'The database is not reachable.');
      } finally {
        clearTimeout(timer);
      }
      return c.json({ status: 'ok' as const } satisfies HealthResponse, 200);
    },
  );
