import { storage } from 'wxt/utils/storage';
import {
  type AssociatedData,
  CryptoError,
  DEFAULT_KDF,
  deriveAccountKeys,
  deriveRecoveryKeys,
  formatRecoveryKey,
  fromBase64Url,
  generateRecoveryKey,
  importSymmetricKey,
  parseRecoveryKey,
  RecoveryKeyError,
  randomBytes,
  type SymmetricKey,
  toBase64Url,
  unwrapKey,
  wrapKey,
} from '../../shared-crypto/index.ts';
import { raiseToFloor } from '../messaging/kdf-levels.ts';
import type { PasswordPolicy } from '../messaging/password-policy.ts';
import {
  ErrorCode,
  type RecoveryKeyShown,
  type RecoveryKeyStatus,
  type VaultState,
} from '../messaging/protocol.ts';
import { type AccountRecord, accountItem } from '../storage/items.ts';
import { type ApiClient, ApiError } from './api-client.ts';
import { provenAuthKey } from './master-password-proof.ts';
import { requireAcceptablePassword } from './new-master-password.ts';
import { withFreshToken } from './password-change.ts';
import {
  isReused,
  newPasswordHistory,
  openPasswordHistory,
  sealPasswordHistory,
  withPassword,
} from './password-history.ts';
import { mayReplaceLocalVault } from './unsynced-changes.ts';
import { VaultError } from './vault-error.ts';
import type { PasswordKeys, VaultService } from './vault-service.ts';
import { clearVault } from './vault-store.ts';

/**
 * The recovery key, from the extension's side (docs/recovery.md):
 *
 * - Creating one: the worker generates it and keeps it pending (session storage: memory only)
 *   bound to the popup screen that shows it; the popup shows it once, and only when the user types
 *   its last group back is it stored on the server (`PUT /v1/accounts/current/recovery`). A screen
 *   that closes first takes its key with it: nothing is sent.
 * - Using one ("Forgot master password?"): the key is parsed here (a typo never reaches the server),
 *   proven to the server (`POST /v1/accounts/recovery`), opens the vault key, and a new master
 *   password replaces the old one (`POST /v1/accounts/recovery/complete`). The vault then opens as
 *   after a login, local unsynced edits included; the vault key is rotated and a new recovery key
 *   is offered (the server cleared the old one).
 */

/**
 * The vault-key rotation this module starts after a recovery: the key-rotation module's entry point
 * (`VaultService.rotateVaultKey(password)` on the rotation branch, which checks the master password
 * on this device and then finishes any pending rotation or starts one). Throws when it cannot finish
 * now; it resumes by itself later.
 */
export interface VaultKeyRotation {
  rotateVaultKey(password: string): Promise<unknown>;
}

export interface RecoveryKeyDeps {
  makeApi: (baseUrl: string) => ApiClient;
  now: () => Date;
  /** null: this build has no rotation, and the new recovery key is offered right after the recovery. */
  rotation: VaultKeyRotation | null;
}

export type RecoveryVault = Pick<VaultService, 'withOpenVault' | 'openWithCredentials' | 'state'>;

/** A recovery key shown and waiting for its last group (session storage). */
interface PendingKey {
  screen: string;
  accountId: string;
  /** The 32 key bytes, b64u. */
  key: string;
  /** The auth key of the master password just proven, for the PUT (b64u). */
  authKey: string;
  keyVersion: number;
  createdAt: string;
}

/** "Forgot master password?" between its two steps: the recovery key was proven, the vault key opened. */
interface RecoveryProgress {
  screen: string;
  serverUrl: string;
  email: string;
  accountId: string;
  recoveryAuthKey: string;
  keyVersion: number;
  /** The vault key of `keyVersion` (b64u). */
  vaultKey: string;
  /** A pending rotation's next vault key, opened through the chain (b64u). */
  rotation: { keyVersion: number; vaultKey: string } | null;
  /** The sealed password history as the server keeps it (opened at step 2, with the vault key). */
  passwordHistory: string | null;
  /** The server's policy when step 1 asked it (GET /v1/meta). */
  policy: PasswordPolicy;
}

