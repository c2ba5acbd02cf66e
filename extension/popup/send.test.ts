import { beforeEach, describe, expect, it } from 'vitest';
import { fakeBrowser } from 'wxt/testing/fake-browser';
import { ErrorCode } from '../messaging/protocol.ts';
import { PopupError, send } from './send.ts';

/** The worker's listener, answering every message with `reply`. */
const worker = (reply: unknown) =>
  fakeBrowser.runtime.onMessage.addListener(() => (reply instanceof Error ? Promise.reject(reply) : reply));

const failure = (promise: Promise<unknown>) =>
  promise.then(
    () => {
      throw new Error('expected a rejection');
    },
    (e: unknown) => e,
  );

describe('send', () => {
  beforeEach(() => fakeBrowser.reset());

  it("returns an ok reply's value", async () => {
    worker({ ok: true, value: { deleted: 3 } });
    await expect(send('emptyTrash', {})).resolves.toEqual({ deleted: 3 });
  });

  it("throws a failed reply's code, message and field", async () => {
    worker({ ok: false, code: ErrorCode.Validation, message: 'Email is not valid.', field: 'email' });
    const e = await failure(send('lock', {}));
    expect(e).toBeInstanceOf(PopupError);
    expect(e).toMatchObject({ code: ErrorCode.Validation, message: 'Email is not valid.', field: 'email' });
  });

  // Pages do not load webextension-polyfill (docs/extension-pages.md): its rejection marker, sent by
  // the worker's polyfill when a listener fails, arrives as a reply and must read as a failure.
  it.each([
    ['no answer', undefined],
    ["the polyfill's rejection marker", { __mozWebExtensionPolyfillReject__: true, message: 'boom' }],
    ['a failed listener', new Error('boom')],
  ])('turns %s into the generic error', async (_what, reply) => {
    worker(reply);
    const e = await failure(send('lock', {}));
    expect(e).toBeInstanceOf(PopupError);
    expect(e).toMatchObject({ code: ErrorCode.Internal });
    expect((e as Error).message).not.toContain('boom');
  });
});
