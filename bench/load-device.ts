/**
 * One simulated device of the load test (bench/load.ts), doing what the extension does, faster:
 * it holds the push channel open (re-opening it now and then, as a restarted worker would), polls
 * for changes on a timer, pushes an edit of one of its items now and then, and pulls whenever its
 * stream says the account moved past what it holds. Its requests go out one at a time on one
 * kept-alive connection; every one is signed with the device's own DPoP key.
 */
import { randomUUID } from 'node:crypto';
import { HttpClient, HttpStatusError, type StreamEvent } from './load-http.ts';
import {
  type AccountCredentials,
  type ChangesReply,
  type ProbeTarget,
  type PushChange,
  probeChanges,
  probePush,
  probeSignIn,
  probeSignOut,
  probeStream,
  type Recorder,
  sealedLooking,
} from './load-probes.ts';
import { randomAccount } from './random-account.ts';

export interface DeviceRates {
  /** Mean time between two timer polls (each interval drawn from 0.5–1.5 × this). */
  pollMs: number;
  /** Mean time between two pushes of one edit. */
  pushMs: number;
  /** Mean lifetime of one event stream before the device opens a new one. */
  streamMs: number;
  /** A request (or a stream's `hello`) that takes longer fails as `timeout`. */
  timeoutMs: number;
  /**
   * Mean time between two sign-ins of a device (0: never), as an unlock after a lock does: a new
   * session with a new key, the stream reopened on it, the old session signed out.
   */
  signInMs: number;
}

const PULL_LIMIT = 500;
const RETRY_STREAM_MS = 1_000;

const jittered = (meanMs: number) => meanMs * (0.5 + Math.random());

async function postJson(
  client: HttpClient,
  url: string,
  body: unknown,
  headers: Record<string, string>,
  timeoutMs: number,
) {
  const reply = await client.request(new URL(url), {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
    timeoutMs,
  });
  if (reply.status < 200 || reply.status > 299) throw new HttpStatusError(reply.status, reply.body);
  return JSON.parse(reply.body) as Record<string, unknown>;
}

/**
 * A new account whose keys are random bytes: the server cannot tell them from real ones, and the
 * load test pays for no KDF.
 */
export async function registerAccount(baseUrl: string, timeoutMs: number): Promise<AccountCredentials> {
  const client = new HttpClient();
  try {
    const { body, credentials } = randomAccount('load');
    await postJson(client, `${baseUrl}/v1/accounts`, body, {}, timeoutMs);
    return credentials;
  } finally {
    client.close();
  }
}

export class LoadDevice {
  /** The revision this device has pulled through. */
  cursor = 0;
  /** The highest revision its stream announced. */
  heard = 0;
  readonly #items = new Map<string, number>();
  #target: ProbeTarget;
  readonly #account: AccountCredentials;
  readonly #recorder: Recorder;
  readonly #rates: DeviceRates;
  readonly #timers = new Set<NodeJS.Timeout>();
  #wantSignIn = false;
  #wantPush = false;
  #wantChanges = false;
  #working: Promise<void> | undefined;
  #stream: { close(): void } | undefined;
  /** Counts stream openings: an opening that finishes after a newer one began is dropped. */
  #streamGeneration = 0;
  #stopped = false;
  pushes = 0;
  streamsOpened = 0;
  signIns = 0;

  private constructor(
    readonly index: number,
    account: AccountCredentials,
    target: ProbeTarget,
    recorder: Recorder,
    rates: DeviceRates,
  ) {
    this.#account = account;
    this.#target = target;
    this.#recorder = recorder;
    this.#rates = rates;
  }

  /** Requests re-sent once after a kept-alive socket closed under them (load-http.ts). */
  get staleSocketRetries(): number {
    return this.#target.client.retriedOnStaleSocket;
  }

  get accountId(): string {
    return this.#account.accountId;
  }

  get baseUrl(): string {
    return this.#target.baseUrl;
  }

  /** Signs in to `baseUrl` as a new device session of `account`, with a new DPoP key. */
  static async signIn(
    index: number,
    baseUrl: string,
    account: AccountCredentials,
    recorder: Recorder,
    rates: DeviceRates,
  ): Promise<LoadDevice> {
    const client = new HttpClient();
    const { key, accessToken } = await probeSignIn(client, baseUrl, account, rates.timeoutMs, null);
    return new LoadDevice(
      index,
      account,
      { client, baseUrl, key, accessToken, timeoutMs: rates.timeoutMs },
      recorder,
      rates,
    );
  }

