import type { z } from 'zod';
import { describeIssue, errorFields, errorMessage, errorMessages } from '../messaging/error-messages.ts';
import {
  ErrorCode,
  type MessageName,
  type ParsedRequestOf,
  type Reply,
  type Responses,
  requestSchemas,
} from '../messaging/protocol.ts';
import type { AccountActivity } from './account-activity.ts';
import { deleteAccount } from './account-deletion.ts';
import type { AutofillService } from './autofill-service.ts';
import { changeMasterPassword } from './password-change.ts';
import type { RecoveryKeys } from './recovery-key.ts';
import { securityOverview } from './security-overview.ts';
import { VaultError } from './vault-error.ts';
import { vaultResetAvailable } from './vault-reset.ts';
import type { VaultService } from './vault-service.ts';

type Handlers = { [N in MessageName]: (req: ParsedRequestOf<N>) => Promise<Responses[N]> };

export const createHandlers = (
  vault: VaultService,
  autofill: AutofillService,
  activity: AccountActivity,
  recovery: RecoveryKeys,
) =>
  ({
    getState: () => vault.state(),
    register: async (r) => {
      const state = await vault.register(r.serverUrl, r.email, r.password);
      // The recovery key screen follows account creation.
      await recovery.offerAfterSignUp();
      return state;
    },
    login: (r) => vault.login(r.serverUrl, r.email, r.password),
    passwordPolicy: (r) => vault.passwordPolicy(r.serverUrl),
    unlock: (r) => vault.unlock(r.password),
    signInAgain: (r) => vault.signInAgain(r.password),
    lock: () =>
      vault.lock().finally(async () => {
        autofill.clear();
        await recovery.forget();
      }),
    logout: async (r) => {
      const result = await vault.logout(r.discardUnsynced);
      // A refused logout keeps everything, including a save prompt the user has not answered yet.
      if (result.status === 'logged-out') {
        autofill.clear();
        await recovery.forget();
      }
      return result;
    },
    listItems: (r) => vault.listPage(r.query, r.limit),
    getItem: (r) => vault.getItem(r.id),
    saveItem: (r) => vault.saveItem(r.id, r.fields),
    deleteItem: (r) => vault.deleteItem(r.id),
    syncNow: () => vault.syncNow(),
    autofillMatches: () => autofill.tabMatches(),
    fillItem: (r) => autofill.fillTab(r.id, r.allowInsecure),
    menuState: (r) => autofill.menuState(r.session),
    menuChoose: (r) => autofill.menuChoose(r.session, r.action),
    menuDismiss: (r) => autofill.menuDismiss(r.session, r.refocus).then(() => null),
    promptState: async (r) => autofill.promptState(r.session),
    promptAnswer: (r) => autofill.promptAnswer(r.session, r.answer).then(() => null),
    accountActivity: (r) => activity.page(r.before),
    rotateVaultKey: (r) => vault.rotateVaultKey(r.password),
    recoveryKeyStatus: (r) => recovery.status(r.refresh),
    createRecoveryKey: (r) => recovery.create(r.screen, r.password),
    offeredRecoveryKey: (r) => recovery.takeOffered(r.screen),
    confirmRecoveryKey: (r) => recovery.confirm(r.screen, r.lastGroup),
    discardRecoveryKey: (r) => recovery.discard(r.screen).then(() => null),
    startAccountRecovery: (r) => recovery.startRecovery(r.screen, r.serverUrl, r.email, r.recoveryKey),
    completeAccountRecovery: (r) => recovery.completeRecovery(r.screen, r.newPassword),
    cancelAccountRecovery: (r) => recovery.cancelRecovery(r.screen).then(() => null),
    securityOverview: () => vault.withOpenVault(securityOverview),
    changePassword: async (r) => {
      await vault.withOpenVault((v) => changeMasterPassword(v, r));
      return vault.state();
    },
    passwordReminder: () => vault.passwordReminder(),
    dismissPasswordReminder: () => vault.dismissPasswordReminder().then(() => null),
    vaultResetAvailable: async () => ({ available: await vault.withLockedAccount(vaultResetAvailable) }),
    resetVault: (r) => vault.resetVault(r.email, r.newPassword),
    deleteAccount: async (r) => {
      await vault.withOpenVault((v) => deleteAccount(v, r.password, r.email));
      autofill.clear();
      await recovery.forget();
      return vault.state();
    },
  }) satisfies Handlers;

/** The parts of `runtime.MessageSender` the trust check reads. */
export interface SenderInfo {
  id?: string;
  url?: string;
}

/**
 * Only our own extension pages (popup, options — also when opened in a tab) may drive the vault.
 * A content script's sender URL is the web page's, never our origin; another extension has
 * another id. Both are refused.
 */
export function isTrustedSender(sender: SenderInfo, extensionId: string, extensionOrigin: string): boolean {
  if (sender.id !== extensionId || !sender.url) return false;
  return originOf(sender.url) === originOf(extensionOrigin);
}

/** scheme://host, computed by hand: `URL.origin` is "null" for non-special schemes in some runtimes. */
function originOf(url: string): string | null {
  try {
    const u = new URL(url);
    return `${u.protocol}//${u.host}`;
  } catch {
    return null;
  }
}

const fail = (
  code: ErrorCode,
  message = errorMessages[code],
  extra: { field?: string; retryAfterSeconds?: number } = {},
): Reply<never> => ({ ok: false, code, message, ...extra });

/** A VaultError as a reply: its message names what it can, and the field it is about when the request has it. */
function failWith(e: VaultError, request: unknown): Reply<never> {
  const field = e.detail.field ?? errorFields[e.code];
  const retryAfterSeconds = e.detail.retryAfterSeconds;
  return fail(e.code, errorMessage(e.code, e.detail), {
    ...(field !== undefined && typeof request === 'object' && request !== null && field in request
      ? { field }
      : {}),
    ...(retryAfterSeconds !== undefined ? { retryAfterSeconds } : {}),
  });
}

export async function dispatch(handlers: Handlers, message: unknown): Promise<Reply<unknown>> {
  if (typeof message !== 'object' || message === null) return fail(ErrorCode.Validation);
  const { name, request } = message as { name?: unknown; request?: unknown };
  if (typeof name !== 'string' || !Object.hasOwn(requestSchemas, name)) return fail(ErrorCode.Validation);
  const key = name as MessageName;
  const schema: z.ZodType = requestSchemas[key];
  const parsed = schema.safeParse(request ?? {});
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    if (!issue) return fail(ErrorCode.Validation);
    const { field, message } = describeIssue(issue);
    return fail(ErrorCode.Validation, message, { field });
  }
  try {
    const handler = handlers[key] as (req: unknown) => Promise<unknown>;
    return { ok: true, value: await handler(parsed.data) };
  } catch (e) {
    if (e instanceof VaultError) return failWith(e, parsed.data);
    // Unexpected: a bug. Report a generic code; never echo the error (it could carry data).
    console.error('Keyhold: unexpected error handling', key, e instanceof Error ? e.name : typeof e);
    return fail(ErrorCode.Internal);
  }
}
