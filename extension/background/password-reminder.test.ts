import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { fakeBrowser } from 'wxt/testing/fake-browser';
import { type Harness, metaWithPolicy, SERVER, startHarness } from '../test-support/devices.ts';

/**
 * The optional reminder (never an expiry): due once the password is older than the policy's period,
 * silenced for a period by "Not now", started over by a change, absent when the policy sets none.
 */

const EMAIL = 'ada@example.test';
const MASTER = 'orange-kettle-harbour-91';
const DAY = 86_400_000;

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h?.server.close();
});
afterEach(() => h.settle());
beforeEach(async () => {
  fakeBrowser.reset();
  await h.server.reset();
});

const inDays = (days: number) => () => new Date(Date.now() + days * DAY);

describe('password reminder', () => {
  it('is never due when the policy sets no period', async () => {
    const a = h.worker();
    await a.register(SERVER, EMAIL, MASTER);
    await a.lock();
    h.now = inDays(5000);
    await a.unlock(MASTER);
    expect(await a.passwordReminder()).toMatchObject({ due: false, days: null });
  });

  it('is due after the period, silenced by "Not now" for another period', async () => {
    h.intercept = (req) =>
      new URL(req.url).pathname === '/v1/meta' ? metaWithPolicy(h, { passwordReminderDays: 90 }) : null;
    const a = h.worker();
    await a.register(SERVER, EMAIL, MASTER);
    await a.lock();
    await a.unlock(MASTER);
    expect(await a.passwordReminder()).toMatchObject({ due: false, days: 90 });

    h.now = inDays(91);
    expect(await a.passwordReminder()).toMatchObject({ due: true, days: 90 });
    await a.dismissPasswordReminder();
    expect((await a.passwordReminder()).due).toBe(false);
    h.now = inDays(91 + 89);
    expect((await a.passwordReminder()).due).toBe(false);
    h.now = inDays(91 + 91);
    expect((await a.passwordReminder()).due).toBe(true);
    // Locking and unlocking (the same password, the same date) keeps the dismissal's date.
    await a.dismissPasswordReminder();
    await a.lock();
    await a.unlock(MASTER);
    expect((await a.passwordReminder()).due).toBe(false);
  });
});
