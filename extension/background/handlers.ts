import type { z } from 'zod';
import { describeIssue, errorFields, errorMessage, errorMessages } from '../messaging/error-messages.ts';
import {
  ErrorCode,
  type MessageName,
  type ParsedRequestOf,
  type Reply,
  type Responses,
} from '../messaging/protocol.ts';
import { requestSchemas } from '../messaging/protocol-schemas.ts';
import { readSettings, writeSettings } from '../settings/stored-settings.ts';
import { unlockSessionItem } from '../storage/items.ts';
import type { AccountActivity } from './account-activity.ts';
import { deleteAccount } from './account-deletion.ts';
import type { AutofillService } from './autofill-service.ts';
import type { ClipboardService } from './clipboard.ts';
import type { Devices } from './devices.ts';
import { GeneratorService } from './generator-service.ts';
import { ItemViews } from './item-view.ts';
import { followUnlock, forgetKeptUnlock } from './kept-unlock.ts';
import { listNeverSites, removeNeverSite } from './never-sites.ts';
import { changeMasterPassword } from './password-change.ts';
import type { RecoveryKeys } from './recovery-key.ts';
import { securityOverview } from './security-overview.ts';
import { clearSessionEnded, sessionEndedNotice } from './session-ended.ts';
import { VaultError } from './vault-error.ts';
import { VaultExports } from './vault-export-service.ts';
import { VaultHealth } from './vault-health.ts';
import { vaultResetAvailable } from './vault-reset.ts';
import type { VaultService } from './vault-service.ts';

type Handlers = { [N in MessageName]: (req: ParsedRequestOf<N>) => Promise<Responses[N]> };

export const createHandlers = (
  vault: VaultService,
  autofill: AutofillService,
  activity: AccountActivity,
  recovery: RecoveryKeys,
  devices: Devices,
  // Stateless (everything it keeps is in storage): a second instance would behave the same.
  generator: GeneratorService = new GeneratorService(vault),
  /** Absent in a worker without a clipboard document: every copy fails with CLIPBOARD_FAILED. */
  clipboard?: ClipboardService,
  health: VaultHealth = new VaultHealth(),
  exports: VaultExports = new VaultExports(vault),
) => {
  const views = new ItemViews((id) => vault.items.getItem(id), clipboard);
  return {
    getState: () => vault.shownState(),
    register: async (r) => {
      const state = await vault.register(r.serverUrl, r.email, r.password);
      // The recovery key screen follows account creation.
      await recovery.offerAfterSignUp();
      return state;
    },
    login: async (r) => {
      const state = await vault.login(r.serverUrl, r.email, r.password);
      await clearSessionEnded();
      return state;
    },
    passwordPolicy: (r) => vault.passwordPolicy(r.serverUrl),
    unlock: async (r) => {
      // The explanation the unlock screen showed is answered by this login; an end found during it stays to be read.
      const shown = await sessionEndedNotice();
      const state = await vault.unlock(r.password);
      if (state.status === 'unlocked') health.warmLater(() => vault.readVault());
      if (shown && state.status === 'unlocked') await clearSessionEnded(shown);
      return state;
    },
    signInAgain: async (r) => {
      const state = await vault.signInAgain(r.password);
      if (state.status === 'unlocked') health.warmLater(() => vault.readVault());
      await clearSessionEnded();
      return state;
    },
    lock: () =>
      vault.lock().finally(async () => {
        autofill.clear();
        health.clear();
        await recovery.forget();
        await forgetKeptUnlock();
      }),
    logout: async (r) => {
      const result = await vault.logout(r.discardUnsynced);
      // A refused logout keeps everything, including a save prompt the user has not answered yet.
      if (result.status === 'logged-out') {
        await forgetKeptUnlock();
        autofill.clear();
        health.clear();
        await recovery.forget();
        await clearSessionEnded();
      }
      return result;
    },
    listItems: (r) => vault.items.listPage(r),
    listFolders: () => vault.items.listFolders(),
    getItem: (r) => vault.items.getItem(r.id),
    saveItem: (r) => vault.items.saveItem(r.id, r.fields),
    deleteItem: (r) => vault.items.deleteItem(r.id),
    restoreItem: (r) => vault.items.restoreItem(r.id),
    deleteForever: (r) => vault.items.deleteForever(r.id),
    emptyTrash: () => vault.items.emptyTrash(),
    importDuplicates: async (r) => ({ duplicates: await vault.imports.duplicates(r.logins) }),
    importBegin: () => vault.imports.begin(),
    importAdd: (r) => vault.imports.add(r.id, r.entries),
    importFinish: (r) => vault.imports.finish(r.id),
    importCancel: async (r) => {
      vault.imports.cancel(r.id);
      return {};
    },
    exportVault: async (r) => ({ items: await exports.items(r.password, r.format) }),
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
    listDevices: () => devices.list(),
    renameDevice: (r) => devices.rename(r.label),
    logOutDevice: (r) => devices.logOut(r.id),
    logOutOtherDevices: () => devices.logOutOthers(),
    signInNotice: () => devices.notice(),
    dismissSignInNotice: () => devices.dismissNotice().then(() => null),
    dismissSessionEnded: () => clearSessionEnded().then(() => null),
    getSettings: () => readSettings(),
    updateSettings: async (r) => {
      const settings = await writeSettings(r);
      // The sealed copy follows "lock on browser restart" before the answer: a browser closed right
      // after the user saved must find it as they chose (kept-unlock.ts).
      if (r.lockOnBrowserRestart !== undefined) await followUnlock(await unlockSessionItem.getValue());
      return settings;
    },
    listNeverSites: () => listNeverSites(),
    removeNeverSite: (r) => removeNeverSite(r.host),
    vaultHealth: async (r) => health.report(await vault.readVault(), r.oldAfterDays),
    deleteAccount: async (r) => {
      await vault.withOpenVault((v) => deleteAccount(v, r.password, r.email));
      autofill.clear();
      await recovery.forget();
      return vault.state();
    },
    generatorOptions: () => generator.options(),
    generatePassword: (r) => generator.generate(r.options),
    recordGenerated: (r) => generator.record(r.value, r.kind).then(() => null),
    generatorHistory: async () => ({ entries: await generator.history() }),
    clearGeneratorHistory: () => generator.clear().then(() => null),
    itemView: (r) => views.view(r.id),
    revealField: (r) => views.reveal(r.id, r.path),
    totpCode: (r) => views.totp(r.id),
    copyField: (r) => views.copy(r.id, r.path),
    copyText: (r) => views.copyText(r.text),
    clipboardDue: async () => {
      await clipboard?.clearDue();
      return null;
    },
  } satisfies Handlers;
};

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