/** Memory-only storage: survives a worker restart while the popup shows the screen, never a browser restart. */
const pendingKeyItem = storage.defineItem<PendingKey | null>('session:recovery-key-pending', {
  fallback: null,
});
/** Set right after account creation and a recovery: the popup shows a new key without asking the password again. */
const offerItem = storage.defineItem<{ accountId: string } | null>('session:recovery-key-offer', {
  fallback: null,
});
const progressItem = storage.defineItem<RecoveryProgress | null>('session:account-recovery', {
  fallback: null,
});

const ad = (
  purpose: AssociatedData['purpose'],
  accountId: string,
  keyVersion: number,
  id = accountId,
): AssociatedData => ({ purpose, owner: accountId, id, keyVersion });
const recoveryAd = (accountId: string, keyVersion: number) => ad('recovery', accountId, keyVersion);
const vaultKeyAd = (accountId: string, keyVersion: number) => ad('vault-key', accountId, keyVersion);
/** The rotation chain: the next vault key wrapped by the previous one. */
const nextKeyAd = (accountId: string, keyVersion: number) =>
  ad('vault-key', accountId, keyVersion, `${accountId}:next`);

const keyVersionOf = (account: AccountRecord) => account.keyVersion ?? 1;
const lastGroupOf = (formatted: string) => formatted.slice(formatted.lastIndexOf('-') + 1);
/** What the user typed as the last group: case, spaces and hyphens do not matter. */
const normalizeGroup = (typed: string) => typed.replace(/[\s-]+/g, '').toUpperCase();

function mapApiError(e: unknown): never {
  if (e instanceof ApiError) throw new VaultError(e.code, e.detail);
  throw e;
}

/**
 * The account's password history, or a new one. One that does not open (the server's to lose or
 * alter) starts afresh: it only spares the user a reused password and must not block a recovery.
 */
async function historyOf(
  vaultKey: SymmetricKey,
  accountId: string,
  keyVersion: number,
  sealed: string | null,
) {
  if (sealed === null) return newPasswordHistory(accountId);
  try {
    return await openPasswordHistory(sealed, vaultKey, accountId, keyVersion);
  } catch (e) {
    if (e instanceof CryptoError) return newPasswordHistory(accountId);
    throw e;
  }
}

/** A key the server vouched for that does not open: its data was altered, or it is not ours. */
async function openKey(wrapping: Parameters<typeof unwrapKey>[0], envelope: string, context: AssociatedData) {
  try {
    return await unwrapKey(wrapping, envelope, context);
  } catch (e) {
    if (e instanceof CryptoError) throw new VaultError(ErrorCode.CorruptData);
    throw e;
  }
}

export class RecoveryKeys {
  constructor(
    private readonly vault: RecoveryVault,
    private readonly deps: RecoveryKeyDeps,
  ) {}

  /**
   * The account's recovery key: asked from the server when `refresh` (and cached in the account
   * record), otherwise — and when the server cannot be asked — as last cached.
   */
  async status(refresh: boolean): Promise<RecoveryKeyStatus> {
    const [account, offer] = await Promise.all([accountItem.getValue(), offerItem.getValue()]);
    if (!account) return { status: 'unknown', createdAt: null, offered: false };
    const offered = offer?.accountId === account.accountId;
    const known = refresh ? await this.fetchRecovery().catch(() => account.recovery) : account.recovery;
    if (known === undefined) return { status: 'unknown', createdAt: null, offered };
    return { status: known ? 'set' : 'none', createdAt: known?.createdAt ?? null, offered };
  }

  private fetchRecovery(): Promise<AccountRecord['recovery']> {
    return this.vault.withOpenVault(async (v) => {
      const keys = await withFreshToken(v, (token) => v.api.accountKeys(token));
      if (keys.accountId !== v.account.accountId) return v.account.recovery;
      await v.saveAccount({ ...v.account, recovery: keys.recovery });
      return keys.recovery;
    });
  }