  /** Unrecorded set-up: `count` new items in one push. */
  async seed(count: number): Promise<void> {
    const changes = Array.from({ length: count }, () => this.#newItem());
    this.#apply(await probePush(this.#target, null, changes), changes);
  }

  /** Unrecorded: pulls everything up to the account's current revision. */
  async catchUp(): Promise<number> {
    for (;;) {
      const reply = await probeChanges(this.#target, null, this.cursor, PULL_LIMIT);
      this.#took(reply);
      if (!reply.hasMore) return this.cursor;
    }
  }

  /** Opens the stream and starts the timers, each at a random point of its first interval. */
  start(): void {
    void this.#openStream();
    this.#every(this.#rates.pollMs, () => {
      this.#wantChanges = true;
      this.#kick();
    });
    this.#every(this.#rates.pushMs, () => {
      this.#wantPush = true;
      this.#kick();
    });
    this.#every(this.#rates.streamMs, () => void this.#openStream());
    if (this.#rates.signInMs > 0) {
      this.#every(this.#rates.signInMs, () => {
        this.#wantSignIn = true;
        this.#kick();
      });
    }
  }

  /** Stops the timers and the stream, then waits for the request in flight. */
  async stop(): Promise<void> {
    this.#stopped = true;
    for (const timer of this.#timers) clearTimeout(timer);
    this.#timers.clear();
    this.#stream?.close();
    this.#stream = undefined;
    await this.#working;
  }

  close(): void {
    this.#target.client.close();
  }

  #every(meanMs: number, tick: () => void) {
    const schedule = (delay: number) => {
      const timer = setTimeout(() => {
        this.#timers.delete(timer);
        if (this.#stopped) return;
        tick();
        schedule(jittered(meanMs));
      }, delay);
      this.#timers.add(timer);
    };
    schedule(Math.random() * meanMs);
  }

  /** Runs wanted work one request at a time: a sign-in first, then a push, then changes. */
  #kick() {
    if (this.#working || this.#stopped) return;
    this.#working = (async () => {
      while (!this.#stopped && (this.#wantSignIn || this.#wantPush || this.#wantChanges)) {
        if (this.#wantSignIn) {
          this.#wantSignIn = false;
          await this.#signInAgain();
        } else if (this.#wantPush) {
          this.#wantPush = false;
          await this.#push();
        } else {
          this.#wantChanges = false;
          await this.#changes();
        }
      }
    })().finally(() => {
      this.#working = undefined;
    });
  }

  /** A new session (new key), the stream moved to it, then the old session signed out. */
  async #signInAgain() {
    const old = this.#target;
    let fresh: Awaited<ReturnType<typeof probeSignIn>>;
    try {
      fresh = await probeSignIn(old.client, old.baseUrl, this.#account, old.timeoutMs, this.#recorder);
    } catch (error) {
      this.#recorder.failWith('sign-in', error);
      return;
    }
    this.#target = { ...old, ...fresh };
    this.signIns += 1;
    // Closes the old session's stream before that session ends (its `bye` would count as an error).
    void this.#openStream();
    try {
      await probeSignOut(old, this.#recorder);
    } catch (error) {
      this.#recorder.failWith('sign-out', error);
    }
  }

  async #changes() {
    const behind = this.heard > this.cursor;
    try {
      for (;;) {
        const reply = await probeChanges(this.#target, this.#recorder, this.cursor, PULL_LIMIT);
        this.#took(reply);
        if (!reply.hasMore || this.#stopped) return;
      }
    } catch (error) {
      this.#recorder.failWith(behind ? 'pull' : 'poll', error);
    }
  }

  #took(reply: ChangesReply) {
    for (const item of reply.items) {
      const known = this.#items.get(item.id);
      if (known !== undefined && item.revision > known) this.#items.set(item.id, item.revision);
    }
    this.cursor = Math.max(this.cursor, reply.revision);
  }

  /** One edit: a new item while the device has few, otherwise a new version of one of its own. */
  async #push() {
    const own = [...this.#items.keys()];
    let change: PushChange;
    if (own.length < 3 || Math.random() < 0.2) change = this.#newItem();
    else {
      const id = own[Math.floor(Math.random() * own.length)] ?? '';
      change = {
        id,
        baseRevision: this.#items.get(id) ?? 0,
        deleted: false,
        keyVersion: 1,
        ciphertext: sealedLooking(),
      };
    }
    try {
      this.#apply(await probePush(this.#target, this.#recorder, [change]), [change]);
      this.pushes += 1;
    } catch (error) {
      this.#recorder.failWith('push', error);
    }
  }

  #newItem(): PushChange {
    return { id: randomUUID(), baseRevision: 0, deleted: false, keyVersion: 1, ciphertext: sealedLooking() };
  }

  #apply(reply: Awaited<ReturnType<typeof probePush>>, changes: PushChange[]) {
    for (const result of reply.results) {
      if (result.status === 'applied') this.#items.set(result.id, result.revision);
      // Only this device edits its items: a conflict would mean an acknowledged write was lost.
      else this.#recorder.fail('push', 'conflict', `device ${this.index}, item ${result.id}`);
    }
    if (reply.results.length !== changes.length)
      this.#recorder.fail('push', 'results', 'one result per change expected');
  }

  /** Replaces the current stream (if any) by a new one; a failed open is retried after a second. */
  async #openStream(): Promise<void> {
    if (this.#stopped) return;
    this.#stream?.close();
    this.#stream = undefined;
    const generation = ++this.#streamGeneration;
    let opened: Awaited<ReturnType<typeof probeStream>>;
    try {
      opened = await probeStream(this.#target, this.#recorder, (event) => this.#heardEvent(event));
    } catch (error) {
      if (generation !== this.#streamGeneration) return;
      this.#recorder.failWith('stream', error);
      this.#retryStream();
      return;
    }
    const { handle, revision } = opened;
    if (this.#stopped || generation !== this.#streamGeneration) {
      handle.close();
      return;
    }
    this.#stream = handle;
    this.streamsOpened += 1;
    this.#heardRevision(revision);
    void handle.ended.then((reason) => {
      if (reason === 'closed' || this.#stopped) return;
      // The server ended it: only a shutdown may, and none happens while devices run.
      this.#recorder.fail('stream', `ended ${reason}`, `device ${this.index}`);
      if (this.#stream === handle) this.#stream = undefined;
      this.#retryStream();
    });
  }

  #retryStream() {
    if (this.#stopped) return;
    const timer = setTimeout(() => {
      this.#timers.delete(timer);
      void this.#openStream();
    }, RETRY_STREAM_MS);
    this.#timers.add(timer);
  }

  #heardEvent(event: StreamEvent) {
    if (event.event === 'changed')
      this.#heardRevision(Number((event.data as { revision?: unknown }).revision));
  }

  #heardRevision(revision: number) {
    if (!(revision > this.heard)) return;
    this.heard = revision;
    if (revision > this.cursor) {
      this.#wantChanges = true;
      this.#kick();
    }
  }
}
