import { type RateLimiterAbstract, RateLimiterRes } from 'rate-limiter-flexible';
import { type LimitStore, limitsUnavailable } from './store.ts';

/**
 * The limits on the unauthenticated auth routes and on every guess at an account's secrets
 * (docs/sessions.md, "Rate limits and lockout"). All counters are in the shared store, so every
 * server process sees the same numbers.
 */
export interface LimitsConfig {
  /** Requests per client IP (IPv6: per /64) per window on the auth routes, whatever their outcome. */
  ipPoints: number;
  ipWindowSeconds: number;
  /** Failed guesses on one key that are answered at once. */
  freeFailures: number;
  /** The guess after the free ones waits this long before it is checked; each further one twice as long… */
  delayBaseMs: number;
  /** …up to this. */
  delayMaxMs: number;
  /** The failure that locks the key (the first time in `failureWindowSeconds`). */
  lockAfter: number;
  /** The first lock's length; each further lock within the failure window doubles it… */
  lockBaseSeconds: number;
  /** …up to this. */
  lockMaxSeconds: number;
  /** Failures and locks are remembered this long (unless a success clears them). */
  failureWindowSeconds: number;
  /** A store that has not answered by then counts as unavailable (503). */
  storeTimeoutMs: number;
}

export const DEFAULT_LIMITS: LimitsConfig = {
  ipPoints: 30,
  ipWindowSeconds: 60,
  freeFailures: 3,
  delayBaseMs: 1000,
  delayMaxMs: 4000,
  lockAfter: 5,
  lockBaseSeconds: 60,
  lockMaxSeconds: 3600,
  failureWindowSeconds: 86_400,
  storeTimeoutMs: 3000,
};

/** A guess that may be checked: the key it counts on and its number among the key's failures. */
export interface Guess {
  key: string;
  attempt: number;
}

export type Reservation = Guess | { key: string; retryAfterSeconds: number };

export interface Lock {
  failures: number;
  seconds: number;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const secondsOf = (ms: number) => Math.max(1, Math.ceil(ms / 1000));

export class AuthLimits {
  readonly #ip: RateLimiterAbstract;
  readonly #attempts: RateLimiterAbstract;
  readonly #locks: RateLimiterAbstract;

  constructor(
    readonly store: LimitStore,
    readonly config: LimitsConfig = DEFAULT_LIMITS,
  ) {
    this.#ip = store.limiter({ keyPrefix: 'ip', points: config.ipPoints, duration: config.ipWindowSeconds });
    this.#attempts = store.limiter({
      keyPrefix: 'guess',
      points: config.lockAfter,
      duration: config.failureWindowSeconds,
    });
    this.#locks = store.limiter({
      keyPrefix: 'lock',
      points: 1_000_000,
      duration: config.failureWindowSeconds,
    });
  }

  /**
   * Every store call: an error or no answer in time is a 503 LIMITS_UNAVAILABLE — a limit is never
   * skipped. A refusal (RateLimiterRes) is returned, not thrown.
   */
  async #call(work: () => Promise<RateLimiterRes | null>): Promise<RateLimiterRes | null> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error('limit store timed out')), this.config.storeTimeoutMs);
    });
    try {
      return await Promise.race([work(), timeout]);
    } catch (error) {
      if (error instanceof RateLimiterRes) return error;
      const unavailable = limitsUnavailable();
      unavailable.cause = error; // logged (described, never its message) by the app's error handler
      throw unavailable;
    } finally {
      clearTimeout(timer);
    }
  }

  /**
   * Counts one request of a client. Returns null when it may go on, else how long to wait and
   * whether this was the first refusal of the window (the one that is recorded).
   */
  async countRequest(ipKey: string): Promise<{ retryAfterSeconds: number; first: boolean } | null> {
    const res = await this.#call(() => this.#ip.consume(ipKey));
    if (!res || res.consumedPoints <= this.config.ipPoints) return null;
    return {
      retryAfterSeconds: secondsOf(res.msBeforeNext),
      first: res.consumedPoints === this.config.ipPoints + 1,
    };
  }

  /**
   * Counts a guess on `key` *before* it is checked (parallel guesses cannot overtake the count), or
   * refuses it while the key is locked. Guesses after the free ones wait first (progressive delay).
   */
  async reserve(key: string): Promise<Reservation> {
    const res = await this.#call(() => this.#attempts.consume(key));
    if (!res) throw limitsUnavailable();
    if (res.consumedPoints > this.config.lockAfter) {
      return {
        key,
        retryAfterSeconds: Math.min(secondsOf(res.msBeforeNext), this.config.lockMaxSeconds),
      };
    }
    const wait = this.delayFor(res.consumedPoints);
    if (wait > 0) await sleep(wait);
    return { key, attempt: res.consumedPoints };
  }

  /** The wait before the `attempt`-th guess on a key is checked. */
  delayFor(attempt: number): number {
    const over = attempt - this.config.freeFailures;
    if (over <= 0) return 0;
    return Math.min(this.config.delayBaseMs * 2 ** (over - 1), this.config.delayMaxMs);
  }

  /**
   * A guess turned out wrong. The `lockAfter`-th failure locks the key; once a key has been locked,
   * one more failure locks it again, each lock twice as long as the one before. Returns the lock
   * this failure started, if any.
   */
  async failed(guess: Guess): Promise<Lock | null> {
    const locks = (await this.#call(() => this.#locks.get(guess.key)))?.consumedPoints ?? 0;
    if (guess.attempt < (locks === 0 ? this.config.lockAfter : 1)) return null;
    const seconds = Math.min(this.config.lockBaseSeconds * 2 ** locks, this.config.lockMaxSeconds);
    await this.#call(() => this.#locks.consume(guess.key));
    await this.#call(() => this.#attempts.block(guess.key, seconds));
    return { failures: guess.attempt, seconds };
  }

  /** A right guess: the key's failures and locks are forgotten. */
  async succeeded(key: string): Promise<void> {
    await this.#call(async () => {
      await Promise.all([this.#attempts.delete(key), this.#locks.delete(key)]);
      return null;
    });
  }

  close(): Promise<void> {
    return this.store.close();
  }
}