  /** Right after account creation: the key screen follows, without asking for the password again. */
  async offerAfterSignUp(): Promise<void> {
    const account = await accountItem.getValue();
    if (account) await offerItem.setValue({ accountId: account.accountId });
  }

  /** A new recovery key on demand, once the master password re-entered here opens the vault key. */
  create(screen: string, password: string): Promise<RecoveryKeyShown> {
    return this.vault.withOpenVault(async (v) => {
      const authKey = await provenAuthKey(v.account, password, 'password');
      const authKeyText = toBase64Url(authKey);
      authKey.fill(0);
      return this.issue(screen, v.account, authKeyText);
    });
  }

  /** The key offered after account creation or a recovery: shown once, the offer is used up. */
  takeOffered(screen: string): Promise<RecoveryKeyShown> {
    return this.vault.withOpenVault(async (v) => {
      const offer = await offerItem.getValue();
      if (offer?.accountId !== v.account.accountId) throw new VaultError(ErrorCode.RecoveryKeyDiscarded);
      await offerItem.removeValue();
      return this.issue(screen, v.account, v.authKey);
    });
  }

  private async issue(screen: string, account: AccountRecord, authKey: string): Promise<RecoveryKeyShown> {
    const raw = generateRecoveryKey();
    try {
      const key = await formatRecoveryKey(raw);
      const createdAt = this.deps.now().toISOString();
      await pendingKeyItem.setValue({
        screen,
        accountId: account.accountId,
        key: toBase64Url(raw),
        authKey,
        keyVersion: keyVersionOf(account),
        createdAt,
      });
      return { key, email: account.email, serverUrl: account.serverUrl, createdAt };
    } finally {
      raw.fill(0);
    }
  }

  /**
   * The user typed the key's last group back: the key is stored on the server, replacing any
   * earlier one. A wrong group, or a server that cannot be reached, keeps the key pending.
   */
  confirm(screen: string, lastGroup: string): Promise<RecoveryKeyStatus> {
    return this.vault.withOpenVault(async (v) => {
      const pending = await pendingKeyItem.getValue();
      if (!pending || pending.screen !== screen || pending.accountId !== v.account.accountId) {
        throw new VaultError(ErrorCode.RecoveryKeyDiscarded);
      }
      const raw = fromBase64Url(pending.key);
      const vaultKeyRaw = fromBase64Url(v.vaultKey);
      try {
        if (normalizeGroup(lastGroup) !== lastGroupOf(await formatRecoveryKey(raw))) {
          throw new VaultError(ErrorCode.RecoveryKeyMismatch);
        }
        const { recoveryAuthKey, recoveryWrappingKey } = await deriveRecoveryKeys(raw);
        const recoveryWrappedVaultKey = await wrapKey(
          recoveryWrappingKey,
          vaultKeyRaw,
          recoveryAd(v.account.accountId, pending.keyVersion),
        );
        const body = {
          authKey: pending.authKey,
          recoveryAuthKey: toBase64Url(recoveryAuthKey),
          recoveryWrappedVaultKey,
          keyVersion: pending.keyVersion,
        };
        recoveryAuthKey.fill(0);
        await withFreshToken(v, (token) => v.api.setRecoveryKey(token, body)).catch((e: unknown) => {
          // The password checked here no longer signs in: it was changed on another device.
          if (e instanceof ApiError && e.code === ErrorCode.InvalidCredentials)
            throw new VaultError(ErrorCode.PasswordChangedElsewhere);
          throw e;
        });
      } finally {
        raw.fill(0);
        vaultKeyRaw.fill(0);
      }
      await pendingKeyItem.removeValue();
      const recovery = { createdAt: this.deps.now().toISOString() };
      await v.saveAccount({ ...v.account, recovery });
      return { status: 'set', createdAt: recovery.createdAt, offered: false };
    });
  }

