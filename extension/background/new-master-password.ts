import { basicPasswordProblem, type PasswordPolicy } from '../messaging/password-policy.ts';
import { ErrorCode } from '../messaging/protocol.ts';
import { VaultError } from './vault-error.ts';

/**
 * The service worker's own check of a new master password (create, change, vault reset), before
 * any key is derived from it. The popup has already judged its strength with zxcvbn
 * (popup/password-strength.ts); the worker does not load that estimator (~1.5 MB of dictionaries
 * parsed at every worker start, for a check only our own popup can ask for) and re-checks what
 * needs no dictionary: the server's minimum length and the email. Reuse is checked against the
 * password history where the caller has it.
 */
export function requireAcceptablePassword(
  password: string,
  email: string,
  policy: PasswordPolicy,
  field: string,
): void {
  const problem = basicPasswordProblem(password, email, policy);
  if (problem === null) return;
  throw new VaultError(ErrorCode.WeakPassword, {
    field,
    passwordProblem: { problem, minLength: policy.passwordMinLength },
  });
}
