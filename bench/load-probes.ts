/**
 * The load test's measurements (bench/load.ts): every request a device makes is a probe, signed
 * with a DPoP proof before its clock starts, timed from sending to the last byte of the answer
 * (an event stream: to its `hello`), and recorded under its route. A GET /v1/sync/changes is a
 * `poll` when it answers "nothing changed" and a `pull` when it carries items: two different
 * paths through the server.
 */
import { createHash, generateKeyPairSync, type KeyObject, randomBytes, randomUUID, sign } from 'node:crypto';
import {
  type EventStreamHandle,
  type HttpClient,
  HttpStatusError,
  openEventStream,
  type StreamEvent,
  TransportError,
} from './load-http.ts';

export const ROUTES = ['poll', 'pull', 'push', 'stream'] as const;
export type Route = (typeof ROUTES)[number];

/**
 * A device's DPoP key (P-256) and the proofs it signs (RFC 9449 §4.2: the same claims as
 * server/test-support/dpop.ts, which the server's own tests use), signed with node:crypto in this
 * thread: a WebCrypto signature costs this process several times more, and every microsecond the
 * generator spends is taken from the servers it measures on the same cores.
 */
export class DeviceKey {
  readonly #privateKey: KeyObject;
  readonly #header: string;
  readonly #ath = new Map<string, string>();

  constructor() {
    const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    this.#privateKey = privateKey;
    const { kty, crv, x, y } = publicKey.export({ format: 'jwk' });
    const header = { alg: 'ES256', typ: 'dpop+jwt', jwk: { kty, crv, x, y } };
    this.#header = Buffer.from(JSON.stringify(header)).toString('base64url');
  }

  /** A proof for `method` `url` (query dropped), bound to `accessToken` when one is given. */
  proof(method: string, url: string, accessToken?: string): string {
    const { protocol, host, pathname } = new URL(url);
    const claims: Record<string, string | number> = {
      htm: method,
      htu: `${protocol}//${host}${pathname}`,
      iat: Math.floor(Date.now() / 1000),
      jti: randomUUID(),
    };
    if (accessToken !== undefined) claims.ath = this.#athOf(accessToken);
    const input = `${this.#header}.${Buffer.from(JSON.stringify(claims)).toString('base64url')}`;
    const signature = sign('sha256', Buffer.from(input), {
      key: this.#privateKey,
      dsaEncoding: 'ieee-p1363',
    });
    return `${input}.${signature.toString('base64url')}`;
  }

  #athOf(token: string): string {
    let ath = this.#ath.get(token);
    if (!ath) {
      ath = createHash('sha256').update(token).digest('base64url');
      this.#ath.set(token, ath);
    }
    return ath;
  }
}

/** What a device signs with and sends to. */
export interface ProbeTarget {
  client: HttpClient;
  /** `http://127.0.0.1:<port>` of the device's server process. */
  baseUrl: string;
  key: DeviceKey;
  accessToken: string;
  timeoutMs: number;
}

export interface RouteSummary {
  count: number;
  p50Ms: number;
  p95Ms: number;
  p99Ms: number;
  maxMs: number;
}

const round1 = (x: number) => Math.round(x * 10) / 10;

/** Nearest-rank percentile of sorted values. */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1] ?? Number.NaN;
}

export function summarize(values: readonly number[]): RouteSummary {
  const sorted = [...values].sort((a, b) => a - b);
  return {
    count: sorted.length,
    p50Ms: round1(percentile(sorted, 50)),
    p95Ms: round1(percentile(sorted, 95)),
    p99Ms: round1(percentile(sorted, 99)),
    maxMs: round1(sorted.at(-1) ?? Number.NaN),
  };
}

/**
 * Latencies by route, kept only while `measuring` (after the ramp, until the end of the run), and
 * errors by route and kind, kept from the first device's start to the last one's stop.
 */
export class Recorder {
  measuring = false;
  counting = false;
  readonly samples: Record<Route, number[]> = { poll: [], pull: [], push: [], stream: [] };
  readonly errors = new Map<string, number>();
  readonly examples: string[] = [];
  /**
   * Times kept beside the routes', without an objective: sign-in and sign-out (a sign-in pays for
   * scrypt by design) and parts of a route's time (a stream's headers before its `hello`).
   */
  readonly alsoMeasured = new Map<string, number[]>();

  note(name: string, ms: number): void {
    if (!this.measuring) return;
    const list = this.alsoMeasured.get(name) ?? [];
    list.push(ms);
    this.alsoMeasured.set(name, list);
  }

  record(route: Route, ms: number): void {
    if (this.measuring) this.samples[route].push(ms);
  }

  fail(route: string, kind: string, detail: string): void {
    if (!this.counting && route !== 'check') return;
    const key = `${route}:${kind}`;
    this.errors.set(key, (this.errors.get(key) ?? 0) + 1);
    if (this.examples.length < 20) this.examples.push(`${key} ${detail}`);
  }

  /** A failed probe, named by what failed: an HTTP status (and error code) or the transport. */
  failWith(route: string, error: unknown): void {
    if (error instanceof HttpStatusError)
      this.fail(route, `${error.status}${error.code ? ` ${error.code}` : ''}`, '');
    else if (error instanceof TransportError) this.fail(route, error.kind, error.message);
    else this.fail(route, 'client', error instanceof Error ? error.message : String(error));
  }

  get errorCount(): number {
    let total = 0;
    for (const count of this.errors.values()) total += count;
    return total;
  }
}

