import { randomBytes, timingSafeEqual } from 'node:crypto';
import { Worker } from 'node:worker_threads';

/** scrypt cost for stored auth-key hashes: N=2^15, r=8, p=1 (32 MiB; ~100 ms of one core here). */
const PARAMS = { N: 2 ** 15, r: 8, p: 1 } as const;
const KEY_LENGTH = 32;

interface ScryptParams {
  N: number;
  r: number;
  p: number;
}

/**
 * Hashing threads per process. Each scrypt runs on a thread of its own (below), never on libuv's
 * pool, where every request's DPoP signature check (WebCrypto) and file write run: four sign-ins at
 * once used to hold every pool thread, and every other request waited half a second. More sign-ins
 * than this wait for one another, never the other requests.
 */
export const SCRYPT_CONCURRENCY = 2;

/**
 * The niceness of the hashing threads. A sign-in's scrypt takes a whole core for ~100 ms; at the
 * same priority as the request threads it took half of a two-core machine from every push and poll
 * in flight (200 devices: push p99 58 ms with sign-ins, 31 without). At 10 the scheduler gives a
 * busy request thread ~9 times its share: sync requests keep their latency, a sign-in waits for
 * idle time, which it has at any load the server can carry. On Linux a niceness is per thread.
 */
export const HASHING_NICENESS = 10;

/**
 * The thread's code, evaluated as CommonJS (so it needs no file or loader of its own, under tsx,
 * vitest or a bundle). It lowers its own priority first, then answers one scrypt per message;
 * scryptSync computes on this thread, whose priority is the lowered one.
 */
const HASHING_THREAD = `
const { parentPort, workerData } = require('node:worker_threads');
const { scryptSync } = require('node:crypto');
const { setPriority } = require('node:os');
let niceness = null;
try {
  setPriority(0, workerData.niceness);
  niceness = workerData.niceness;
} catch {
  // A system that refuses (none does for lowering) runs it at normal priority.
}
parentPort.postMessage({ ready: true, niceness });
parentPort.on('message', ({ input, salt, keyLength, options }) => {
  try {
    const key = scryptSync(input, salt, keyLength, options);
    parentPort.postMessage({ key: new Uint8Array(key) });
  } catch (error) {
    parentPort.postMessage({ error: error instanceof Error ? error.message : String(error) });
  }
});
`;

interface Job {
  input: Uint8Array;
  salt: Uint8Array;
  options: ScryptParams & { maxmem: number };
  resolve: (key: Buffer) => void;
  reject: (error: Error) => void;
}

interface ThreadAnswer {
  ready?: boolean;
  niceness?: number | null;
  key?: Uint8Array;
  error?: string;
}

/** One hashing thread: one job at a time; replaced by a new one if it dies. */
class HashingThread {
  private readonly worker: Worker;
  private job: Job | undefined;
  /** The niceness the thread set on itself (null: it could not), once it has started. */
  niceness: Promise<number | null>;

  constructor(
    private readonly onIdle: (thread: HashingThread) => void,
    private readonly onDead: (thread: HashingThread) => void,
  ) {
    this.worker = new Worker(HASHING_THREAD, { eval: true, workerData: { niceness: HASHING_NICENESS } });
    // An idle thread never keeps the process alive; a busy one does until its answer is in.
    this.worker.unref();
    let started: (niceness: number | null) => void = () => {};
    this.niceness = new Promise((resolve) => {
      started = resolve;
    });
    this.worker.on('message', (answer: ThreadAnswer) => {
      if (answer.ready) {
        started(answer.niceness ?? null);
        return;
      }
      const job = this.job;
      this.job = undefined;
      this.worker.unref();
      if (job) {
        if (answer.key)
          job.resolve(Buffer.from(answer.key.buffer, answer.key.byteOffset, answer.key.byteLength));
        else job.reject(new Error(`scrypt failed: ${answer.error ?? 'no answer'}`));
      }
      this.onIdle(this);
    });
    let gone = false;
    const die = (error: Error) => {
      if (gone) return;
      gone = true;
      started(null);
      const job = this.job;
      this.job = undefined;
      this.onDead(this);
      job?.reject(error);
    };
    this.worker.on('error', die);
    this.worker.on('exit', (code) => die(new Error(`the hashing thread stopped (exit code ${code})`)));
  }

  get busy(): boolean {
    return this.job !== undefined;
  }

  run(job: Job): void {
    this.job = job;
    this.worker.ref();
    this.worker.postMessage({
      // Copies of just these bytes, not of the buffers (or Node's buffer pool) they may be views of.
      input: new Uint8Array(job.input),
      salt: new Uint8Array(job.salt),
      keyLength: KEY_LENGTH,
      options: job.options,
    });
  }
}

const threads: HashingThread[] = [];
const waiting: Job[] = [];

function idle(thread: HashingThread): void {
  const next = waiting.shift();
  if (next) thread.run(next);
}

function dead(thread: HashingThread): void {
  const at = threads.indexOf(thread);
  if (at >= 0) threads.splice(at, 1);
  // Whatever waits gets a fresh thread.
  const next = waiting.shift();
  if (next) dispatch(next);
}

function dispatch(job: Job): void {
  let thread = threads.find((candidate) => !candidate.busy);
  if (!thread && threads.length < SCRYPT_CONCURRENCY) {
    thread = new HashingThread(idle, dead);
    threads.push(thread);
  }
  if (thread) thread.run(job);
  else waiting.push(job);
}

/** scrypt computations running now in this process (at most SCRYPT_CONCURRENCY). */
export const scryptsRunning = () => threads.filter((thread) => thread.busy).length;

/** The niceness each hashing thread gave itself (started on demand; empty before the first hash). */
export const hashingNiceness = () => Promise.all(threads.map((thread) => thread.niceness));

function scryptAsync(input: Uint8Array, salt: Uint8Array, options: ScryptParams): Promise<Buffer> {
  const maxmem = 256 * options.N * options.r + 1024 * 1024;
  return new Promise<Buffer>((resolve, reject) => {
    dispatch({ input, salt, options: { ...options, maxmem }, resolve, reject });
  });
}

/** Hashes the client's auth key as "scrypt$N$r$p$salt$hash" (salt and hash base64url). */
export async function hashAuthKey(authKey: Uint8Array): Promise<string> {
  const salt = randomBytes(16);
  const hash = await scryptAsync(authKey, salt, PARAMS);
  return [
    'scrypt',
    PARAMS.N,
    PARAMS.r,
    PARAMS.p,
    salt.toString('base64url'),
    hash.toString('base64url'),
  ].join('$');
}

/** Constant-time comparison of `authKey` against a stored hash; a malformed stored hash never verifies. */
export async function verifyAuthKey(authKey: Uint8Array, stored: string): Promise<boolean> {
  const [alg, n, r, p, salt, hash] = stored.split('$');
  if (alg !== 'scrypt' || !n || !r || !p || salt === undefined || hash === undefined) return false;
  const expected = Buffer.from(hash, 'base64url');
  const actual = await scryptAsync(authKey, Buffer.from(salt, 'base64url'), {
    N: Number(n),
    r: Number(r),
    p: Number(p),
  });
  return expected.length === actual.length && timingSafeEqual(expected, actual);
}

let dummyHash: Promise<string> | undefined;
/** A real hash of a random key, so an unknown email costs the same scrypt as a wrong password. */
export function dummyAuthHash(): Promise<string> {
  dummyHash ??= hashAuthKey(randomBytes(KEY_LENGTH));
  return dummyHash;
}
