import {
  type ContentResponses,
  WORKER_CHANNEL,
  type WorkerMessage,
  type WorkerReplies,
} from '../autofill/content-protocol.ts';
import { FieldKind } from '../autofill/field-kind.ts';
import { frameOrigin, resolveInheritedFrames, sameOrigin } from '../autofill/frame-origin.ts';
import type { FillOp, FrameReport } from '../autofill/page-fields.ts';
import { planLogin, planNewPassword, planOtp } from '../autofill/plan.ts';
import { parseTotpSecret, totpCode } from '../autofill/totp.ts';
import { bestMatch, parseSiteUrl, rankMatches } from '../autofill/url-match.ts';
import type { GeneratorKind } from '../generator/options.ts';
import { t } from '../i18n/index.ts';
import {
  ErrorCode,
  type FillResult,
  FillStatus,
  type ItemSummary,
  type MenuState,
  type PromptState,
  type TabMatches,
} from '../messaging/protocol.ts';
import { attentionItem, neverSitesItem } from '../storage/items.ts';
import { VaultError } from './vault-error.ts';
import type { AutofillLogin } from './vault-items.ts';

/**
 * Plan, in the service worker (README: autofill pipeline). It decides which login goes where from
 * data only: the frame URL comes from the browser (`sender`, `webNavigation`), fields arrive as
 * opaque ids, and the content script gets one fill plan for its own frame — never an item list,
 * never a login that does not match that frame.
 */

/** What the worker needs from the vault. */
export interface AutofillVault {
  isUnlocked(): Promise<boolean>;
  hasAccount(): Promise<boolean>;
  autofillLogins(): Promise<AutofillLogin[]>;
  markUsed(id: string): Promise<void>;
  createLogin(fields: { title: string; username: string; password: string; url: string }): Promise<void>;
  updatePassword(id: string, password: string): Promise<void>;
}

/** The generator, for "generate" on a new-password field (generator-service.ts). */
export interface FieldGenerator {
  /** A value from the user's saved generator options. */
  generateForField(): Promise<{ value: string; kind: GeneratorKind }>;
  /** The value was filled into a page: it goes into the generator history. */
  record(value: string, kind: GeneratorKind): Promise<void>;
}

/** What the worker needs from the browser's tabs (real: tabs + webNavigation; tests: fakes). */
export interface TabsPort {
  activeTab(): Promise<{ id: number; url: string | null } | null>;
  /** The tab's frames as the browser lists them (`webNavigation.getAllFrames`). */
  frames(tabId: number): Promise<{ frameId: number; parentFrameId?: number; url: string }[]>;
  send<N extends WorkerMessage['name']>(
    tabId: number,
    frameId: number,
    message: Extract<WorkerMessage, { name: N }>,
  ): Promise<WorkerReplies[N] | undefined>;
  openPopup(): Promise<void>;
}

/** Who sent a content-script message, as the browser (not the page) reports it. */
export interface FrameSender {
  tabId: number;
  frameId: number;
  url: string;
  /** `sender.origin`: "null" for a sandboxed frame. */
  origin: string | null;
}

interface MenuSession {
  tabId: number;
  frameId: number;
  url: string;
  fieldId: string;
  purpose: MenuState['purpose'];
  /** Ids offered in this menu: a fill request for anything else is refused. */
  offered: Set<string>;
  createdAt: number;
}

interface PendingPrompt {
  session: string;
  tabId: number;
  url: string;
  kind: PromptState['kind'];
  username: string;
  password: string;
  itemId: string | null;
  title: string | null;
  createdAt: number;
}

const MENU_TTL_MS = 10 * 60_000;
const PROMPT_TTL_MS = 2 * 60_000;
const TOTP_TTL_MS = 3 * 60_000;
const STEP_TTL_MS = 5 * 60_000;
const SHORTCUT_CYCLE_MS = 15_000;
const MAX_SUGGESTIONS = 8;

/** What a fill result says, read when used (in the browser's language). */
const words = {
  get nothing() {
    return t('worker.nothing');
  },
  get noMatch() {
    return t('worker.noMatch');
  },
  get insecure() {
    return t('worker.insecure');
  },
  get sandboxed() {
    return t('worker.sandboxed');
  },
  get unreachable() {
    return t('worker.unreachable');
  },
  get navigated() {
    return t('worker.navigated');
  },
  get partly() {
    return t('worker.filledPartly');
  },
  get noMatches() {
    return t('worker.noMatches');
  },
};

