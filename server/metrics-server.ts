import { createServer, type Server } from 'node:http';
import type { Logger } from 'pino';
import { describeError } from './describe-error.ts';
import type { Metrics } from './metrics.ts';

/**
 * The metrics listener (METRICS_PORT, METRICS_HOST): GET /metrics answers the exposition text of
 * `metrics`; anything else is 404. A listener of its own, so the API port never serves metrics and
 * the operator can keep this one private.
 */
export function createMetricsServer(metrics: Metrics, logger: Pick<Logger, 'error'>): Server {
  return createServer((req, res) => {
    const path = req.url?.split('?', 1)[0];
    if (req.method !== 'GET' || path !== '/metrics') {
      res.writeHead(404, { 'Content-Type': 'text/plain; charset=utf-8' }).end('Not found: GET /metrics\n');
      return;
    }
    metrics.exposition().then(
      (text) => {
        res.writeHead(200, { 'Content-Type': metrics.registry.contentType, 'Cache-Control': 'no-store' });
        res.end(text);
      },
      (error: unknown) => {
        logger.error({ event: 'metrics_failed', err: describeError(error) }, 'metrics');
        res.writeHead(500, { 'Content-Type': 'text/plain; charset=utf-8' }).end('Metrics unavailable\n');
      },
    );
  });
}