  /** The user cancelled the key screen: its key is forgotten, nothing is sent. */
  async discard(screen: string): Promise<void> {
    if ((await pendingKeyItem.getValue())?.screen === screen) await pendingKeyItem.removeValue();
  }

  /** A popup screen went away (closed, reloaded): whatever it held is forgotten. */
  async screenClosed(screen: string): Promise<void> {
    await this.discard(screen);
    if ((await progressItem.getValue())?.screen === screen) await progressItem.removeValue();
  }

  /** Lock and logout: every secret this module holds goes. */
  async forget(): Promise<void> {
    await Promise.all([pendingKeyItem.removeValue(), offerItem.removeValue(), progressItem.removeValue()]);
  }

  /**
   * Step 1 of "Forgot master password?": parse the recovery key (a typo is refused here, before any
   * request), prove it to the server and open the vault key with it. Wrong keys count toward the
   * account's login lockout on the server (RATE_LIMITED with the wait).
   */
  async startRecovery(
    screen: string,
    serverUrl: string,
    email: string,
    recoveryKey: string,
  ): Promise<{ email: string }> {
    const raw = await this.parse(recoveryKey);
    let progress: RecoveryProgress;
    try {
      // Refused before anything is sent when another account's unsynced changes would be lost.
      await mayReplaceLocalVault({ serverUrl, email });
      const api = this.deps.makeApi(serverUrl);
      const { policy } = await api.checkServer().catch(mapApiError);
      const { recoveryAuthKey, recoveryWrappingKey } = await deriveRecoveryKeys(raw);
      const proof = toBase64Url(recoveryAuthKey);
      recoveryAuthKey.fill(0);
      const reply = await api.recover({ email, recoveryAuthKey: proof }).catch(mapApiError);
      const { accountId, keyVersion } = reply;
      await mayReplaceLocalVault({ serverUrl, email, accountId });
      const current = await openKey(
        recoveryWrappingKey,
        reply.recoveryWrappedVaultKey,
        recoveryAd(accountId, keyVersion),
      );
      let rotation: RecoveryProgress['rotation'] = null;
      if (reply.rotation) {
        const next = await openKey(
          current.key,
          reply.rotation.wrappedByPrevious,
          nextKeyAd(accountId, reply.rotation.keyVersion),
        );
        rotation = { keyVersion: reply.rotation.keyVersion, vaultKey: toBase64Url(next.raw) };
        next.raw.fill(0);
      }
      progress = {
        screen,
        serverUrl,
        email,
        accountId,
        recoveryAuthKey: proof,
        keyVersion,
        vaultKey: toBase64Url(current.raw),
        rotation,
        passwordHistory: reply.passwordHistory,
        policy,
      };
      current.raw.fill(0);
    } finally {
      raw.fill(0);
    }
    await progressItem.setValue(progress);
    return { email };
  }

  private async parse(text: string): Promise<Uint8Array> {
    try {
      return await parseRecoveryKey(text);
    } catch (e) {
      if (!(e instanceof RecoveryKeyError)) throw e;
      if (e.code === 'CHECKSUM_MISMATCH') throw new VaultError(ErrorCode.RecoveryKeyTypo);
      throw new VaultError(ErrorCode.RecoveryKeyFormat, {
        recoveryKey: {
          ...(e.character !== undefined ? { character: e.character } : {}),
          ...(e.group !== undefined ? { group: e.group } : {}),
          ...(e.length !== undefined ? { length: e.length } : {}),
        },
      });
    }
  }