const result = (status: FillStatus, filled = 0, message: string | null = null): FillResult => ({
  status,
  filled,
  message,
});

interface Inserted {
  filled: number;
  unfilled: number;
  message: string | null;
}

/** What a write that happened says: all in, or "Filled partly: …" when some fields took nothing. */
const filledResult = (outcome: Inserted): FillResult =>
  result(FillStatus.Filled, outcome.filled, outcome.unfilled > 0 ? words.partly : null);

/**
 * Why a frame's fresh report cannot take a plan made for `browserUrl` (the frame URL the browser
 * gave us), or null when it can. Only the origin is compared: a single-page app moves to another
 * path with `history.pushState` in the same document, and the browser may keep reporting the old
 * URL; a page can push any path of its own origin, so the path decides nothing. Another origin is a
 * real navigation, and the plan is refused.
 */
function frameChanged(report: FrameReport | null, browserUrl: string): string | null {
  if (!report) return words.unreachable;
  if (report.sandboxed) return words.sandboxed;
  if (!sameOrigin(report.url, browserUrl)) return words.navigated;
  return null;
}

export class AutofillService {
  private readonly menus = new Map<string, MenuSession>();
  private readonly prompts = new Map<string, PendingPrompt>();
  /** The attention flag's last written value (0: cleared), so unchanged values cost no write. */
  private attentionUntil = -1;
  private readonly pendingTotp = new Map<number, { itemId: string; url: string; until: number }>();
  private readonly firstStep = new Map<number, { username: string; url: string; at: number }>();
  private readonly generated = new Map<number, { password: string; url: string; at: number }>();
  /** The order the shortcut cycles in is fixed when the cycle starts: each fill re-ranks by use. */
  private readonly shortcutCycle = new Map<
    number,
    { ids: string[]; index: number; at: number; url: string }
  >();

  constructor(
    private readonly vault: AutofillVault,
    private readonly tabs: TabsPort,
    private readonly generator: FieldGenerator,
    private readonly now: () => number = Date.now,
    private readonly newId: () => string = () => crypto.randomUUID(),
  ) {}

  // ---- matching -------------------------------------------------------------------------------

  private async matchesFor(url: string): Promise<AutofillLogin[]> {
    if (!(await this.vault.isUnlocked())) return [];
    return rankMatches(await this.vault.autofillLogins(), url);
  }

  async tabMatches(): Promise<TabMatches> {
    const tab = await this.tabs.activeTab();
    const pageUrl = tab?.url && parseSiteUrl(tab.url) ? tab.url : null;
    if (pageUrl === null) return { pageUrl: null, items: [] };
    const items = (await this.matchesFor(pageUrl)).map(summary);
    return { pageUrl, items };
  }

  // ---- filling --------------------------------------------------------------------------------

  private async login(id: string): Promise<AutofillLogin> {
    const found = (await this.vault.autofillLogins()).find((l) => l.id === id);
    if (!found) throw new VaultError(ErrorCode.NotFound);
    return found;
  }

  /**
   * Fills `login` into one frame, after re-collecting it. The login is matched against the URL the
   * browser gave us; the content script's report must still be on that URL's origin (its path may
   * have moved by pushState), else nothing is written.
   */
  private async fillFrame(
    tabId: number,
    frame: { frameId: number; url: string },
    login: AutofillLogin,
    allowInsecure: boolean,
    focusedId: string | null,
  ): Promise<FillResult> {
    const match = bestMatch(login.uris, parseSiteUrl(frame.url) ?? nullSite);
    if (!match) return result(FillStatus.Refused, 0, words.noMatch);
    if (match.insecure && !allowInsecure) return result(FillStatus.NeedsConfirmation, 0, words.insecure);
    const report = await this.collect(tabId, frame.frameId, focusedId);
    const changed = frameChanged(report, frame.url);
    if (changed !== null || !report) return result(FillStatus.Refused, 0, changed);
    const ops = planLogin(
      report,
      { username: login.fields.username, password: login.fields.password },
      focusedId,
    );
    if (ops.length === 0) return result(FillStatus.NothingToFill, 0, words.nothing);
    const outcome = await this.insert(tabId, frame.frameId, report, ops);
    if (outcome.filled === 0) return result(FillStatus.Refused, 0, outcome.message ?? words.nothing);
    void this.vault.markUsed(login.id);
    if (login.fields.totp !== '') {
      this.pendingTotp.set(tabId, { itemId: login.id, url: frame.url, until: this.now() + TOTP_TTL_MS });
      await this.refreshAttention();
    }
    return filledResult(outcome);
  }

