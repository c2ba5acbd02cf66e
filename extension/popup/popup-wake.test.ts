import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { runInNewContext } from 'node:vm';
import { describe, expect, it } from 'vitest';
import { dispatch } from '../background/handlers.ts';

type Handlers = Parameters<typeof dispatch>[0];

/**
 * extension/public/popup-wake.js, the plain script the popup's HTML runs before its modules have
 * loaded: what it sends must be a message the worker accepts (it is not type-checked against the
 * protocol), and a failure to send must never break the popup.
 */
const source = readFile(path.resolve(import.meta.dirname, '../public/popup-wake.js'), 'utf8');

async function run(sendMessage: (message: unknown) => unknown, namespace: 'chrome' | 'browser' = 'chrome') {
  runInNewContext(await source, { [namespace]: { runtime: { sendMessage } } });
}

describe('popup wake script', () => {
  it('sends one message the worker dispatches to a handler (not a validation failure)', async () => {
    const sent: unknown[] = [];
    await run((message) => {
      sent.push(message);
      return Promise.resolve();
    });
    expect(sent).toHaveLength(1);
    let called = '';
    const handlers = new Proxy({} as Handlers, {
      get: (_target, name) => async () => {
        called = String(name);
        return 'awake';
      },
    });
    const reply = await dispatch(handlers, JSON.parse(JSON.stringify(sent[0])));
    expect(reply).toEqual({ ok: true, value: 'awake' });
    expect(called).toBe('getState');
  });

  it('uses `browser` where the browser has it (Firefox)', async () => {
    const sent: unknown[] = [];
    await run((message) => {
      sent.push(message);
      return Promise.resolve();
    }, 'browser');
    expect(sent).toHaveLength(1);
  });

  it('swallows a worker that cannot be reached, thrown or rejected', async () => {
    await expect(
      run(() => {
        throw new Error('Extension context invalidated.');
      }),
    ).resolves.toBeUndefined();
    const rejected = Promise.reject(new Error('Could not establish connection.'));
    let handled = false;
    await run(() => ({
      catch: (onRejected: (e: unknown) => unknown) => {
        handled = true;
        return rejected.catch(onRejected);
      },
    }));
    expect(handled).toBe(true);
  });
});
