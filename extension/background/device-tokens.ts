import { ErrorCode } from '../messaging/protocol.ts';
import type { AccountRecord, UnlockSession } from '../storage/items.ts';
import type { ApiClient } from './api-client.ts';
import { deviceAccessToken } from './device-session.ts';
import { endPolicy } from './session-ended.ts';
import { VaultError } from './vault-error.ts';

/**
 * The device session's access token as the open vault asks for it: the current one, a refreshed
 * one, or a new session signed in with the auth key the unlock left in the session
 * (device-session.ts does the requests; docs/sessions.md). What this module adds, with the vault:
 *
 * - **A refused auth key is never sent again.** Every refused sign-in counts toward the account's
 *   lockout; the push channel's and sync's retries would lock the account for every device. Once
 *   the server refuses a key (PASSWORD_CHANGED_ELSEWHERE) it stays refused here until "Log in
 *   again" or a new unlock puts another key in the session (docs/accounts.md).
 * - **A new sign-in says which vault key is current** (a rotation elsewhere also ends this device's
 *   session): the vault follows it at once, without the password — if it is still the open vault.
 * - **A session the server ended with no sign-in to follow** (session-ended.ts): after a password
 *   change elsewhere the new password is asked for; otherwise the vault locks (keys wiped, the sealed
 *   vault and its unsynced edits kept for the next login).
 * - The request half needs no open vault: an unlock starts it while the vault opens and settles it
 *   once open (`request`, then `settle`); `request` never rejects.
 */

export type LoginReply = Awaited<ReturnType<ApiClient['login']>>;

/** A token request's outcome, settled once the vault is open. */
export type TokenOutcome =
  | { ok: true; token: string; signedIn: LoginReply | null; refused: boolean }
  | { ok: false; error: unknown; refused: boolean };

/** What this module reads of an open vault. */
export interface SessionHolder {
  account: AccountRecord;
  session: UnlockSession;
}

export interface DeviceTokensHost<V extends SessionHolder> {
  now(): Date;
  /** Whether `vault` is still the open one (not locked or replaced meanwhile). */
  isOpen(vault: V): boolean;
  /** A sign-in named the account's vault keys: the open vault follows them (key-rotation.ts). */
  adoptKeys(vault: V, api: ApiClient, token: string, reply: LoginReply): Promise<void>;
  /** The server ended the session: wipe the open vault's keys from memory and the session. */
  lock(vault: V): Promise<void>;
}

export class DeviceTokens<V extends SessionHolder> {
  /** The auth key (b64u) the server refused as out of date: not sent again. */
  private refusedAuthKey: string | null = null;

  constructor(private readonly host: DeviceTokensHost<V>) {}

  /** A usable access token for the open vault `vault` (`renew`: the server just refused the last one). */
  async forVault(vault: V, api: ApiClient, renew = false): Promise<string> {
    return this.settle(vault, api, await this.request(vault.account, vault.session, api, renew, false));
  }

  /** The network half, which needs no open vault. Never rejects. */
  request(
    account: AccountRecord,
    session: UnlockSession,
    api: ApiClient,
    renew: boolean,
    afterPassword: boolean,
  ): Promise<TokenOutcome> {
    const refused = session.authKey === this.refusedAuthKey;
    let signedIn: LoginReply | null = null;
    return deviceAccessToken({
      api,
      account,
      authKey: refused ? null : session.authKey,
      now: this.host.now(),
      renew,
      afterPassword,
      onSignIn: (reply) => {
        signedIn = reply;
      },
    }).then(
      (token): TokenOutcome => ({ ok: true, token, signedIn, refused }),
      (error: unknown): TokenOutcome => ({ ok: false, error, refused }),
    );
  }

  /** What a request's outcome means with the vault `vault` open: its token, or the error. */
  async settle(vault: V, api: ApiClient, outcome: TokenOutcome): Promise<string> {
    if (!outcome.ok) {
      const e = outcome.error;
      if (outcome.refused && e instanceof VaultError && e.code === ErrorCode.SessionExpired)
        throw new VaultError(ErrorCode.PasswordChangedElsewhere);
      if (e instanceof VaultError && e.code === ErrorCode.PasswordChangedElsewhere)
        this.refusedAuthKey = vault.session.authKey;
      if (e instanceof VaultError && e.code === ErrorCode.SessionEnded) await this.endedByServer(vault, e);
      throw e;
    }
    if (outcome.signedIn && this.host.isOpen(vault))
      await this.host.adoptKeys(vault, api, outcome.token, outcome.signedIn);
    return outcome.token;
  }

  private async endedByServer(vault: V, e: VaultError): Promise<never> {
    if (endPolicy(e.detail.endReason) === 'new-password') {
      this.refusedAuthKey = vault.session.authKey;
      throw new VaultError(ErrorCode.PasswordChangedElsewhere);
    }
    if (this.host.isOpen(vault)) await this.host.lock(vault);
    throw e;
  }
}
