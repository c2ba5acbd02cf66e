import { describe, expect, it, vi } from 'vitest';
import { PushChannel, type PushChannelDeps } from './push-channel.ts';

/** A response whose body is fed by the test, like a live SSE stream. */
function streamResponse(status = 200) {
  let push!: (chunk: string) => void;
  let end!: () => void;
  const body = new ReadableStream<Uint8Array>({
    start(controller) {
      const encoder = new TextEncoder();
      push = (chunk) => controller.enqueue(encoder.encode(chunk));
      end = () => controller.close();
    },
  });
  return {
    response: new Response(body, { status, headers: { 'content-type': 'text/event-stream' } }),
    push,
    end,
  };
}

const tick = () => new Promise((r) => setTimeout(r, 5));
async function until(check: () => boolean) {
  for (let i = 0; i < 200 && !check(); i++) await tick();
  expect(check()).toBe(true);
}

function setup(overrides: Partial<PushChannelDeps> = {}) {
  const revisions: number[] = [];
  const sleeps: number[] = [];
  const deps: PushChannelDeps = {
    auth: vi.fn(async () => ({ serverUrl: 'http://127.0.0.1:1', accessToken: 'tok' })),
    onRevision: (r) => revisions.push(r),
    fetch: vi.fn(),
    authHeaders: async (_url, token) => ({ authorization: `DPoP ${token}`, dpop: 'proof' }),
    keepAlive: vi.fn(),
    random: () => 1,
    sleep: async (ms) => {
      sleeps.push(ms);
      await tick();
    },
    ...overrides,
  };
  return { channel: new PushChannel(deps), deps, revisions, sleeps };
}