  /**
   * Step 2: the new master password (policy, not one of the last five) replaces the old one — new
   * salt, the default Argon2id, the same vault key re-wrapped — and the server ends every session
   * and clears the recovery key. The vault opens with this device's local changes kept; then the
   * vault key is rotated and a new recovery key is offered.
   */
  async completeRecovery(screen: string, newPassword: string): Promise<VaultState> {
    const progress = await progressItem.getValue();
    if (!progress || progress.screen !== screen) throw new VaultError(ErrorCode.RecoveryInterrupted);
    const { accountId, keyVersion, email, serverUrl } = progress;
    requireAcceptablePassword(newPassword, email, progress.policy, 'newPassword');
    const vaultKeyRaw = fromBase64Url(progress.vaultKey);
    const nextRaw = progress.rotation ? fromBase64Url(progress.rotation.vaultKey) : null;
    const salt = randomBytes(16);
    // The default Argon2id, raised to the server's floor if the operator set it higher.
    const kdf = raiseToFloor(DEFAULT_KDF, progress.policy.kdfFloor);
    let request: Parameters<ApiClient['completeRecovery']>[0];
    let derived: PasswordKeys;
    try {
      const vaultKey = await importSymmetricKey(vaultKeyRaw);
      const history = await historyOf(vaultKey, accountId, keyVersion, progress.passwordHistory);
      if (await isReused(history, newPassword)) throw new VaultError(ErrorCode.PasswordReused);
      derived = await deriveAccountKeys(newPassword, salt, kdf);
      const { authKey, wrappingKey } = derived;
      request = {
        email,
        recoveryAuthKey: progress.recoveryAuthKey,
        kdf,
        salt: toBase64Url(salt),
        authKey: toBase64Url(authKey),
        wrappedVaultKey: await wrapKey(wrappingKey, vaultKeyRaw, vaultKeyAd(accountId, keyVersion)),
        keyVersion,
        ...(progress.rotation && nextRaw
          ? {
              rotationWrappedVaultKey: await wrapKey(
                wrappingKey,
                nextRaw,
                vaultKeyAd(accountId, progress.rotation.keyVersion),
              ),
            }
          : {}),
        passwordHistory: await sealPasswordHistory(
          await withPassword(history, newPassword),
          vaultKey,
          keyVersion,
        ),
      };
    } finally {
      vaultKeyRaw.fill(0);
      nextRaw?.fill(0);
    }
    const api = this.deps.makeApi(serverUrl);
    const reply = await api.completeRecovery(request).catch(async (e: unknown) => {
      derived.authKey.fill(0);
      derived.wrappingKeyRaw.fill(0);
      // The vault key changed between the two steps (a rotation started or finished elsewhere):
      // what step 1 opened is out of date, so it starts over.
      const stale =
        e instanceof ApiError &&
        (e.code === ErrorCode.KeyVersionStale ||
          e.code === ErrorCode.RotationPending ||
          (e.code === ErrorCode.Validation && e.serverField === 'rotationWrappedVaultKey'));
      if (stale) {
        await progressItem.removeValue();
        throw new VaultError(ErrorCode.RecoveryInterrupted);
      }
      mapApiError(e);
    });
    await progressItem.removeValue();
    const account: AccountRecord = {
      accountId,
      email,
      serverUrl,
      kdf,
      salt: request.salt,
      wrappedVaultKey: request.wrappedVaultKey,
      keyVersion,
      recovery: null,
    };
    // A vault another account left here (with nothing unsynced: checked in step 1) goes; this
    // account's stays, with its unsynced edits, and opens with the same vault key.
    if (await mayReplaceLocalVault(account)) await clearVault();
    await this.vault.openWithCredentials(api, account, derived, null, reply);
    // The old recovery key wrapped this vault key: replace the key, then issue a new recovery key.
    // When the rotation cannot finish now (offline), it resumes at the next unlock and the items
    // screen offers "create one" instead.
    try {
      await this.deps.rotation?.rotateVaultKey(newPassword);
      await offerItem.setValue({ accountId });
    } catch {
      // The vault is open and every local change kept; the state shows why syncing stopped.
    }
    return this.vault.state();
  }

  async cancelRecovery(screen: string): Promise<void> {
    if ((await progressItem.getValue())?.screen === screen) await progressItem.removeValue();
  }
}
