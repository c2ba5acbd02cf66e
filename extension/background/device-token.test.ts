import { beforeEach, describe, expect, it } from 'vitest';
import { fakeBrowser } from 'wxt/testing/fake-browser';
import { ApiClient } from './api-client.ts';
import { deviceTokenFor, deviceTokensItem } from './device-token.ts';

/** The device token travels with every login for its email and the newest one is kept. */
const BASE = 'http://127.0.0.1:8787';
const loginReply = (deviceToken: string) => ({
  accountId: '00000000-0000-4000-8000-000000000001',
  sessionId: '00000000-0000-4000-8000-000000000002',
  tokenType: 'DPoP',
  accessToken: 'a',
  refreshToken: 'r',
  accessExpiresAt: '2030-01-01T00:15:00.000Z',
  wrappedVaultKey: 'k1.x',
  kdf: { alg: 'argon2id', memoryKiB: 65_536, iterations: 3, parallelism: 4 },
  salt: 'c2FsdHNhbHRzYWx0c2FsdA',
  keyVersion: 1,
  rotation: null,
  deviceToken,
});

function client(replies: string[]) {
  const bodies: Record<string, unknown>[] = [];
  const api = new ApiClient(BASE, async (_input, init) => {
    bodies.push(JSON.parse(String(init?.body)) as Record<string, unknown>);
    const token = replies.shift() ?? 'none';
    return new Response(JSON.stringify(loginReply(token)), {
      status: 200,
      headers: { 'content-type': 'application/json' },
    });
  });
  return { api, bodies };
}

describe('device tokens', () => {
  beforeEach(() => fakeBrowser.reset());

  it('sends none at the first login, then the one the server gave for that email', async () => {
    const { api, bodies } = client(['token-1', 'token-2', 'token-b']);
    await api.login({ email: 'a@example.com', authKey: 'k', deviceName: 'd' });
    await api.login({ email: ' A@Example.com', authKey: 'k', deviceName: 'd' });
    await api.login({ email: 'b@example.com', authKey: 'k', deviceName: 'd' });
    expect(bodies.map((b) => b.deviceToken)).toEqual([undefined, 'token-1', undefined]);
    expect(await deviceTokenFor('a@example.com')).toBe('token-2');
    expect(await deviceTokensItem.getValue()).toEqual({
      'a@example.com': 'token-2',
      'b@example.com': 'token-b',
    });
  });
});
