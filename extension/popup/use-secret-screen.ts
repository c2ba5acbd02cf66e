import { useEffect, useState } from 'preact/hooks';
import { browser } from 'wxt/browser';
import { SCREEN_PORT } from '../messaging/protocol.ts';

/**
 * An id for this screen, with a port to the worker open while it is shown: when the popup closes,
 * the worker forgets the secret the screen was working with (a key never confirmed is never sent).
 * A worker stopped while idle drops the port; the screen connects again to the next one.
 */
export function useSecretScreen(): string {
  const [screen] = useState(() => crypto.randomUUID());
  useEffect(() => {
    let closed = false;
    let port: ReturnType<typeof browser.runtime.connect> | null = null;
    const connect = () => {
      try {
        port = browser.runtime.connect({ name: `${SCREEN_PORT}${screen}` });
      } catch {
        return; // The extension was reloaded under this popup: nothing left to tell.
      }
      port.onDisconnect.addListener(() => {
        if (!closed) connect();
      });
    };
    connect();
    return () => {
      closed = true;
      port?.disconnect();
    };
  }, [screen]);
  return screen;
}
