/**
 * The yardstick for bench/sync-server.ts: the smallest Hono app on @hono/node-server, one JSON
 * route shaped like an empty pull, in its own process like the real server.
 */
import { serve } from '@hono/node-server';
import { Hono } from 'hono';

const app = new Hono().get('/v1/sync/changes', (c) => c.json({ revision: 1, items: [], hasMore: false }));
const server = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, (info) => {
  process.stdout.write(`${JSON.stringify({ msg: 'listening', url: `http://127.0.0.1:${info.port}` })}\n`);
});
process.on('SIGTERM', () => server.close(() => process.exit(0)));
