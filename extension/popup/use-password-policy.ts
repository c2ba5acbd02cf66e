import { useEffect, useState } from 'preact/hooks';
import { DEFAULT_PASSWORD_POLICY, type PasswordPolicy } from '../messaging/password-policy.ts';
import { requestSchemas } from '../messaging/protocol.ts';
import { send } from './send.ts';

/** Waits for typing in the server address to pause before asking that server. */
const SETTLE_MS = 400;

/**
 * The master-password policy for a strength meter: the server's at `serverUrl` (the address typed
 * on the setup screen), or this account's when omitted. Until a server answers — or when none does
 * — the defaults stand in; a form fetches the policy again on submit (`send('passwordPolicy')`),
 * and the service worker checks it once more, so the stand-in never decides anything.
 */
export function usePasswordPolicy(serverUrl?: string): PasswordPolicy | null {
  const [policy, setPolicy] = useState<PasswordPolicy | null>(null);
  useEffect(() => {
    if (serverUrl !== undefined && !requestSchemas.passwordPolicy.safeParse({ serverUrl }).success) {
      setPolicy((p) => p ?? DEFAULT_PASSWORD_POLICY);
      return;
    }
    let live = true;
    const timer = setTimeout(
      () =>
        void send('passwordPolicy', serverUrl === undefined ? {} : { serverUrl }).then(
          (p) => live && setPolicy(p),
          () => live && setPolicy((p) => p ?? DEFAULT_PASSWORD_POLICY),
        ),
      serverUrl === undefined ? 0 : SETTLE_MS,
    );
    return () => {
      live = false;
      clearTimeout(timer);
    };
  }, [serverUrl]);
  return policy;
}
