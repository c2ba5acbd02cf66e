import { startTestServer, type TestServer } from '../../server/test-support/in-process.ts';
import { ApiClient } from '../background/api-client.ts';
import { type DpopKey, dpopAuthHeaders, dpopProof } from '../background/dpop-key.ts';
import { VaultService } from '../background/vault-service.ts';
import { type LoginFields, loginFields as newLogin } from '../messaging/item-schema.ts';
import { type DeviceSnapshot, deviceSwitches } from './vault-store.ts';

/**
 * For extension tests against the real server app in-process (no port): "devices" are storage
 * snapshots swapped in and out of WXT's fake browser, each driven by its own VaultService (a
 * worker). The network can be cut (`offline`) per test.
 */

export const SERVER = 'http://keyhold.test';

export const loginFields = (title: string, password = 'pw-1'): LoginFields =>
  newLogin({
    title,
    username: 'grace',
    password,
    uris: [{ url: 'https://bank.example', match: 'domain' }],
    totp: '',
    notes: '',
  });

export type Snapshot = DeviceSnapshot;

export interface Harness {
  server: TestServer;
  /** When false, every request fails as a network error would. */
  online: boolean;
  /** Answers a request instead of the server when it returns a Response (a server of another policy…). */
  intercept: ((request: Request) => Promise<Response | null> | Response | null) | null;
  /** The workers' clock. */
  now: () => Date;
  api(): ApiClient;
  /** A new worker on the current storage; locked after the test so its queued syncs cannot leak. */
  worker(): VaultService;
  snapshot(): Promise<Snapshot>;
  restore(s: Snapshot): Promise<void>;
  /** Locks every worker made in this test; the network and the clock back to normal. */
  settle(): Promise<void>;
}

/** `GET /v1/meta` as the real server answers it, with `policy` changed: a server of another policy. */
export async function metaWithPolicy(h: Harness, policy: Record<string, unknown>): Promise<Response> {
  const meta = (await (await h.server.fetch(new Request(`${SERVER}/v1/meta`))).json()) as {
    policy: Record<string, unknown>;
  };
  return Response.json({ ...meta, policy: { ...meta.policy, ...policy } });
}

export async function startHarness(): Promise<Harness> {
  const server = await startTestServer();
  const workers: VaultService[] = [];
  // Each switch waits for the workers' queues first (a sign-in seals the vault after it answered).
  const switches = deviceSwitches(() => workers);
  const h: Harness = {
    server,
    online: true,
    intercept: null,
    now: () => new Date(),
    api: () =>
      new ApiClient(SERVER, async (input, init) => {
        if (!h.online) throw new TypeError('fetch failed');
        const request = new Request(input, init);
        return (await h.intercept?.(request.clone())) ?? server.fetch(request);
      }),
    worker() {
      const w = new VaultService({
        makeApi: () => h.api(),
        now: () => h.now(),
        newId: () => crypto.randomUUID(),
      });
      workers.push(w);
      return w;
    },
    snapshot: switches.snapshot,
    restore: switches.restore,
    async settle() {
      for (const w of workers.splice(0)) await w.lock().catch(() => undefined);
      h.online = true;
      h.intercept = null;
      h.now = () => new Date();
    },
  };
  return h;
}

/** An authenticated request to the in-process server, as another device (or a curious test) makes it. */
export async function authorized(
  h: Harness,
  path: string,
  token: string,
  init: RequestInit = {},
  /** The token's own device key, when that device's storage is not the one swapped in. */
  key?: DpopKey,
): Promise<Response> {
  const method = init.method ?? 'GET';
  const url = `${SERVER}${path}`;
  // Signed by `key`, or by the current device's DPoP key (whose storage is swapped in).
  const auth = key
    ? { authorization: `DPoP ${token}`, dpop: await dpopProof(key, method, url, token) }
    : await dpopAuthHeaders(method, url, token);
  return h.server.fetch(
    new Request(`${SERVER}${path}`, {
      ...init,
      headers: { ...auth, 'content-type': 'application/json', ...init.headers },
    }),
  );
}
