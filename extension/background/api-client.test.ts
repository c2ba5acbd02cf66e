import { describe, expect, it } from 'vitest';
import { DEFAULT_POLICY } from '../../server/routes/meta-schema.ts';
import { errorMessage } from '../messaging/error-messages.ts';
import { ApiClient, ApiError, CLIENT_PROTOCOL, retryAfterSeconds } from './api-client.ts';
import type { NetErrorSource } from './net-errors.ts';

/**
 * How the client reads what answers at the address the user typed: a Keyhold server (its JSON
 * error shape, its meta document), some other web server, or nothing (and why nothing).
 */

const BASE = 'http://127.0.0.1:8787';
const META = { service: 'keyhold', protocol: { version: 1, minClientVersion: 1 } };

const json = (body: unknown, status = 200, headers: Record<string, string> = {}) =>
  new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json', ...headers } });
const html = (status: number) =>
  new Response('<!doctype html><title>Not Found</title><h1>Not Found</h1>', {
    status,
    headers: { 'content-type': 'text/html' },
  });

/** A client whose every request gets `answer`; `netError` is what the browser "reported" for a failed fetch. */
function client(answer: (url: string) => Response | Promise<Response>, netError: string | null = null) {
  const asked: string[] = [];
  const netErrors: NetErrorSource = {
    find: async (url) => {
      asked.push(url);
      return netError;
    },
  };
  return { api: new ApiClient(BASE, async (input) => answer(String(input)), netErrors), asked };
}

async function failure(p: Promise<unknown>): Promise<ApiError> {
  try {
    await p;
  } catch (e) {
    if (e instanceof ApiError) return e;
    throw e;
  }
  throw new Error('expected the call to fail');
}

describe('ApiClient: who answered', () => {
  it('a 404 HTML page from another web server is NOT_KEYHOLD, and the message names the address', async () => {
    const { api } = client(() => html(404));
    const e = await failure(api.prelogin('a@b.example'));
    expect(e.code).toBe('NOT_KEYHOLD');
    expect(e.detail.serverUrl).toBe(BASE);
    expect(errorMessage(e.code, e.detail)).toContain(`${BASE} did not answer like a Keyhold server`);
  });

  it('a 200 plain-text page is NOT_KEYHOLD, not a server error', async () => {
    const { api } = client(() => new Response('hello world', { status: 200 }));
    expect((await failure(api.prelogin('a@b.example'))).code).toBe('NOT_KEYHOLD');
  });

  it('a 401 from something that is not Keyhold is NOT_KEYHOLD, not an expired session', async () => {
    const { api } = client(() => new Response('Unauthorized', { status: 401 }));
    expect((await failure(api.pull('token', 0))).code).toBe('NOT_KEYHOLD');
  });

  it("a Keyhold server's own NOT_FOUND stays NOT_FOUND", async () => {
    const { api } = client(() => json({ error: { code: 'NOT_FOUND', message: 'No such route.' } }, 404));
    expect((await failure(api.pull('token', 0))).code).toBe('NOT_FOUND');
  });

  it('a proxy saying the server behind it is down (502/503/504 HTML) is SERVER_UNREACHABLE', async () => {
    for (const status of [502, 503, 504]) {
      const { api } = client(() => html(status));
      expect((await failure(api.prelogin('a@b.example'))).code).toBe('SERVER_UNREACHABLE');
    }
  });

  it('carries Retry-After of a RATE_LIMITED answer, as the message says it', async () => {
    const { api } = client(() =>
      json({ error: { code: 'RATE_LIMITED', message: 'Too many.' } }, 429, { 'retry-after': '42' }),
    );
    const e = await failure(api.login({ email: 'a@b.example', authKey: 'x', deviceName: 'd' }));
    expect(e.code).toBe('RATE_LIMITED');
    expect(e.detail.retryAfterSeconds).toBe(42);
    expect(errorMessage(e.code, e.detail)).toBe('Too many attempts. Try again in 42 seconds.');
  });
});