describe('PushChannel', () => {
  it('sends the token in the Authorization header only and reports hello/changed revisions', async () => {
    const stream = streamResponse();
    const fetch = vi.fn(async () => stream.response);
    const { channel, revisions, deps } = setup({ fetch: fetch as unknown as typeof globalThis.fetch });
    channel.ensureRunning();
    await until(() => fetch.mock.calls.length === 1);
    const [url, init] = fetch.mock.calls[0] as unknown as [string, RequestInit];
    expect(url).toBe('http://127.0.0.1:1/v1/sync/events');
    expect(url).not.toContain('tok');
    expect((init.headers as Record<string, string>).authorization).toBe('DPoP tok');
    expect((init.headers as Record<string, string>).dpop).toBe('proof');

    stream.push('event: hello\ndata: {"revision":3}\n\n: comment\n\nevent: ping\ndata: {}\n\n');
    stream.push('event: changed\ndata: {"revi');
    stream.push('sion":7}\n\n');
    await until(() => revisions.length === 2);
    expect(revisions).toEqual([3, 7]);
    expect(deps.keepAlive).toHaveBeenCalled();
    channel.stop();
  });

  it('reports other devices signing in and why the stream ends; refuses malformed ones', async () => {
    const stream = streamResponse();
    const sessions: { sessionId: string; kind: string }[] = [];
    const byes: string[] = [];
    const { channel } = setup({
      fetch: (async () => stream.response) as unknown as typeof globalThis.fetch,
      onSession: (e) => sessions.push(e),
      onBye: (reason) => byes.push(reason),
    });
    channel.ensureRunning();
    const id = '5D6E7F80-91A2-4B3C-8D4E-5F6071829304';
    stream.push(`event: session\ndata: {"sessionId":"${id}","kind":"signed-in"}\n\n`);
    stream.push('event: session\ndata: {"sessionId":"not-a-uuid","kind":"signed-in"}\n\n');
    stream.push(`event: session\ndata: {"sessionId":"${id}","kind":"hacked"}\n\n`);
    stream.push('event: session\ndata: {"sessionId":\n\n');
    stream.push(`event: session\ndata: {"sessionId":"${id}","kind":"named"}\n\n`);
    stream.push('event: bye\ndata: {"reason":"<script>"}\n\n');
    stream.push('event: bye\ndata: {"reason":"remote-logout"}\n\n');
    await until(() => byes.length === 1);
    expect(sessions).toEqual([
      { sessionId: id.toLowerCase(), kind: 'signed-in' },
      { sessionId: id.toLowerCase(), kind: 'named' },
    ]);
    expect(byes).toEqual(['remote-logout']);
    channel.stop();
  });

  it('ignores malformed events without dropping the stream', async () => {
    const stream = streamResponse();
    const { channel, revisions } = setup({
      fetch: (async () => stream.response) as unknown as typeof globalThis.fetch,
    });
    channel.ensureRunning();
    await until(() => channel.state === 'open');
    stream.push('event: changed\ndata: not json\n\nevent: changed\ndata: {"revision":-1}\n\n');
    stream.push('event: changed\ndata: {"revision":9}\n\n');
    await until(() => revisions.length === 1);
    expect(revisions).toEqual([9]);
    channel.stop();
  });

  it('renews the token after a 401 and reconnects', async () => {
    const ok = streamResponse();
    const responses = [new Response(null, { status: 401 }), ok.response];
    const fetch = vi.fn(async () => responses.shift() as Response);
    const auth = vi.fn(async (_renew: boolean) => ({ serverUrl: 'http://s', accessToken: 'tok' }));
    const { channel } = setup({ fetch: fetch as unknown as typeof globalThis.fetch, auth });
    channel.ensureRunning();
    await until(() => channel.state === 'open');
    expect(auth.mock.calls.map((c) => c[0])).toEqual([false, true]);
    channel.stop();
  });

  it('answers a use_dpop_nonce challenge at once with a new proof, without renewing the token', async () => {
    const ok = streamResponse();
    const challenge = new Response(null, {
      status: 401,
      headers: { 'DPoP-Nonce': 'n1', 'WWW-Authenticate': 'DPoP error="use_dpop_nonce"' },
    });
    const responses = [challenge, ok.response];
    const fetch = vi.fn(async () => responses.shift() as Response);
    const auth = vi.fn(async (_renew: boolean) => ({ serverUrl: 'http://s', accessToken: 'tok' }));
    const seen: (string | null)[] = [];
    const authHeaders = vi.fn(async () => ({
      authorization: 'DPoP tok',
      dpop: `proof-${authHeaders.mock.calls.length}`,
    }));
    const { channel, sleeps } = setup({
      fetch: fetch as unknown as typeof globalThis.fetch,
      auth,
      authHeaders,
      onResponse: (_url, response) => seen.push(response.headers.get('dpop-nonce')),
    });
    channel.ensureRunning();
    await until(() => channel.state === 'open');
    expect(auth.mock.calls.map((c) => c[0])).toEqual([false]);
    expect(authHeaders).toHaveBeenCalledTimes(2);
    expect(seen).toEqual(['n1', null]);
    expect(sleeps).toEqual([]);
    channel.stop();
  });

  it('backs off exponentially while the server is unreachable, capped at a minute', async () => {
    let calls = 0;
    const fetch = vi.fn(async () => {
      calls++;
      throw new TypeError('Failed to fetch');
    });
    const { channel, sleeps } = setup({ fetch: fetch as unknown as typeof globalThis.fetch });
    channel.ensureRunning();
    await until(() => calls >= 9);
    channel.stop();
    expect(sleeps.slice(0, 8)).toEqual([2_000, 4_000, 8_000, 16_000, 32_000, 60_000, 60_000, 60_000]);
  });

  it('stops when the vault is locked (auth gives null) and on stop()', async () => {
    const fetch = vi.fn();
    const { channel } = setup({ auth: async () => null, fetch });
    channel.ensureRunning();
    await until(() => channel.state === 'stopped');
    expect(fetch).not.toHaveBeenCalled();

    const stream = streamResponse();
    const second = setup({ fetch: (async () => stream.response) as unknown as typeof globalThis.fetch });
    second.channel.ensureRunning();
    await until(() => second.channel.state === 'open');
    second.channel.stop();
    expect(second.channel.state).toBe('stopped');
  });

  it('reconnects quickly after a stream that was open ends (server restart)', async () => {
    const first = streamResponse();
    const second = streamResponse();
    const responses = [first.response, second.response];
    const fetch = vi.fn(async () => responses.shift() as Response);
    const { channel, sleeps } = setup({ fetch: fetch as unknown as typeof globalThis.fetch });
    channel.ensureRunning();
    await until(() => channel.state === 'open');
    first.end();
    await until(() => fetch.mock.calls.length === 2);
    expect(sleeps).toEqual([1_000]);
    channel.stop();
  });
});
