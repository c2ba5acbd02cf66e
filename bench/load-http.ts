/**
 * The load test's HTTP side (bench/load.ts): keep-alive requests over node:http and event streams
 * read the way the extension reads them (no EventSource). Nothing here times anything: the
 * probes (load-probes.ts) put the clock around these calls.
 */
import http from 'node:http';
import { parseSseBlock, type SseEvent } from '../server/test-support/push.ts';

export interface HttpReply {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

export interface RequestInit {
  method: string;
  headers: Record<string, string>;
  body?: string;
  /** The whole exchange, connection included; then the request fails with `timeout`. */
  timeoutMs: number;
}

/** A failure below HTTP (refused, reset, timed out): `kind` names it for the error counts. */
export class TransportError extends Error {
  constructor(
    readonly kind: 'timeout' | 'reset' | 'refused' | 'transport',
    message: string,
  ) {
    super(message);
  }
}

/** A reset on a kept-alive socket before any answer: the server closed it as the request left. */
class StaleSocketError extends TransportError {
  constructor(message: string) {
    super('reset', message);
  }
}

const transportKind = (error: NodeJS.ErrnoException): TransportError['kind'] =>
  error.code === 'ECONNRESET' || error.code === 'EPIPE'
    ? 'reset'
    : error.code === 'ECONNREFUSED'
      ? 'refused'
      : 'transport';

/**
 * One device's connection to its server: requests go out one at a time over a single kept-alive
 * socket, as a browser's would, so a reply's time is the server's and the network's, never a
 * queue inside this client. Node's agent honours the server's `Keep-Alive: timeout=…` hint and
 * drops an idle socket before the server does.
 */
export class HttpClient {
  readonly #agent = new http.Agent({ keepAlive: true, maxSockets: 1, maxFreeSockets: 1 });

  /**
   * Requests sent again because the server had closed their kept-alive socket just as they went
   * out (what browsers do too, Node's documentation on `reusedSocket`): counted, not hidden.
   */
  retriedOnStaleSocket = 0;

  async request(url: URL, init: RequestInit): Promise<HttpReply> {
    try {
      return await this.#send(url, init);
    } catch (error) {
      if (!(error instanceof StaleSocketError)) throw error;
      this.retriedOnStaleSocket += 1;
      return this.#send(url, init);
    }
  }

  #send(url: URL, init: RequestInit): Promise<HttpReply> {
    return new Promise((resolve, reject) => {
      const headers: Record<string, string> = { ...init.headers };
      if (init.body !== undefined) headers['content-length'] = String(Buffer.byteLength(init.body));
      const req = http.request(url, { method: init.method, headers, agent: this.#agent }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => {
          clearTimeout(timer);
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            body: Buffer.concat(chunks).toString('utf8'),
          });
        });
        res.on('error', (error: NodeJS.ErrnoException) => {
          clearTimeout(timer);
          reject(new TransportError(transportKind(error), error.message));
        });
      });
      const timer = setTimeout(() => {
        req.destroy();
        reject(
          new TransportError('timeout', `${init.method} ${url.pathname}: no reply in ${init.timeoutMs} ms`),
        );
      }, init.timeoutMs);
      let answered = false;
      req.on('response', () => {
        answered = true;
      });
      req.on('error', (error: NodeJS.ErrnoException) => {
        clearTimeout(timer);
        const kind = transportKind(error);
        reject(
          kind === 'reset' && req.reusedSocket && !answered
            ? new StaleSocketError(error.message)
            : new TransportError(kind, error.message),
        );
      });
      req.end(init.body);
    });
  }

  close(): void {
    this.#agent.destroy();
  }
}

export type StreamEvent = SseEvent;

export interface EventStreamHandle {
  /** Resolves when the answer's status line and headers have arrived (before `hello`). */
  readonly headers: Promise<void>;
  /** Resolves with the `hello` event's data, rejects when the stream is refused or fails first. */
  readonly hello: Promise<{ revision: number }>;
  /** Resolves once the stream has ended, however: `bye` reason, 'closed' (by us) or 'dropped'. */
  readonly ended: Promise<string>;
  close(): void;
}

/**
 * Opens `GET url` as an event stream on its own connection (a stream holds its socket for as
 * long as it lives). `onEvent` hears every event after `hello`.
 */
export function openEventStream(
  url: URL,
  headers: Record<string, string>,
  onEvent: (event: StreamEvent) => void,
  timeoutMs: number,
): EventStreamHandle {
  let settleHello!: { resolve: (v: { revision: number }) => void; reject: (e: Error) => void };
  const hello = new Promise<{ revision: number }>((resolve, reject) => {
    settleHello = { resolve, reject };
  });
  // The caller may close before anyone awaits hello: its rejection must not go unhandled.
  hello.catch(() => {});
  let finish!: (reason: string) => void;
  const ended = new Promise<string>((resolve) => {
    finish = resolve;
  });
  let headersArrived!: () => void;
  const answered = new Promise<void>((resolve) => {
    headersArrived = resolve;
  });
  let helloSeen = false;
  let bye: string | undefined;
  let closedByUs = false;
  const req = http.request(url, {
    method: 'GET',
    headers: { accept: 'text/event-stream', ...headers },
    agent: false,
  });
  const timer = setTimeout(() => {
    settleHello.reject(new TransportError('timeout', `no hello in ${timeoutMs} ms`));
    req.destroy();
  }, timeoutMs);
  const end = (reason: string) => {
    clearTimeout(timer);
    if (!helloSeen)
      settleHello.reject(new TransportError('transport', `stream ended before hello (${reason})`));
    finish(bye ?? (closedByUs ? 'closed' : reason));
  };
  req.on('response', (res) => {
    headersArrived();
    if (res.statusCode !== 200) {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => {
        clearTimeout(timer);
        settleHello.reject(new HttpStatusError(res.statusCode ?? 0, Buffer.concat(chunks).toString('utf8')));
        finish('refused');
      });
      return;
    }
    res.setEncoding('utf8');
    let buffer = '';
    res.on('data', (chunk: string) => {
      buffer += chunk;
      for (let cut = buffer.indexOf('\n\n'); cut !== -1; cut = buffer.indexOf('\n\n')) {
        const block = buffer.slice(0, cut);
        buffer = buffer.slice(cut + 2);
        const event = parseSseBlock(block);
        if (!event) continue;
        if (event.event === 'hello' && !helloSeen) {
          helloSeen = true;
          clearTimeout(timer);
          settleHello.resolve(event.data as { revision: number });
          continue;
        }
        if (event.event === 'bye') bye = String((event.data as { reason?: unknown }).reason);
        onEvent(event);
      }
    });
    res.on('end', () => end('dropped'));
    res.on('error', () => end('dropped'));
    res.on('close', () => end('dropped'));
  });
  req.on('error', (error: NodeJS.ErrnoException) => {
    if (!helloSeen && !closedByUs)
      settleHello.reject(new TransportError(transportKind(error), error.message));
    end('dropped');
  });
  req.end();
  return {
    headers: answered,
    hello,
    ended,
    close() {
      closedByUs = true;
      req.destroy();
    },
  };
}

/** An answer with an unexpected status; `code` is the error code of a JSON error body, if any. */
export class HttpStatusError extends Error {
  readonly code: string | undefined;
  constructor(
    readonly status: number,
    body: string,
  ) {
    let code: string | undefined;
    try {
      code = (JSON.parse(body) as { error?: { code?: string } }).error?.code;
    } catch {
      code = undefined;
    }
    super(`HTTP ${status}${code ? ` ${code}` : ''}`);
    this.code = code;
  }
}
