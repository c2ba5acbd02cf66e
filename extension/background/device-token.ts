import { storage } from 'wxt/utils/storage';

/**
 * Device tokens (docs/sessions.md, "Lockout abuse: device tokens"): the server answers each
 * successful login with one, bound to the email; this device sends it back at its next login for
 * that email, which the server then counts on the token's own limit key — so an account lock
 * triggered by someone else's guesses does not keep this device out. One per email, the latest.
 * Not a vault secret (it opens nothing without the master password); kept across logouts on purpose.
 */
export const deviceTokensItem = storage.defineItem<Record<string, string>>('local:deviceTokens', {
  fallback: {},
  version: 1,
});

const keyOf = (email: string) => email.trim().toLowerCase();

export async function deviceTokenFor(email: string): Promise<string | undefined> {
  return (await deviceTokensItem.getValue())[keyOf(email)];
}

export async function rememberDeviceToken(email: string, token: string | undefined): Promise<void> {
  if (!token) return;
  const tokens = await deviceTokensItem.getValue();
  if (tokens[keyOf(email)] === token) return;
  await deviceTokensItem.setValue({ ...tokens, [keyOf(email)]: token });
}

/** The account of `email` is gone (deleted from this device): its token has nothing left to vouch for. */
export async function forgetDeviceToken(email: string): Promise<void> {
  const tokens = await deviceTokensItem.getValue();
  if (!(keyOf(email) in tokens)) return;
  const { [keyOf(email)]: _gone, ...rest } = tokens;
  if (Object.keys(rest).length === 0) await deviceTokensItem.removeValue();
  else await deviceTokensItem.setValue(rest);
}