  /** The frame's fields; with `fieldId` (the menu's field), only that field's group. */
  private async collect(
    tabId: number,
    frameId: number,
    fieldId: string | null = null,
  ): Promise<FrameReport | null> {
    const message = { channel: WORKER_CHANNEL, name: 'collect', ...(fieldId ? { fieldId } : {}) } as const;
    try {
      return (await this.tabs.send(tabId, frameId, message)) ?? null;
    } catch {
      return null;
    }
  }

  /** Sends the plan for the document `report` came from; the content script re-checks it. */
  private async insert(
    tabId: number,
    frameId: number,
    report: FrameReport,
    ops: FillOp[],
  ): Promise<Inserted> {
    try {
      const outcome = await this.tabs.send(tabId, frameId, {
        channel: WORKER_CHANNEL,
        name: 'fill',
        plan: { url: report.url, doc: report.doc, ops },
      });
      const filled = outcome?.filled ?? 0;
      // An answer without the count (an older content script) counts every missing write.
      const unfilled = typeof outcome?.unfilled === 'number' ? outcome.unfilled : ops.length - filled;
      return { filled, unfilled, message: outcome?.refused ?? null };
    } catch {
      return { filled: 0, unfilled: ops.length, message: words.unreachable };
    }
  }

  /**
   * Popup "Fill", keyboard shortcut, context menu: the login goes into every frame of the tab whose
   * own URL it matches and that has login fields — the top frame first. A cross-origin frame gets
   * it only if the login matches that frame's origin; a top-level match never leaks into it.
   */
  async fillTab(
    id: string,
    allowInsecure: boolean,
    only?: { frameId: number; url: string },
  ): Promise<FillResult> {
    const tab = await this.tabs.activeTab();
    if (!tab) return result(FillStatus.NothingToFill, 0, words.nothing);
    return this.fillInTab(tab.id, id, allowInsecure, only);
  }

  async fillInTab(
    tabId: number,
    id: string,
    allowInsecure: boolean,
    only?: { frameId: number; url: string },
  ): Promise<FillResult> {
    const login = await this.login(id);
    const frames = await this.fillableFrames(tabId, only);
    let best: FillResult = result(FillStatus.NothingToFill, 0, words.nothing);
    let total = 0;
    let partly: string | null = null;
    for (const frame of frames) {
      if (!parseSiteUrl(frame.url) || !bestMatch(login.uris, parseSiteUrl(frame.url) ?? nullSite)) continue;
      const r = await this.fillFrame(tabId, frame, login, allowInsecure, null);
      if (r.status === FillStatus.NeedsConfirmation) return r;
      if (r.status === FillStatus.Filled) {
        total += r.filled;
        partly ??= r.message;
      } else if (best.status === FillStatus.NothingToFill && r.status === FillStatus.Refused) best = r;
    }
    return total > 0 ? result(FillStatus.Filled, total, partly) : best;
  }

  /**
   * The frames a fill may go to, each with the URL it is matched by: `only` when the browser gave
   * its http(s) URL, else the tab's frames (or that one frame of them), with `about:blank` /
   * `about:srcdoc` frames on the origin they inherit — top frame first.
   */
  private async fillableFrames(
    tabId: number,
    only?: { frameId: number; url: string },
  ): Promise<{ frameId: number; url: string }[]> {
    if (only && frameOrigin(only.url) !== null) return [only];
    const all = resolveInheritedFrames(await this.tabs.frames(tabId).catch(() => []));
    const frames = only ? all.filter((f) => f.frameId === only.frameId) : all;
    return frames.sort((a, b) => a.frameId - b.frameId);
  }

