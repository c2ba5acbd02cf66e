import { eq } from 'drizzle-orm';
import { z } from 'zod';
import { CliError } from './audit/cli.ts';
import type { AuditMeta } from './audit/record.ts';
import type { Db } from './db/client.ts';
import { accounts } from './db/schema.ts';
import { declare, inScope } from './db/scope.ts';
import { email as emailSchema } from './routes/common-schema.ts';
import { endSessionsOf } from './session-lifecycle.ts';

/**
 * The operator's side of sessions (docs/operations/incident-response.md, "Contain"): end every live
 * device session of one account, as its user's "Log out all other devices" would, but all of them.
 * It runs through the same code as a request: one transaction acting as the account, one
 * `session.revoked` (reason `operator`) recorded per session, and the revocation NOTIFY that makes
 * every server process close the sessions' push streams once it commits.
 */

/** Which account: its id, or its email (compared as the server stores it: trimmed, lower case). */
export type AccountRef = { accountId: string } | { email: string };

export interface EndedSessions {
  accountId: string;
  /** Sessions this call ended (0 when none was live). */
  ended: number;
}

export const SESSIONS_END_USAGE = 'usage: npm run sessions:end -- --email <address> | --account <account id>';

/** The one account the options name (exactly one of the two). */
export function accountRefOf(values: {
  email?: string | undefined;
  account?: string | undefined;
}): AccountRef {
  const { email, account } = values;
  if ((email === undefined) === (account === undefined))
    throw new CliError('USAGE', `name the account with one of --email and --account; ${SESSIONS_END_USAGE}`);
  if (email !== undefined) {
    const parsed = emailSchema.safeParse(email);
    if (!parsed.success) throw new CliError('USAGE', `--email: not an email address; ${SESSIONS_END_USAGE}`);
    return { email: parsed.data };
  }
  const parsed = z.uuid().safeParse(account?.trim());
  if (!parsed.success)
    throw new CliError('USAGE', `--account: not an account id (a UUID); ${SESSIONS_END_USAGE}`);
  return { accountId: parsed.data.toLowerCase() };
}

/** No account has that id or email: nothing was changed. */
export class NoSuchAccountError extends Error {
  override readonly name = 'NoSuchAccountError';
  constructor(readonly by: 'accountId' | 'email') {
    super(`no account has this ${by === 'email' ? 'email' : 'id'}`);
  }
}

/**
 * Ends every live session of the account in one transaction and answers how many ended. Sessions
 * that had already ended are left as they were (their reason stays theirs); a second call ends 0.
 */
export async function endAccountSessions(db: Db, ref: AccountRef, meta: AuditMeta): Promise<EndedSessions> {
  const principal = 'email' in ref ? { email: ref.email } : { account: ref.accountId };
  return inScope(db, principal, async (tx) => {
    const [account] = await tx
      .select({ id: accounts.id })
      .from(accounts)
      .where('email' in ref ? eq(accounts.email, ref.email) : eq(accounts.id, ref.accountId));
    if (!account) throw new NoSuchAccountError('email' in ref ? 'email' : 'accountId');
    // Found by email: declare the account too, so its sessions and events are this transaction's.
    if ('email' in ref) await declare(tx, { account: account.id });
    const ended = await endSessionsOf(tx, meta, { accountId: account.id, except: null, reason: 'operator' });
    return { accountId: account.id, ended };
  });
}
