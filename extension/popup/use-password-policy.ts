import { useEffect, useState } from 'preact/hooks';
import { DEFAULT_PASSWORD_POLICY, type PasswordPolicy } from '../messaging/password-policy.ts';
import { send } from './send.ts';
import { loadFormChecks } from './use-form-checks.ts';

/** Waits for typing in the server address to pause before asking that server. */
const SETTLE_MS = 400;

/**
 * The master-password policy for a strength meter: the server's at `serverUrl` (the address typed
 * on the setup screen), or this account's when omitted. Until a server answers — or when none does
 * — the defaults stand in; a form fetches the policy again on submit (`send('passwordPolicy')`),
 * and the service worker checks it once more, so the stand-in never decides anything. A typed
 * address is first checked as the worker would (the forms' checks, loaded on demand): one that
 * cannot be a server's is not sent.
 */
export function usePasswordPolicy(serverUrl?: string): PasswordPolicy | null {
  const [policy, setPolicy] = useState<PasswordPolicy | null>(null);
  useEffect(() => {
    let live = true;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const ask = () => {
      timer = setTimeout(
        () =>
          void send('passwordPolicy', serverUrl === undefined ? {} : { serverUrl }).then(
            (p) => live && setPolicy(p),
            () => live && setPolicy((p) => p ?? DEFAULT_PASSWORD_POLICY),
          ),
        serverUrl === undefined ? 0 : SETTLE_MS,
      );
    };
    if (serverUrl === undefined) ask();
    else
      loadFormChecks().then(
        ({ requestSchemas }) => {
          if (!live) return;
          if (requestSchemas.passwordPolicy.safeParse({ serverUrl }).success) ask();
          else setPolicy((p) => p ?? DEFAULT_PASSWORD_POLICY);
        },
        () => live && setPolicy((p) => p ?? DEFAULT_PASSWORD_POLICY),
      );
    return () => {
      live = false;
      clearTimeout(timer);
    };
  }, [serverUrl]);
  return policy;
}