  /** Keyboard shortcut: the best match for the tab; pressed again within a few seconds, the next one. */
  async shortcut(): Promise<FillResult> {
    const tab = await this.tabs.activeTab();
    if (!tab?.url) return result(FillStatus.NothingToFill, 0, words.nothing);
    if (!(await this.vault.isUnlocked())) {
      await this.tabs.openPopup().catch(() => undefined);
      return result(FillStatus.Refused, 0, t('errors.code.locked'));
    }
    const matches = await this.matchesFor(tab.url);
    if (matches.length === 0) return result(FillStatus.NothingToFill, 0, words.noMatches);
    const last = this.shortcutCycle.get(tab.id);
    const live = new Set(matches.map((m) => m.id));
    const continuing =
      last &&
      this.now() - last.at < SHORTCUT_CYCLE_MS &&
      last.url === tab.url &&
      last.ids.every((id) => live.has(id));
    const ids = continuing ? last.ids : matches.map((m) => m.id);
    const index = continuing ? (last.index + 1) % ids.length : 0;
    this.shortcutCycle.set(tab.id, { ids, index, at: this.now(), url: tab.url });
    // The shortcut cannot ask about plain http itself: the popup, which can, opens instead.
    const r = await this.fillInTab(tab.id, ids[index] as string, false);
    if (r.status === FillStatus.NeedsConfirmation) await this.tabs.openPopup().catch(() => undefined);
    return r;
  }

  /** Context-menu entries for a focused field: the logins matching that frame. */
  async contextMenuChoices(frameUrl: string): Promise<ItemSummary[]> {
    return (await this.matchesFor(frameUrl)).slice(0, MAX_SUGGESTIONS).map(summary);
  }

  openPopup(): Promise<void> {
    return this.tabs.openPopup().catch(() => undefined);
  }

  // ---- inline menu ----------------------------------------------------------------------------

  async fieldFocused(
    from: FrameSender,
    fieldId: string,
    kind: 'username' | 'password' | 'new-password' | 'otp',
  ): Promise<ContentResponses['fieldFocused']> {
    if (isOpaque(from) || !parseSiteUrl(from.url) || !(await this.vault.hasAccount())) return null;
    if (await this.isNever(from.url)) return null;
    this.expire();
    const purpose: MenuState['purpose'] =
      kind === FieldKind.NewPassword ? 'new-password' : kind === FieldKind.Otp ? 'otp' : 'login';
    let offered: AutofillLogin[] = [];
    let rows = 1;
    if (await this.vault.isUnlocked()) {
      offered = (await this.matchesFor(from.url)).slice(0, MAX_SUGGESTIONS);
      if (purpose === 'otp') offered = offered.filter((l) => parseTotpSecret(l.fields.totp) !== null);
      if (purpose === 'new-password') offered = [];
      if (purpose !== 'new-password' && offered.length === 0) return null;
      rows = Math.max(1, offered.length);
    }
    for (const [id, menu] of this.menus) if (menu.tabId === from.tabId) this.menus.delete(id);
    const session = this.newId();
    this.menus.set(session, {
      tabId: from.tabId,
      frameId: from.frameId,
      url: from.url,
      fieldId,
      purpose,
      offered: new Set(offered.map((l) => l.id)),
      createdAt: this.now(),
    });
    return { menu: session, rows };
  }

  async menuState(session: string): Promise<MenuState> {
    const menu = this.menus.get(session);
    const host = menu ? (parseSiteUrl(menu.url)?.hostname ?? '') : '';
    if (!menu) return { status: 'expired', host, purpose: 'login', suggestions: [] };
    if (!(await this.vault.isUnlocked()))
      return { status: 'locked', host, purpose: menu.purpose, suggestions: [] };
    const logins = (await this.vault.autofillLogins()).filter((l) => menu.offered.has(l.id));
    const ranked = rankMatches(logins, menu.url);
    return {
      status: 'unlocked',
      host,
      purpose: menu.purpose,
      suggestions: ranked.map((l) => ({ id: l.id, title: l.fields.title, username: l.fields.username })),
    };
  }

