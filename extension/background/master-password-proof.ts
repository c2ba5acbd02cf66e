import { CryptoError, deriveAccountKeys, fromBase64Url, unwrapKey } from '../../shared-crypto/index.ts';
import { ErrorCode } from '../messaging/protocol.ts';
import type { AccountRecord } from '../storage/items.ts';
import { vaultKeyAd } from './item-crypto.ts';
import { VaultError } from './vault-error.ts';

/**
 * The auth key of `password` for this account, proven locally: the password must open the wrapped
 * vault key (WRONG_PASSWORD on `field` otherwise), so a mistyped password never reaches the server.
 */
export async function provenAuthKey(
  account: AccountRecord,
  password: string,
  field: string,
): Promise<Uint8Array> {
  const { authKey, wrappingKey } = await deriveAccountKeys(
    password,
    fromBase64Url(account.salt),
    account.kdf,
  );
  try {
    const { raw } = await unwrapKey(
      wrappingKey,
      account.wrappedVaultKey,
      vaultKeyAd(account.accountId, account.keyVersion ?? 1),
    );
    raw.fill(0);
    return authKey;
  } catch (e) {
    authKey.fill(0);
    if (e instanceof CryptoError && e.code === 'WRONG_KEY')
      throw new VaultError(ErrorCode.WrongPassword, { field });
    if (e instanceof CryptoError) throw new VaultError(ErrorCode.CorruptData);
    throw e;
  }
}
