import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../test-support/db.ts';
import { startPushHub } from '../test-support/push.ts';
import type { CloseReason, PushSubscriber } from './hub.ts';
import type { ChangeNotifier } from './notifier.ts';

let testDb: TestDatabase;
beforeAll(async () => {
  testDb = await createTestDatabase();
});
afterAll(() => testDb.dispose());

/** A notifier that delivers nothing: the test calls the hub's listener methods itself. */
const silent: ChangeNotifier = { start: async () => {}, close: async () => {} };

function subscriber(accountId: string, sessionId: string) {
  const seen: string[] = [];
  const sub: PushSubscriber = {
    accountId,
    sessionId,
    changed: (revision) => seen.push(`changed ${revision}`),
    sessionNotice: (event) => seen.push(`session ${event.sessionId} ${event.kind}`),
    close: async (reason: CloseReason) => {
      seen.push(`bye ${reason}`);
    },
  };
  return { sub, seen };
}

describe('PushHub', () => {
  it("tells a sign-in to the account's other sessions only, and closes a revoked session with its reason", async () => {
    const hub = await startPushHub(testDb.database, { notifier: silent });
    const a = subscriber('acct', 'session-a');
    const b = subscriber('acct', 'session-b');
    const stranger = subscriber('other', 'session-c');
    for (const s of [a, b, stranger]) expect(hub.add(s.sub)).toBe('ok');
    hub.session({ accountId: 'acct', sessionId: 'session-b', kind: 'signed-in' });
    hub.session({ accountId: 'acct', sessionId: 'session-a', kind: 'named' });
    hub.revocation({ sessionId: 'session-b', reason: 'remote-logout' });
    hub.revocation({ sessionId: 'session-c' });
    expect(a.seen).toEqual(['session session-b signed-in']);
    expect(b.seen).toEqual(['session session-a named', 'bye remote-logout']);
    expect(stranger.seen).toEqual(['bye revoked']);
    await hub.close();
  });
});
