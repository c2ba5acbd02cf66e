/**
 * Auto-lock (docs/settings.md "Auto-lock"): the vault locks after N minutes (the setting
 * `autoLockMinutes`; 0 = never) in which EITHER
 * - Keyhold was not used: no popup or options page message, no fill, no save prompt answered
 *   (`activity()` re-arms a chrome.alarms timer), OR
 * - the computer was not used: chrome.idle reports `idle` after the same N minutes;
 * and at once when the screen locks (chrome.idle `locked`). With 0 nothing locks by itself.
 *
 * Alarms survive the worker being stopped; the last activity is kept in memory only, so a worker
 * that restarted locks when the alarm armed before fires (never later than N minutes after use).
 */

export const AUTOLOCK_ALARM = 'keyhold-autolock';

/** chrome.idle accepts 15 s up to 4 hours (Chromium clamps beyond). */
const IDLE_MIN_SECONDS = 15;
const IDLE_MAX_SECONDS = 4 * 60 * 60;
/** Activity re-arms the alarm at most this often (a typed search sends a message per key). */
const REARM_EVERY_MS = 10_000;

export type IdleState = 'active' | 'idle' | 'locked';

/** The parts of chrome.alarms and chrome.idle used here (the fake browser has no idle). */
export interface AutoLockDeps {
  alarms: {
    create(name: string, info: { delayInMinutes: number }): Promise<void> | void;
    clear(name: string): Promise<boolean> | Promise<void> | void;
    get(name: string): Promise<{ scheduledTime: number } | undefined | null>;
  };
  idle: { setDetectionInterval(seconds: number): void };
  /** The current `autoLockMinutes` (0 = never). */
  minutes: () => Promise<number>;
  /** Locks the vault (and forgets whatever the lock forgets). */
  lock: (why: AutoLockReason) => Promise<void>;
  now: () => number;
}

export type AutoLockReason = 'inactive' | 'idle' | 'screen-locked';

export class AutoLock {
  private lastActivity: number | null = null;
  private lastArmed = 0;

  constructor(private readonly deps: AutoLockDeps) {}

  /**
   * Applies the current setting: idle detection interval and the inactivity alarm. Call at each
   * worker start and on change. An alarm already due within N minutes is kept: a worker that
   * restarts (it does, every few minutes) must not push the lock further away.
   */
  async configure(): Promise<void> {
    const minutes = await this.deps.minutes();
    if (minutes <= 0) {
      await this.deps.alarms.clear(AUTOLOCK_ALARM);
      return;
    }
    const seconds = Math.min(IDLE_MAX_SECONDS, Math.max(IDLE_MIN_SECONDS, minutes * 60));
    this.deps.idle.setDetectionInterval(seconds);
    const armed = await this.deps.alarms.get(AUTOLOCK_ALARM);
    if (armed && armed.scheduledTime <= this.deps.now() + minutes * 60_000) return;
    await this.arm(minutes);
  }

  /** The user did something with Keyhold: the N minutes start again. */
  async activity(): Promise<void> {
    const now = this.deps.now();
    this.lastActivity = now;
    if (now - this.lastArmed < REARM_EVERY_MS) return;
    const minutes = await this.deps.minutes();
    if (minutes > 0) await this.arm(minutes);
  }

  /** chrome.alarms fired: locks unless Keyhold was used since the alarm was armed (then re-arms for the rest). */
  async onAlarm(name: string): Promise<void> {
    if (name !== AUTOLOCK_ALARM) return;
    const minutes = await this.deps.minutes();
    if (minutes <= 0) return;
    const since = this.lastActivity === null ? null : this.deps.now() - this.lastActivity;
    const limit = minutes * 60_000;
    if (since !== null && since < limit) {
      await this.deps.alarms.create(AUTOLOCK_ALARM, { delayInMinutes: (limit - since) / 60_000 });
      return;
    }
    await this.deps.lock('inactive');
  }

  /** chrome.idle changed state: the screen locked, or the computer was idle for the N minutes. */
  async onIdleState(state: IdleState): Promise<void> {
    if (state === 'active') return;
    if ((await this.deps.minutes()) <= 0) return;
    await this.deps.lock(state === 'locked' ? 'screen-locked' : 'idle');
  }

  private async arm(minutes: number): Promise<void> {
    this.lastArmed = this.deps.now();
    await this.deps.alarms.create(AUTOLOCK_ALARM, { delayInMinutes: minutes });
  }
}

/**
 * Messages from our own pages that do not count as use: the in-page menu and save prompt ask what
 * to show when a web page focuses a field or submits a form, which a page can do by script — a page
 * must not be able to hold the vault open. Their answers (menuChoose, promptAnswer) are clicks
 * (click-guarded) and count. Content-script messages never count, for the same reason.
 */
export const PASSIVE_MESSAGES: ReadonlySet<string> = new Set(['menuState', 'menuDismiss', 'promptState']);

/** Whether a trusted page's message is the user using Keyhold. */
export function isUse(message: unknown): boolean {
  const name =
    typeof message === 'object' && message !== null ? (message as { name?: unknown }).name : undefined;
  return typeof name === 'string' && !PASSIVE_MESSAGES.has(name);
}