  async menuChoose(
    session: string,
    action: { kind: 'fill'; id: string; allowInsecure: boolean } | { kind: 'generate' } | { kind: 'unlock' },
  ): Promise<FillResult> {
    const menu = this.menus.get(session);
    if (!menu) return result(FillStatus.Refused, 0, t('worker.menuExpired'));
    if (action.kind === 'unlock') {
      await this.tabs.openPopup();
      return result(FillStatus.NothingToFill);
    }
    const frame = { frameId: menu.frameId, url: menu.url };
    let outcome: FillResult;

    if (action.kind === 'generate') {
      if (menu.purpose !== 'new-password') return result(FillStatus.Refused, 0, words.nothing);
      outcome = await this.fillGenerated(menu);
    } else if (!menu.offered.has(action.id)) {
      return result(FillStatus.Refused, 0, words.noMatch);
    } else if (menu.purpose === 'otp') {
      outcome = await this.fillOtp(menu.tabId, frame, await this.login(action.id));
    } else {
      outcome = await this.fillFrame(
        menu.tabId,
        frame,
        await this.login(action.id),
        action.allowInsecure,
        menu.fieldId,
      );
    }
    // On a complete fill the menu goes; otherwise (nothing, or "Filled partly") it stays to show
    // why (or to ask about plain http), with room for the words and buttons.
    if (outcome.status === FillStatus.Filled && outcome.message === null)
      await this.closeMenu(session, false);
    else
      await this.tabs
        .send(menu.tabId, menu.frameId, { channel: WORKER_CHANNEL, name: 'resizeMenu', rows: 3 })
        .catch(() => undefined);
    return outcome;
  }

  async menuDismiss(session: string, refocus: boolean): Promise<void> {
    await this.closeMenu(session, refocus);
  }

  menuClosedByPage(from: FrameSender): void {
    for (const [id, menu] of this.menus) {
      if (menu.tabId === from.tabId && menu.frameId === from.frameId) this.menus.delete(id);
    }
  }

  private async closeMenu(session: string, refocus: boolean): Promise<void> {
    const menu = this.menus.get(session);
    if (!menu) return;
    this.menus.delete(session);
    await this.tabs
      .send(menu.tabId, menu.frameId, { channel: WORKER_CHANNEL, name: 'closeMenu', refocus })
      .catch(() => undefined);
  }

  private async fillGenerated(menu: MenuSession): Promise<FillResult> {
    const report = await this.collect(menu.tabId, menu.frameId, menu.fieldId);
    const changed = frameChanged(report, menu.url);
    if (changed !== null || !report) return result(FillStatus.Refused, 0, changed);
    const { value: password, kind } = await this.generator.generateForField();
    const ops = planNewPassword(report, password, menu.fieldId);
    if (ops.length === 0) return result(FillStatus.NothingToFill, 0, words.nothing);
    const outcome = await this.insert(menu.tabId, menu.frameId, report, ops);
    if (outcome.filled === 0) return result(FillStatus.Refused, 0, outcome.message ?? words.nothing);
    this.generated.set(menu.tabId, { password, url: menu.url, at: this.now() });
    // In the history before the page can lose it (a sign-up that fails after the fill). The fill
    // itself has happened: a history that cannot be written (vault locked meanwhile) does not undo it.
    await this.generator.record(password, kind).catch(() => undefined);
    return filledResult(outcome);
  }

  private async fillOtp(
    tabId: number,
    frame: { frameId: number; url: string },
    login: AutofillLogin,
  ): Promise<FillResult> {
    const config = parseTotpSecret(login.fields.totp);
    if (!config) return result(FillStatus.NothingToFill, 0, t('worker.noTotp'));
    if (!bestMatch(login.uris, parseSiteUrl(frame.url) ?? nullSite)) {
      return result(FillStatus.Refused, 0, words.noMatch);
    }
    const report = await this.collect(tabId, frame.frameId);
    const changed = frameChanged(report, frame.url);
    if (changed !== null || !report) return result(FillStatus.Refused, 0, changed);
    const ops = planOtp(report, totpCode(config, this.now()).code);
    if (ops.length === 0) {
      // Code boxes there are, but none that fits this code (six boxes for an 8-digit code).
      const boxes = report.fields.some((f) => f.kind === FieldKind.Otp && f.fillable);
      const why = boxes ? t('worker.codeBoxesDiffer', [String(config.digits)]) : words.nothing;
      return result(FillStatus.NothingToFill, 0, why);
    }
    const outcome = await this.insert(tabId, frame.frameId, report, ops);
    return outcome.filled > 0
      ? filledResult(outcome)
      : result(FillStatus.Refused, 0, outcome.message ?? words.nothing);
  }

