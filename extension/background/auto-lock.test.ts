import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { fakeBrowser } from 'wxt/testing/fake-browser';
import { AUTOLOCK_ALARM, AutoLock, type AutoLockReason, isUse } from './auto-lock.ts';

/** chrome.idle as the browser drives it: the fake browser has none. */
function fakeIdle() {
  let interval = 60;
  return {
    setDetectionInterval: (seconds: number) => {
      interval = seconds;
    },
    interval: () => interval,
  };
}

describe('auto-lock', () => {
  let minutes: number;
  let locks: AutoLockReason[];
  let idle: ReturnType<typeof fakeIdle>;
  let autoLock: AutoLock;

  beforeEach(() => {
    fakeBrowser.reset();
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(new Date('2026-01-01T10:00:00Z'));
    minutes = 5;
    locks = [];
    idle = fakeIdle();
    autoLock = new AutoLock({
      alarms: fakeBrowser.alarms,
      idle,
      minutes: async () => minutes,
      lock: async (why) => {
        locks.push(why);
      },
      now: () => Date.now(),
    });
    // As background.ts wires it.
    fakeBrowser.alarms.onAlarm.addListener((alarm) => void autoLock.onAlarm(alarm.name));
  });
  afterEach(() => vi.useRealTimers());

  const scheduled = async () => (await fakeBrowser.alarms.get(AUTOLOCK_ALARM))?.scheduledTime;
  const fire = async () => {
    const alarm = await fakeBrowser.alarms.get(AUTOLOCK_ALARM);
    if (!alarm) throw new Error('no auto-lock alarm');
    vi.setSystemTime(alarm.scheduledTime);
    await autoLock.onAlarm(AUTOLOCK_ALARM);
  };

  it('sets the idle detection interval to the minutes and arms the alarm', async () => {
    await autoLock.configure();
    expect(idle.interval()).toBe(300);
    expect(await scheduled()).toBe(Date.now() + 5 * 60_000);
  });

  it('keeps the idle interval within what chrome.idle accepts', async () => {
    minutes = 1440;
    await autoLock.configure();
    expect(idle.interval()).toBe(4 * 60 * 60);
  });

  it('locks when N minutes pass without use', async () => {
    await autoLock.configure();
    await fire();
    expect(locks).toEqual(['inactive']);
  });

  it('starts the N minutes again on use, and locks N minutes after the last use', async () => {
    await autoLock.configure();
    vi.advanceTimersByTime(4 * 60_000);
    await autoLock.activity();
    expect(await scheduled()).toBe(Date.now() + 5 * 60_000);
    await fire();
    expect(locks).toEqual(['inactive']);
  });

  it('a use soon after arming re-arms for the rest when the alarm fires, instead of locking early', async () => {
    await autoLock.configure();
    vi.advanceTimersByTime(5_000);
    await autoLock.activity(); // within the re-arm throttle: the alarm is not moved
    const first = await scheduled();
    await fire();
    expect(locks).toEqual([]);
    expect(await scheduled()).toBe((first ?? 0) + 5_000);
    await fire();
    expect(locks).toEqual(['inactive']);
  });

  it('a worker restart does not push the lock further away', async () => {
    await autoLock.configure();
    const armed = await scheduled();
    vi.advanceTimersByTime(3 * 60_000);
    await autoLock.configure(); // the worker started again, nobody used Keyhold
    expect(await scheduled()).toBe(armed);
  });

  it('a shorter setting brings the alarm closer', async () => {
    minutes = 60;
    await autoLock.configure();
    minutes = 1;
    await autoLock.configure();
    expect(await scheduled()).toBe(Date.now() + 60_000);
    expect(idle.interval()).toBe(60);
  });

  it('locks when the screen locks and when the computer is idle', async () => {
    await autoLock.onIdleState('active');
    await autoLock.onIdleState('locked');
    await autoLock.onIdleState('idle');
    expect(locks).toEqual(['screen-locked', 'idle']);
  });

  it('"never" (0) locks on nothing and clears the alarm', async () => {
    await autoLock.configure();
    minutes = 0;
    await autoLock.configure();
    expect(await scheduled()).toBeUndefined();
    await autoLock.onIdleState('locked');
    await autoLock.onIdleState('idle');
    await autoLock.activity();
    expect(await scheduled()).toBeUndefined();
    await autoLock.onAlarm(AUTOLOCK_ALARM);
    expect(locks).toEqual([]);
  });

  it('ignores other alarms', async () => {
    await autoLock.onAlarm('keyhold-sync');
    expect(locks).toEqual([]);
  });

  it('counts the user’s messages as use, not what a web page can cause by script', () => {
    expect(isUse({ name: 'listItems', request: {} })).toBe(true);
    expect(isUse({ name: 'menuChoose', request: {} })).toBe(true);
    expect(isUse({ name: 'promptAnswer', request: {} })).toBe(true);
    expect(isUse({ name: 'menuState', request: {} })).toBe(false);
    expect(isUse({ name: 'promptState', request: {} })).toBe(false);
    expect(isUse({ name: 'menuDismiss', request: {} })).toBe(false);
    expect(isUse(null)).toBe(false);
  });
});
