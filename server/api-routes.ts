import { Hono } from 'hono';
import type { AppEnv } from './app-env.ts';
import { authRateLimit } from './middleware/rate-limit.ts';
import { accountRoutes } from './routes/accounts.ts';
import { activityRoutes } from './routes/activity.ts';
import { auditKeyRoutes } from './routes/audit-keys.ts';
import { deviceRoutes } from './routes/devices.ts';
import { healthRoutes } from './routes/health.ts';
import { keyRotationRoutes } from './routes/key-rotation.ts';
import { metaRoutes } from './routes/meta.ts';
import { openApiRoutes } from './routes/openapi.ts';
import { passwordRoutes } from './routes/password.ts';
import { recoveryRoutes } from './routes/recovery.ts';
import { sessionRoutes } from './routes/sessions.ts';
import { syncRoutes } from './routes/sync.ts';
import { syncEventRoutes } from './routes/sync-events.ts';
import { vaultExportRoutes } from './routes/vault-export.ts';
import { vaultResetRoutes } from './routes/vault-reset.ts';

/**
 * Every route of the API, behind app.ts's app-wide middleware. Needs no dependencies to build, so
 * `npm run openapi` documents it (docs/api/openapi.json) without a database.
 */
export const apiRoutes = new Hono<AppEnv>()
  .on(
    'POST',
    [
      '/v1/accounts',
      '/v1/accounts/prelogin',
      '/v1/accounts/recovery',
      '/v1/accounts/recovery/complete',
      '/v1/sessions',
      '/v1/sessions/refresh',
    ],
    authRateLimit,
  )
  .route('/health', healthRoutes)
  .route('/v1/meta', metaRoutes)
  .route(
    '/v1',
    openApiRoutes(() => documented),
  )
  .route('/v1/accounts', accountRoutes)
  .route('/v1/accounts', recoveryRoutes)
  .route('/v1/accounts', passwordRoutes)
  .route('/v1/accounts', keyRotationRoutes)
  .route('/v1/accounts', vaultResetRoutes)
  .route('/v1/accounts', vaultExportRoutes)
  .route('/v1/sessions', sessionRoutes)
  .route('/v1/sessions', deviceRoutes)
  .route('/v1/sync', syncRoutes)
  .route('/v1/sync', syncEventRoutes)
  .route('/v1/activity', activityRoutes)
  .route('/.well-known', auditKeyRoutes);

/** What the document describes: the whole table (its own route included). */
const documented: Hono<AppEnv> = apiRoutes;
