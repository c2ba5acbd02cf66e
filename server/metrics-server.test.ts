import { createServer } from 'node:net';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { listen } from './listen.ts';
import { Metrics } from './metrics.ts';
import { createMetricsServer } from './metrics-server.ts';

const METRICS = { port: 'METRICS_PORT', host: 'METRICS_HOST' } as const;

describe('the metrics listener', () => {
  it('answers GET /metrics with the exposition text over HTTP, and 404 to anything else', async () => {
    const metrics = new Metrics();
    metrics.pushedChanges.inc({ outcome: 'applied' }, 7);
    const server = createMetricsServer(metrics, pino({ level: 'silent' }));
    const { port } = await listen(server, 0, '127.0.0.1', METRICS);
    try {
      const base = `http://127.0.0.1:${port}`;
      const res = await fetch(`${base}/metrics`);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
      const text = await res.text();
      expect(text).toContain('keyhold_sync_pushed_changes_total{outcome="applied"} 7');
      expect(text).toMatch(/^keyhold_process_resident_memory_bytes /m);
      expect(text).toContain('# TYPE keyhold_http_requests_total counter');

      for (const path of ['/', '/metrics/', '/v1/sync/changes', '/health/live']) {
        expect((await fetch(`${base}${path}`)).status, path).toBe(404);
      }
      expect((await fetch(`${base}/metrics`, { method: 'POST', body: 'x' })).status).toBe(404);
    } finally {
      server.close();
      server.closeAllConnections();
    }
  });

  it('names METRICS_PORT when its port is taken', async () => {
    const taken = createServer();
    const { port } = await listen(taken, 0, '127.0.0.1');
    try {
      const server = createMetricsServer(new Metrics(), pino({ level: 'silent' }));
      await expect(listen(server, port, '127.0.0.1', METRICS)).rejects.toMatchObject({
        name: 'StartupError',
        setting: 'METRICS_PORT',
        message: `METRICS_PORT ${port} is already in use on METRICS_HOST 127.0.0.1`,
      });
    } finally {
      taken.close();
    }
  });
});
