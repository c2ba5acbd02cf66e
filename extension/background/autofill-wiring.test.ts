import { describe, expect, it } from 'vitest';
import type { Browser } from 'wxt/browser';
import { frameSender } from './autofill-wiring.ts';

const ID = 'keyhold-extension-id';
const sender = (over: Partial<Browser.runtime.MessageSender> & { origin?: string }) =>
  ({ id: ID, tab: { id: 3 }, frameId: 2, ...over }) as Browser.runtime.MessageSender;

describe('frameSender', () => {
  it('takes an http(s) frame at its own URL', () => {
    expect(
      frameSender(sender({ url: 'https://bank.example/login', origin: 'https://bank.example' }), ID),
    ).toEqual({
      tabId: 3,
      frameId: 2,
      url: 'https://bank.example/login',
      origin: 'https://bank.example',
    });
  });

  it('takes a srcdoc or blank frame at the origin the browser says it inherited', () => {
    expect(frameSender(sender({ url: 'about:srcdoc', origin: 'https://bank.example' }), ID)?.url).toBe(
      'https://bank.example/',
    );
    expect(frameSender(sender({ url: 'about:blank', origin: 'http://app.test:8080' }), ID)?.url).toBe(
      'http://app.test:8080/',
    );
  });

  it('keeps an opaque inheriting frame unmatchable (and marked opaque)', () => {
    const from = frameSender(sender({ url: 'about:srcdoc', origin: 'null' }), ID);
    expect(from?.url).toBe('about:srcdoc');
    expect(from?.origin).toBe('null');
  });

  it('refuses other extensions, and senders without a tab, frame or URL', () => {
    expect(frameSender(sender({ url: 'https://bank.example/', id: 'other' }), ID)).toBeNull();
    expect(frameSender(sender({ url: 'https://bank.example/', tab: undefined }), ID)).toBeNull();
    expect(frameSender(sender({ url: 'https://bank.example/', frameId: undefined }), ID)).toBeNull();
    expect(frameSender(sender({}), ID)).toBeNull();
  });
});