  // ---- page lifecycle: pending TOTP and prompts -------------------------------------------------

  async pageReady(from: FrameSender, hasOtp: boolean, top: boolean): Promise<ContentResponses['pageReady']> {
    this.expire();
    if (hasOtp && !isOpaque(from)) {
      const pending = this.pendingTotp.get(from.tabId);
      if (pending && sameSite(pending.url, from.url) && (await this.vault.isUnlocked())) {
        const login = (await this.vault.autofillLogins()).find((l) => l.id === pending.itemId);
        if (login) {
          // The code follows the login fill the user asked for: one gesture, one sign-in.
          const r = await this.fillOtp(from.tabId, { frameId: from.frameId, url: from.url }, login);
          if (r.status === FillStatus.Filled) {
            this.pendingTotp.delete(from.tabId);
            await this.refreshAttention();
          }
        }
      }
    }
    if (!top) return { prompt: null };
    for (const prompt of this.prompts.values()) {
      if (prompt.tabId === from.tabId) return { prompt: prompt.session };
    }
    return { prompt: null };
  }

  /**
   * A submitted login, registration or password change. Nothing is stored here without the user's
   * click on the prompt — except a password Keyhold generated and filled on the user's click, which
   * is saved as soon as the form using it is submitted (losing it would lock the user out).
   */
  async formSubmitted(
    from: FrameSender,
    values: { username: string; password: string; newPassword: string },
  ): Promise<void> {
    if (isOpaque(from) || !parseSiteUrl(from.url) || !(await this.vault.isUnlocked())) return;
    this.expire();
    let username = values.username.trim();
    const secret = values.newPassword || values.password;
    if (secret === '') {
      // First step of a multi-step login: remember who is signing in for the password step.
      if (username !== '') this.firstStep.set(from.tabId, { username, url: from.url, at: this.now() });
      return;
    }
    if (username === '') {
      const step = this.firstStep.get(from.tabId);
      if (step && sameSite(step.url, from.url)) username = step.username;
    }
    if (await this.isNever(from.url)) return;

    const matches = await this.matchesFor(from.url);
    // A change-password form often has no username box: the current password names the login.
    const byCurrent =
      username === '' && values.newPassword && values.password
        ? matches.filter((l) => l.fields.password === values.password)
        : [];
    const sameUser =
      byCurrent.length > 0
        ? byCurrent
        : matches.filter((l) => l.fields.username.toLowerCase() === username.toLowerCase());
    const current =
      values.newPassword && values.password
        ? (sameUser.find((l) => l.fields.password === values.password) ?? sameUser[0])
        : sameUser[0];
    if (current && username === '') username = current.fields.username;

    const generated = this.generated.get(from.tabId);
    if (generated && values.newPassword !== '' && generated.password === values.newPassword) {
      this.generated.delete(from.tabId);
      if (current) await this.vault.updatePassword(current.id, secret);
      else
        await this.vault.createLogin({
          title: titleFor(from.url),
          username,
          password: secret,
          url: originOf(from.url),
        });
      return;
    }
    if (current && current.fields.password === secret) return;
    for (const [id, p] of this.prompts) if (p.tabId === from.tabId) this.prompts.delete(id);
    const prompt: PendingPrompt = {
      session: this.newId(),
      tabId: from.tabId,
      url: from.url,
      kind: current ? 'update' : 'save',
      username,
      password: secret,
      itemId: current?.id ?? null,
      title: current?.fields.title ?? null,
      createdAt: this.now(),
    };
    this.prompts.set(prompt.session, prompt);
    await this.refreshAttention();
    // Shown in the tab's top frame now (formless SPA) or, if the page navigates, by the next page.
    await this.tabs
      .send(from.tabId, 0, { channel: WORKER_CHANNEL, name: 'showPrompt', session: prompt.session })
      .catch(() => undefined);
  }

  promptState(session: string): PromptState | null {
    const p = this.prompts.get(session);
    if (!p) return null;
    return { kind: p.kind, host: parseSiteUrl(p.url)?.hostname ?? '', username: p.username, title: p.title };
  }

