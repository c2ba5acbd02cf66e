import { Hono } from 'hono';
import { ApiError } from '../api-error.ts';
import type { AppEnv } from '../app-env.ts';

const READY_TIMEOUT_MS = 2_000;

export const healthRoutes = new Hono<AppEnv>()
  .get('/live', (c) => c.json({ status: 'ok' as const }, 200))
  .get('/ready', async (c) => {
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
      logger.warn({ err: error }, 'readiness check failed');
      throw new ApiError(503, 'NOT_READY', 'The database is not reachable.');
    } finally {
      clearTimeout(timer);
    }
    return c.json({ status: 'ok' as const }, 200);
  });
