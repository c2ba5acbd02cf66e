import { beforeEach, describe, expect, it } from 'vitest';
import { fakeBrowser } from 'wxt/testing/fake-browser';
import { accountItem } from '../storage/items.ts';
import { ApiClient } from './api-client.ts';
import { VaultError } from './vault-error.ts';
import { VaultService } from './vault-service.ts';

/**
 * Register and log in against whatever answers at the address the user typed: the check of
 * `GET /v1/meta` comes first, and what the server says (Retry-After) reaches the VaultError.
 */

const SERVER = 'http://127.0.0.1:8787';
const META = { service: 'keyhold', protocol: { version: 1, minClientVersion: 1 } };

function worker(answer: (path: string) => Response) {
  const paths: string[] = [];
  const vault = new VaultService({
    makeApi: (baseUrl) =>
      new ApiClient(baseUrl, async (input) => {
        const path = new URL(String(input)).pathname;
        paths.push(path);
        return answer(path);
      }),
    now: () => new Date(),
    newId: () => crypto.randomUUID(),
  });
  return { vault, paths };
}

async function vaultError(p: Promise<unknown>): Promise<VaultError> {
  try {
    await p;
  } catch (e) {
    if (e instanceof VaultError) return e;
    throw e;
  }
  throw new Error('expected a VaultError');
}

const notFoundPage = () =>
  new Response('<h1>Not Found</h1>', { status: 404, headers: { 'content-type': 'text/html' } });

beforeEach(() => fakeBrowser.reset());

describe('VaultService sign-in against the address typed', () => {
  it('register: another web server is NOT_KEYHOLD before any key is derived or account sent', async () => {
    const { vault, paths } = worker(notFoundPage);
    const e = await vaultError(vault.register(SERVER, 'ada@example.test', 'long enough password'));
    expect(e.code).toBe('NOT_KEYHOLD');
    expect(e.detail.serverUrl).toBe(SERVER);
    expect(paths).toEqual(['/v1/meta']);
    expect(await accountItem.getValue()).toBeNull();
  });

  it('login: a Keyhold server of a protocol this extension cannot speak is SERVER_TOO_NEW', async () => {
    const { vault, paths } = worker(() =>
      Response.json({ service: 'keyhold', protocol: { version: 9, minClientVersion: 9 } }),
    );
    expect((await vaultError(vault.login(SERVER, 'ada@example.test', 'pw'))).code).toBe('SERVER_TOO_NEW');
    expect(paths).toEqual(['/v1/meta']);
  });

  it("login: a lockout's Retry-After reaches the VaultError", async () => {
    const { vault } = worker((path) =>
      path === '/v1/meta'
        ? Response.json(META)
        : Response.json(
            { error: { code: 'RATE_LIMITED', message: 'Too many.' } },
            {
              status: 429,
              headers: { 'retry-after': '42' },
            },
          ),
    );
    const e = await vaultError(vault.login(SERVER, 'ada@example.test', 'pw'));
    expect(e.code).toBe('RATE_LIMITED');
    expect(e.detail).toMatchObject({ retryAfterSeconds: 42, serverUrl: SERVER });
  });
});