describe('ApiClient: no answer', () => {
  it('a certificate error reported by the browser is TLS_ERROR, with its name', async () => {
    const { api, asked } = client(() => {
      throw new TypeError('Failed to fetch');
    }, 'net::ERR_CERT_AUTHORITY_INVALID');
    const e = await failure(api.checkServer());
    expect(e).toMatchObject({ code: 'TLS_ERROR', status: 0 });
    expect(e.detail).toEqual({ serverUrl: BASE, netError: 'net::ERR_CERT_AUTHORITY_INVALID' });
    expect(asked).toEqual([`${BASE}/v1/meta`]);
    expect(errorMessage(e.code, e.detail)).toContain(`The secure connection to ${BASE} failed`);
  });

  it("Firefox's certificate errors are TLS_ERROR too", async () => {
    for (const netError of ['SEC_ERROR_UNKNOWN_ISSUER', 'MOZILLA_PKIX_ERROR_SELF_SIGNED_CERT']) {
      const { api } = client(() => Promise.reject(new TypeError('NetworkError')), netError);
      expect((await failure(api.checkServer())).code).toBe('TLS_ERROR');
    }
  });

  it('a refused connection, or no word from the browser, is SERVER_UNREACHABLE naming the address', async () => {
    for (const netError of ['net::ERR_CONNECTION_REFUSED', null]) {
      const { api } = client(() => Promise.reject(new TypeError('Failed to fetch')), netError);
      const e = await failure(api.checkServer());
      expect(e.code).toBe('SERVER_UNREACHABLE');
      expect(errorMessage(e.code, e.detail)).toContain(`cannot reach a server at ${BASE}`);
    }
  });

  it('a timeout is SERVER_UNREACHABLE without asking the browser', async () => {
    const { api, asked } = client(() => Promise.reject(new DOMException('timed out', 'TimeoutError')));
    expect((await failure(api.checkServer())).code).toBe('SERVER_UNREACHABLE');
    expect(asked).toEqual([]);
  });
});

describe('ApiClient.checkServer', () => {
  it('accepts a Keyhold server speaking our protocol', async () => {
    const { api } = client((url) => (url === `${BASE}/v1/meta` ? json(META) : html(404)));
    // A server without a policy (older than it) is held to the default one.
    await expect(api.checkServer()).resolves.toEqual({ policy: DEFAULT_POLICY });
    const strict = { ...DEFAULT_POLICY, passwordMinLength: 20, passwordReminderDays: 180 };
    const { api: strictApi } = client(() => json({ ...META, policy: strict }));
    await expect(strictApi.checkServer()).resolves.toEqual({ policy: strict });
  });

  it('refuses a policy outside what the extension can follow as a reply that is not Keyhold', async () => {
    const { api } = client(() => json({ ...META, policy: { ...DEFAULT_POLICY, passwordMinLength: 2 } }));
    await expect(api.checkServer()).rejects.toMatchObject({ code: 'NOT_KEYHOLD' });
  });

  it('refuses another service, a wrong path on a Keyhold server, and a JSON API that is not Keyhold', async () => {
    const answers = [
      () => json({ ...META, service: 'other' }),
      () => json({ error: { code: 'NOT_FOUND', message: 'No such route.' } }, 404),
      () => json({ status: 'ok' }),
      () => html(404),
    ];
    for (const answer of answers) {
      const { api } = client(answer);
      expect((await failure(api.checkServer())).code).toBe('NOT_KEYHOLD');
    }
  });

  it('tells a server too old from one that needs a newer extension', async () => {
    const old = client(() =>
      json({
        service: 'keyhold',
        protocol: { version: CLIENT_PROTOCOL.minServerVersion - 1, minClientVersion: 0 },
      }),
    );
    const tooOld = await failure(old.api.checkServer());
    expect(tooOld.code).toBe('SERVER_TOO_OLD');
    expect(errorMessage(tooOld.code, tooOld.detail)).toMatch(
      new RegExp(
        `^The Keyhold server at ${BASE} is too old for this extension \\(the server speaks protocol 0`,
      ),
    );

    const next = CLIENT_PROTOCOL.version + 1;
    const newer = client(() =>
      json({ service: 'keyhold', protocol: { version: next, minClientVersion: next } }),
    );
    const tooNew = await failure(newer.api.checkServer());
    expect(tooNew.code).toBe('SERVER_TOO_NEW');
    expect(errorMessage(tooNew.code, tooNew.detail)).toContain(
      `The Keyhold server at ${BASE} needs a newer Keyhold extension`,
    );
  });

  it('accepts a newer server that still speaks our protocol', async () => {
    const next = CLIENT_PROTOCOL.version + 1;
    const { api } = client(() =>
      json({ service: 'keyhold', protocol: { version: next, minClientVersion: CLIENT_PROTOCOL.version } }),
    );
    await expect(api.checkServer()).resolves.toEqual({ policy: DEFAULT_POLICY });
  });
});

describe('retryAfterSeconds', () => {
  it('reads delta-seconds and HTTP dates, and nothing else', () => {
    const now = Date.parse('2030-01-01T00:00:00Z');
    expect(retryAfterSeconds('120', now)).toBe(120);
    expect(retryAfterSeconds('Tue, 01 Jan 2030 00:01:30 GMT', now)).toBe(90);
    expect(retryAfterSeconds(null, now)).toBeUndefined();
    expect(retryAfterSeconds('soon', now)).toBeUndefined();
  });
});