const signed = (target: ProbeTarget, method: string, url: string) => ({
  authorization: `DPoP ${target.accessToken}`,
  dpop: target.key.proof(method, url, target.accessToken),
});

export interface ChangesReply {
  revision: number;
  items: Array<{ id: string; revision: number }>;
  hasMore: boolean;
}

/**
 * One DPoP-signed request on the target's connection, timed from sending to the whole answer (the
 * proof is made before the clock starts). Any status but `expected` throws HttpStatusError.
 */
async function timedCall(
  target: ProbeTarget,
  method: 'GET' | 'POST' | 'DELETE',
  url: string,
  expected: number,
  body?: string,
): Promise<{ body: string; ms: number }> {
  const headers = {
    ...signed(target, method, url),
    ...(body === undefined ? {} : { 'content-type': 'application/json' }),
  };
  const t0 = performance.now();
  const reply = await target.client.request(new URL(url), {
    method,
    headers,
    ...(body === undefined ? {} : { body }),
    timeoutMs: target.timeoutMs,
  });
  const ms = performance.now() - t0;
  if (reply.status !== expected) throw new HttpStatusError(reply.status, reply.body);
  return { body: reply.body, ms };
}

/** GET /v1/sync/changes?since=…: recorded as `poll` (no items) or `pull` (items). Unrecorded when `recorder` is null. */
export async function probeChanges(
  target: ProbeTarget,
  recorder: Recorder | null,
  since: number,
  limit: number,
): Promise<ChangesReply> {
  const url = `${target.baseUrl}/v1/sync/changes?since=${since}&limit=${limit}`;
  const reply = await timedCall(target, 'GET', url, 200);
  const body = JSON.parse(reply.body) as ChangesReply;
  recorder?.record(body.items.length === 0 ? 'poll' : 'pull', reply.ms);
  return body;
}

export interface PushChange {
  id: string;
  baseRevision: number;
  deleted: boolean;
  keyVersion: number;
  ciphertext: string | null;
}

export interface PushReply {
  revision: number;
  results: Array<{ id: string; status: 'applied'; revision: number } | { id: string; status: 'conflict' }>;
}

/** POST /v1/sync/push, recorded as `push` (unrecorded when `recorder` is null). */
export async function probePush(
  target: ProbeTarget,
  recorder: Recorder | null,
  changes: PushChange[],
): Promise<PushReply> {
  const url = `${target.baseUrl}/v1/sync/push`;
  const reply = await timedCall(target, 'POST', url, 200, JSON.stringify({ changes }));
  recorder?.record('push', reply.ms);
  return JSON.parse(reply.body) as PushReply;
}

/** GET /v1/sync/events, recorded as `stream`: the time from sending to its `hello`. */
export async function probeStream(
  target: ProbeTarget,
  recorder: Recorder,
  onEvent: (event: StreamEvent) => void,
): Promise<{ handle: EventStreamHandle; revision: number }> {
  const url = `${target.baseUrl}/v1/sync/events`;
  const headers = signed(target, 'GET', url);
  const t0 = performance.now();
  const handle = openEventStream(new URL(url), headers, onEvent, target.timeoutMs);
  void handle.headers.then(() => recorder.note('stream.headers', performance.now() - t0));
  const { revision } = await handle.hello;
  recorder.record('stream', performance.now() - t0);
  return { handle, revision };
}

export interface AccountCredentials {
  accountId: string;
  email: string;
  authKey: string;
}

/**
 * POST /v1/sessions with a new DPoP key, as an unlock does: a new device session. Noted as
 * `sign-in` (when `recorder` is given), not an objective: it pays for the auth key's scrypt.
 */
export async function probeSignIn(
  client: HttpClient,
  baseUrl: string,
  account: AccountCredentials,
  timeoutMs: number,
  recorder: Recorder | null,
): Promise<{ key: DeviceKey; accessToken: string }> {
  const key = new DeviceKey();
  const url = `${baseUrl}/v1/sessions`;
  const headers = { 'content-type': 'application/json', dpop: key.proof('POST', url) };
  const body = JSON.stringify({ email: account.email, authKey: account.authKey });
  const t0 = performance.now();
  const reply = await client.request(new URL(url), { method: 'POST', headers, body, timeoutMs });
  const ms = performance.now() - t0;
  if (reply.status !== 200) throw new HttpStatusError(reply.status, reply.body);
  recorder?.note('sign-in', ms);
  return { key, accessToken: String((JSON.parse(reply.body) as { accessToken: unknown }).accessToken) };
}

/** DELETE /v1/sessions/current, as a lock does: the session ends. Noted as `sign-out`. */
export async function probeSignOut(target: ProbeTarget, recorder: Recorder): Promise<void> {
  const url = `${target.baseUrl}/v1/sessions/current`;
  const reply = await timedCall(target, 'DELETE', url, 204);
  recorder.note('sign-out', reply.ms);
}

/**
 * What an item's ciphertext looks like on the wire (docs/protocol.md): a wrapped item key and a
 * sealed body, "k1.…~k1.…", of random bytes the size of a real login item. The server never reads
 * it, so random bytes cost it exactly what a real item would.
 */
export const sealedLooking = (bodyBytes = 420) =>
  `k1.${randomBytes(12 + bodyBytes + 16).toString('base64url')}~k1.${randomBytes(12 + 32 + 16).toString('base64url')}`;
