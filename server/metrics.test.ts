import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { Metrics } from './metrics.ts';
import type { ItemChange } from './routes/sync-schema.ts';
import { createTestApp, envelope } from './test-support/app.ts';
import { createTestDatabase, type TestDatabase } from './test-support/db.ts';
import { limitsOn } from './test-support/limits.ts';

let testDb: TestDatabase;
beforeAll(async () => {
  testDb = await createTestDatabase();
});
afterAll(() => testDb.dispose());
beforeEach(() => testDb.truncate());

const change = (): ItemChange => ({
  id: randomUUID(),
  baseRevision: 0,
  deleted: false,
  keyVersion: 1,
  ciphertext: envelope(),
});

/** The value of one series in the exposition text (0 when it is not there). */
async function seriesValue(metrics: Metrics, series: string): Promise<number> {
  const text = await metrics.exposition();
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line ? Number(line.slice(series.length + 1)) : 0;
}

/** An app with metrics, and limits that lock after two wrong guesses without delaying them. */
function setup() {
  const metrics = new Metrics({ db: testDb.database.db });
  const limits = limitsOn(testDb.database, { freeFailures: 5, lockAfter: 2, delayBaseMs: 0 });
  return { metrics, ...createTestApp(testDb.database, { metrics, limits }) };
}

describe('metrics', () => {
  it('count sign-up, sign-in, push and pull without any id, email, token or path in a label', async () => {
    const { metrics, call, signUp } = setup();
    const user = await signUp();
    const items = [change(), change(), change()];
    const applied = 'keyhold_sync_pushed_changes_total{outcome="applied"}';
    const conflict = 'keyhold_sync_pushed_changes_total{outcome="conflict"}';
    expect(await seriesValue(metrics, applied)).toBe(0);

    const pushed = await call('POST', '/v1/sync/push', { token: user.accessToken, body: { changes: items } });
    expect(pushed.status).toBe(200);
    expect(await seriesValue(metrics, applied)).toBe(3);
    expect(await seriesValue(metrics, conflict)).toBe(0);
    // One stale change: a conflict, counted as such.
    const stale = { ...change(), id: items[0]?.id ?? '', baseRevision: 0, ciphertext: envelope() };
    const again = await call('POST', '/v1/sync/push', {
      token: user.accessToken,
      body: { changes: [stale] },
    });
    expect(again.status).toBe(200);
    expect(await seriesValue(metrics, applied)).toBe(3);
    expect(await seriesValue(metrics, conflict)).toBe(1);
    expect(await seriesValue(metrics, 'keyhold_sync_push_changes_count')).toBe(2);

    const pulled = await call('GET', '/v1/sync/changes?since=0', { token: user.accessToken });
    expect(pulled.status).toBe(200);
    const nothing = await call('GET', '/v1/sync/changes?since=3', { token: user.accessToken });
    expect(nothing.status).toBe(200);
    expect(await seriesValue(metrics, 'keyhold_sync_pull_items_count')).toBe(2);
    expect(await seriesValue(metrics, 'keyhold_sync_pull_items_sum')).toBe(3);

    const text = await metrics.exposition();
    expect(text).toContain(
      'keyhold_http_requests_total{method="GET",route="/v1/sync/changes",status="200"} 2',
    );
    expect(text).toContain('keyhold_http_requests_total{method="POST",route="/v1/sync/push",status="200"} 2');
    expect(text).toContain('keyhold_http_requests_total{method="POST",route="/v1/accounts",status="201"} 1');
    expect(text).toContain(
      'keyhold_http_request_duration_seconds_count{method="POST",route="/v1/sessions"} 1',
    );
    expect(text).toMatch(/^keyhold_process_cpu_seconds_total /m);
    expect(text).toMatch(/^keyhold_db_pool_size [1-9]/m);
    expect(text).toMatch(/^keyhold_db_transactions_in_flight 0$/m);
    for (const secret of [
      user.accountId,
      user.email,
      user.email.split('@')[0] ?? '',
      user.accessToken,
      user.refreshToken,
      user.sessionId,
      user.authKey,
      ...items.map((item) => item.id),
      'since=',
      '127.0.0.1',
    ]) {
      expect(text).not.toContain(secret);
    }
  });

  it('label an unmatched path `unmatched`, never with the path', async () => {
    const { metrics, call } = setup();
    const id = randomUUID();
    expect((await call('GET', `/v1/no-such/${id}`)).status).toBe(404);
    expect((await call('BREW', '/v1/sync/changes')).status).toBe(404);
    const text = await metrics.exposition();
    expect(text).toContain('keyhold_http_requests_total{method="GET",route="unmatched",status="404"} 1');
    expect(text).toContain('keyhold_http_requests_total{method="other",route="unmatched",status="404"} 1');
    expect(text).not.toContain(id);
    expect(text).not.toContain('BREW');
  });

  it('count authentication failures by code, lockouts and the refusals of a locked account', async () => {
    const { metrics, call, signUp } = setup();
    const user = await signUp();
    const wrong = { email: user.email, authKey: envelope(32).slice(3) };
    for (let i = 0; i < 2; i++)
      expect((await call('POST', '/v1/sessions', { body: wrong })).status).toBe(401);
    expect(await seriesValue(metrics, 'keyhold_auth_failures_total{reason="INVALID_CREDENTIALS"}')).toBe(2);
    expect(await seriesValue(metrics, 'keyhold_lockouts_total{key="email"}')).toBe(1);
    expect((await call('POST', '/v1/sessions', { body: wrong })).status).toBe(429);
    expect(await seriesValue(metrics, 'keyhold_rate_limited_total{reason="account-locked"}')).toBe(1);
    expect(await seriesValue(metrics, 'keyhold_auth_failures_total{reason="RATE_LIMITED"}')).toBe(1);
    expect((await call('GET', '/v1/sync/changes', { token: 'not-a-token-at-all-0123' })).status).toBe(401);
    expect(await seriesValue(metrics, 'keyhold_auth_failures_total{reason="INVALID_TOKEN"}')).toBe(1);
    const text = await metrics.exposition();
    for (const secret of [user.email, user.accountId, wrong.authKey]) expect(text).not.toContain(secret);
  });

  it('are never served by the API port', async () => {
    const { call } = setup();
    const res = await call('GET', '/metrics');
    expect(res.status).toBe(404);
    expect(await res.text()).not.toContain('keyhold_');
  });

  it('keep one registry per app: two apps count apart', async () => {
    const first = setup();
    const second = setup();
    await first.call('GET', '/health/live');
    const series = 'keyhold_http_requests_total{method="GET",route="/health/live",status="200"}';
    expect(await seriesValue(first.metrics, series)).toBe(1);
    expect(await seriesValue(second.metrics, series)).toBe(0);
  });
});