  async promptAnswer(session: string, answer: 'save' | 'update' | 'never' | 'dismiss'): Promise<void> {
    const p = this.prompts.get(session);
    if (!p) return;
    this.prompts.delete(session);
    await this.refreshAttention();
    if (answer === 'save') {
      await this.vault.createLogin({
        title: titleFor(p.url),
        username: p.username,
        password: p.password,
        url: originOf(p.url),
      });
    } else if (answer === 'update' && p.itemId) {
      await this.vault.updatePassword(p.itemId, p.password);
    } else if (answer === 'never') {
      const host = parseSiteUrl(p.url)?.hostname;
      if (host) {
        const list = await neverSitesItem.getValue();
        if (!list.includes(host)) await neverSitesItem.setValue([...list, host]);
      }
    }
    await this.tabs.send(p.tabId, 0, { channel: WORKER_CHANNEL, name: 'closePrompt' }).catch(() => undefined);
  }

  private async isNever(url: string): Promise<boolean> {
    const host = parseSiteUrl(url)?.hostname;
    return host !== undefined && (await neverSitesItem.getValue()).includes(host);
  }

  /**
   * Content scripts watch a page's fields only while this flag says the worker waits for
   * something (a save prompt to show after navigation, a one-time code after a login fill);
   * otherwise they cost pages nothing. It holds a time, never a secret or a site.
   */
  private async refreshAttention(): Promise<void> {
    let until = 0;
    for (const p of this.prompts.values()) until = Math.max(until, p.createdAt + PROMPT_TTL_MS);
    for (const t of this.pendingTotp.values()) until = Math.max(until, t.until);
    const value = until > this.now() ? { until } : null;
    if ((value?.until ?? 0) === this.attentionUntil) return;
    this.attentionUntil = value?.until ?? 0;
    await attentionItem.setValue(value).catch(() => undefined);
  }

  /** Forget what only the last few minutes may use; secrets do not linger in the worker. */
  private expire(): void {
    const now = this.now();
    for (const [id, m] of this.menus) if (now - m.createdAt > MENU_TTL_MS) this.menus.delete(id);
    for (const [id, p] of this.prompts) if (now - p.createdAt > PROMPT_TTL_MS) this.prompts.delete(id);
    for (const [tab, t] of this.pendingTotp) if (now > t.until) this.pendingTotp.delete(tab);
    for (const [tab, s] of this.firstStep) if (now - s.at > STEP_TTL_MS) this.firstStep.delete(tab);
    for (const [tab, g] of this.generated) if (now - g.at > STEP_TTL_MS) this.generated.delete(tab);
  }

  /** Lock: everything tied to the unlocked vault goes. */
  clear(): void {
    this.menus.clear();
    this.prompts.clear();
    this.pendingTotp.clear();
    void this.refreshAttention();
    this.firstStep.clear();
    this.generated.clear();
    this.shortcutCycle.clear();
  }

  /** A tab closed or navigated away from its site. */
  forgetTab(tabId: number): void {
    for (const [id, m] of this.menus) if (m.tabId === tabId) this.menus.delete(id);
    this.pendingTotp.delete(tabId);
    this.shortcutCycle.delete(tabId);
    void this.refreshAttention();
  }
}

const nullSite = {
  scheme: 'https',
  hostname: '',
  port: '',
  pathname: '',
  search: '',
  registrableDomain: '\0',
  isIp: false,
  insecure: false,
} as const;

const isOpaque = (from: FrameSender) => from.origin === 'null';

const summary = (l: AutofillLogin): ItemSummary => ({
  id: l.id,
  type: 'login',
  title: l.fields.title,
  subtitle: l.fields.username,
  username: l.fields.username,
  uris: l.uris,
  folder: l.fields.folder,
  favorite: l.fields.favorite,
  trashedAt: null,
  conflict: false,
  pending: false,
  updatedAt: l.lastUsedAt ?? '',
});

function sameSite(a: string, b: string): boolean {
  const x = parseSiteUrl(a);
  const y = parseSiteUrl(b);
  return x !== null && y !== null && x.registrableDomain === y.registrableDomain;
}

function originOf(url: string): string {
  const u = new URL(url);
  return `${u.protocol}//${u.host}`;
}

function titleFor(url: string): string {
  const site = parseSiteUrl(url);
  return site?.registrableDomain || site?.hostname || 'Login';
}
