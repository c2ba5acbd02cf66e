import { beforeEach, describe, expect, it, vi } from 'vitest';
import { fakeBrowser } from 'wxt/testing/fake-browser';
import { LIST_ROWS } from '../messaging/protocol.ts';
import {
  askForOpenVault,
  dropOpening,
  startOpening,
  takeArrivedPage,
  takeArrivedRecoveryStatus,
  takeOpeningPage,
  takeOpeningRecoveryStatus,
  takeOpeningState,
} from './opening.ts';

/** The worker: records each message's name and answers from `answers` (an error reply otherwise). */
function worker(answers: Record<string, unknown>): string[] {
  const asked: string[] = [];
  fakeBrowser.runtime.onMessage.addListener((message: unknown) => {
    const { name } = message as { name: string };
    asked.push(name);
    return name in answers
      ? Promise.resolve({ ok: true, value: answers[name] })
      : Promise.resolve({ ok: false, code: 'LOCKED', message: 'Locked.' });
  });
  return asked;
}

const page = { items: [], total: 0 };
const status = { status: 'set', createdAt: null, offered: false };

describe('what the popup asks for before its screens do', () => {
  beforeEach(() => {
    fakeBrowser.reset();
    dropOpening();
    takeOpeningState();
  });

  it('asks for the state, the recovery status and the first page at once when it opens', async () => {
    const asked = worker({ getState: { status: 'unlocked' }, recoveryKeyStatus: status, listItems: page });
    startOpening();
    expect(asked.sort()).toEqual(['getState', 'listItems', 'recoveryKeyStatus']);
    await expect(takeOpeningState()).resolves.toEqual({ status: 'unlocked' });
    await expect(takeOpeningRecoveryStatus()).resolves.toEqual(status);
    await expect(takeOpeningPage()).resolves.toEqual(page);
  });

  it('after an unlock or sign-in, asks for the recovery status and the first page together', async () => {
    const requests: unknown[] = [];
    fakeBrowser.runtime.onMessage.addListener((message: unknown) => {
      requests.push(message);
      const { name } = message as { name: string };
      return Promise.resolve({ ok: true, value: name === 'listItems' ? page : status });
    });
    askForOpenVault();
    // Both went out before either was answered: the list does not wait for the recovery screen.
    expect(requests).toEqual([
      { name: 'recoveryKeyStatus', request: {} },
      { name: 'listItems', request: { query: '', limit: LIST_ROWS, view: 'all', folder: '' } },
    ]);
    await expect(takeOpeningRecoveryStatus()).resolves.toEqual(status);
    await expect(takeOpeningPage()).resolves.toEqual(page);
  });

  it('hands each answer out once; later screens ask again', async () => {
    worker({ recoveryKeyStatus: status, listItems: page });
    askForOpenVault();
    expect(takeOpeningRecoveryStatus()).not.toBeNull();
    expect(takeOpeningRecoveryStatus()).toBeNull();
    expect(takeOpeningPage()).not.toBeNull();
    expect(takeOpeningPage()).toBeNull();
  });

  it('hands the first page out at once once it has arrived, and only then', async () => {
    let answer = (_v: unknown) => {};
    fakeBrowser.runtime.onMessage.addListener((message: unknown) => {
      const { name } = message as { name: string };
      if (name !== 'listItems') return Promise.resolve({ ok: true, value: status });
      return new Promise((resolve) => {
        answer = resolve;
      });
    });
    askForOpenVault();
    // On its way: nothing is taken, so the screen's effect still gets the request.
    expect(takeArrivedPage()).toBeNull();
    answer({ ok: true, value: page });
    await vi.waitFor(() => expect(takeArrivedPage()).toEqual(page));
    // Taken once, with the request itself.
    expect(takeArrivedPage()).toBeNull();
    expect(takeOpeningPage()).toBeNull();
  });

  it('hands the recovery status out at once once it has arrived, and only then', async () => {
    let answer = (_v: unknown) => {};
    fakeBrowser.runtime.onMessage.addListener((message: unknown) => {
      const { name } = message as { name: string };
      if (name !== 'recoveryKeyStatus') return Promise.resolve({ ok: true, value: page });
      return new Promise((resolve) => {
        answer = resolve;
      });
    });
    askForOpenVault();
    // On its way: nothing is taken, so the gate's effect still gets the request.
    expect(takeArrivedRecoveryStatus()).toBeNull();
    answer({ ok: true, value: status });
    await vi.waitFor(() => expect(takeArrivedRecoveryStatus()).toEqual(status));
    // Taken once, with the request itself.
    expect(takeArrivedRecoveryStatus()).toBeNull();
    expect(takeOpeningRecoveryStatus()).toBeNull();
  });

  it('never hands out a status that failed, nor one asked for before a newer ask', async () => {
    let calls = 0;
    fakeBrowser.runtime.onMessage.addListener((message: unknown) => {
      const { name } = message as { name: string };
      if (name !== 'recoveryKeyStatus') return Promise.resolve({ ok: true, value: page });
      calls++;
      return Promise.resolve(
        calls === 1 ? { ok: false, code: 'LOCKED', message: 'Locked.' } : { ok: true, value: status },
      );
    });
    askForOpenVault();
    await expect(takeOpeningRecoveryStatus()).rejects.toThrow();
    expect(takeArrivedRecoveryStatus()).toBeNull();
    askForOpenVault();
    dropOpening();
    await new Promise((r) => setTimeout(r, 0));
    expect(takeArrivedRecoveryStatus()).toBeNull();
  });

  it('a locked vault answers the first page with nothing (not a rejection)', async () => {
    worker({ recoveryKeyStatus: status });
    askForOpenVault();
    await expect(takeOpeningPage()).resolves.toBeNull();
  });

  it('drops what was asked for an open vault when the vault was not open', () => {
    worker({ recoveryKeyStatus: status, listItems: page });
    askForOpenVault();
    dropOpening();
    expect(takeOpeningRecoveryStatus()).toBeNull();
    expect(takeOpeningPage()).toBeNull();
  });
});
