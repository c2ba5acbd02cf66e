import type { browser } from 'wxt/browser';
import {
  classifyGroup,
  collectFrame,
  defaultShadowRootOf,
  FieldRegistry,
  groupInputs,
  groupKey,
} from './collect.ts';
import {
  CONTENT_CHANNEL,
  type ContentEnvelope,
  type ContentMessageName,
  type ContentRequest,
  type ContentResponses,
  WORKER_CHANNEL,
  type WorkerMessage,
} from './content-protocol.ts';
import { FieldKind } from './field-kind.ts';
import { createInPageFrame, type InPageFrame } from './in-page-frame.ts';
import { insertPlan } from './insert.ts';
import { type MenuAnchor, menuAnchor, placeInViewport } from './menu-anchor.ts';
import { fadingIn, isCovered, isEditable, isVisible } from './visibility.ts';

/**
 * The content script, in every frame: collect on request, insert a plan it is sent, open the
 * inline menu on a trusted focus, watch for submitted credentials, show the save prompt. It never
 * chooses a login and never holds a password beyond the call that writes or reports it.
 */

const MENU_WIDTH = 300;
const ROW_HEIGHT = 44;
const MENU_CHROME = 34;
const PROMPT_SIZE = { width: 340, height: 168 };
const SUBMIT_WORDS =
  /log\s?in|sign\s?in|continue|next|submit|verify|create|register|sign\s?up|save|change|update|weiter|anmelden/i;

type Runtime = typeof browser.runtime;

/**
 * How long after the user's own press or Tab a focus still counts as theirs. A focus that follows
 * no gesture — the page's own `focus()`, `autofocus`, our fill focusing each field it writes — is
 * trusted by the browser (`isTrusted`) but opens nothing.
 */
const GESTURE_MS = 1000;

/** The longest a focus waits for a component's fade-in before the field is judged once more. */
const FADE_WAIT_MS = 1000;

/** storage.local key (no `local:` prefix at this level) of the worker's "a prompt is waiting" flag. */
export const ATTENTION_KEY = 'autofill-attention';

export class ContentAgent {
  private readonly registry = new FieldRegistry();
  private menu: {
    frame: InPageFrame;
    field: HTMLInputElement;
    anchor: MenuAnchor;
    /** Ends the listeners this menu put on parent frames' windows. */
    off: AbortController;
  } | null = null;
  private prompt: InPageFrame | null = null;
  private readonly top = window === window.top;
  /** The user's last press (with what it was on) or Tab key, from trusted events only. */
  private gesture: { at: number; path: EventTarget[] | null } = { at: Number.NEGATIVE_INFINITY, path: null };

  constructor(
    private readonly runtime: Runtime,
    // Not named `storage`: WXT's import scan takes a free-standing `storage` for its storage API and
    // bundles all of @wxt-dev/storage (3 KB) into the script every page gets.
    private readonly localArea: typeof browser.storage.local,
    private readonly signal: AbortSignal,
  ) {}

  start(): void {
    // A sandboxed frame (opaque origin) is refused outright: no menu, no fill, no capture.
    if (window.origin === 'null') return;
    const on = <K extends keyof WindowEventMap>(type: K, fn: (e: WindowEventMap[K]) => void) =>
      window.addEventListener(type, fn, { capture: true, signal: this.signal });
    on('pointerdown', (e) => {
      if (e.isTrusted) this.gesture = { at: performance.now(), path: e.composedPath() };
    });
    on('focusin', (e) => void this.onFocus(e));
    on('click', (e) => this.onClick(e));
    on('keydown', (e) => this.onKeyDown(e));
    on('focusout', () => this.onBlur());
    on('submit', (e) => this.onSubmit(e));
    on('scroll', () => this.placeMenu());
    on('resize', () => this.placeMenu());
    // Leaving (navigation, or the frame removed): a menu hung in a parent frame must go with us.
    on('pagehide', () => this.closeMenu(false));

    // sendResponse + `return true`: the one reply style both Chrome's and Firefox's native APIs take.
    const listener = (message: unknown, _sender: unknown, sendResponse: (reply: unknown) => void) => {
      const reply = this.onWorkerMessage(message);
      if (!reply) return false;
      reply.then(sendResponse, () => sendResponse(null));
      return true as const;
    };
    this.runtime.onMessage.addListener(listener);
    this.signal.addEventListener('abort', () => {
      this.runtime.onMessage.removeListener(listener);
      this.closeMenu(false);
      this.prompt?.remove();
    });
    this.watchForFields();
  }

  private send<N extends ContentMessageName>(
    name: N,
    request: ContentRequest<N>,
  ): Promise<ContentResponses[N] | null> {
    const envelope: ContentEnvelope<N> = { channel: CONTENT_CHANNEL, name, request };
    return (this.runtime.sendMessage(envelope) as Promise<ContentResponses[N]>).catch(() => null);
  }

  // ---- worker requests --------------------------------------------------------------------------

  private onWorkerMessage(message: unknown): Promise<unknown> | undefined {
    const m = message as WorkerMessage;
    if (typeof m !== 'object' || m === null || m.channel !== WORKER_CHANNEL) return undefined;
    switch (m.name) {
      case 'collect': {
        const scope = typeof m.fieldId === 'string' ? this.registry.element(m.fieldId) : null;
        return Promise.resolve(collectFrame(this.registry, document, defaultShadowRootOf, scope).report);
      }
      case 'fill':
        return Promise.resolve(insertPlan(this.registry, m.plan));
      case 'closeMenu': {
        const field = this.menu?.field;
        this.closeMenu(false);
        if (m.refocus) field?.focus();
        return Promise.resolve(null);
      }
      case 'resizeMenu':
        this.menuRows = Math.max(1, Math.min(6, m.rows));
        this.placeMenu();
        return Promise.resolve(null);
      case 'showPrompt':
        if (this.top) this.showPrompt(m.session);
        return Promise.resolve(null);
      case 'closePrompt':
        this.prompt?.remove();
        this.prompt = null;
        return Promise.resolve(null);
      default:
        return undefined;
    }
  }

  // ---- inline menu ------------------------------------------------------------------------------

  /** The element that really has focus, inside open or closed shadow roots. */
  private focusedInput(): HTMLInputElement | null {
    let el: Element | null = document.activeElement;
    while (el) {
      const shadow = defaultShadowRootOf(el);
      if (!shadow?.activeElement) break;
      el = shadow.activeElement;
    }
    return el instanceof HTMLInputElement ? el : null;
  }

  private menuKind(el: HTMLInputElement): 'username' | 'password' | 'new-password' | 'otp' | null {
    if (!isEditable(el)) return null;
    // The group's classification as collect makes it (a sign-up form's password is a new one).
    const key = groupKey(el);
    const inputs = groupInputs(el);
    const kind = classifyGroup(key, inputs)[inputs.indexOf(el)];
    return !kind || kind === FieldKind.Other ? null : kind;
  }

  /**
   * Whether the focus of `field` is the user's: a press on it (or on one of its labels) or a Tab,
   * just before. A page's synthetic events never count (`isTrusted`), nor does a focus the page or
   * Keyhold itself gave the field in code.
   */
  private userFocused(field: HTMLInputElement): boolean {
    const { at, path } = this.gesture;
    if (performance.now() - at > GESTURE_MS) return false;
    if (path === null) return true; // the Tab key
    if (path.includes(field) || [...(field.labels ?? [])].some((label) => path.includes(label))) return true;
    // A press inside a closed shadow root reaches us retargeted to its host: a press on the component.
    for (let root = field.getRootNode(); root instanceof ShadowRoot; root = root.host.getRootNode())
      if (path.includes(root.host)) return true;
    return false;
  }

  private async onFocus(event: FocusEvent): Promise<void> {
    // Only the user's own focus opens anything; a page's synthetic events never do.
    if (!event.isTrusted) return;
    const field = this.focusedInput();
    if (!field || field === this.menu?.field || !this.userFocused(field)) return;
    this.closeMenu(false);
    await this.openMenuFor(field);
  }

  private onClick(event: MouseEvent): void {
    if (!event.isTrusted) return;
    const field = this.focusedInput();
    const path = event.composedPath();
    if (field && path.includes(field)) {
      if (!this.menu) void this.openMenuFor(field);
    } else {
      // A click anywhere else closes the menu (and a note it shows, such as why nothing was filled).
      if (this.menu && !path.includes(this.menu.frame.host)) this.closeMenu(true);
      this.maybeFormlessSubmit(event);
    }
  }

  private opening: HTMLInputElement | null = null;

  private async openMenuFor(field: HTMLInputElement): Promise<void> {
    if (this.opening === field) return;
    this.opening = field;
    const reply = await this.askForMenu(field).finally(() => {
      if (this.opening === field) this.opening = null;
    });
    if (!reply || this.focusedInput() !== field) return;
    this.closeMenu(false);
    const url = this.runtime.getURL(`/inline-menu.html#${reply.menu}` as '/inline-menu.html');
    const anchor = menuAnchor(field);
    const frame = createInPageFrame(url, 'Keyhold suggestions', anchor.layer, () => this.closeMenu(false));
    const off = new AbortController();
    this.menu = { frame, field, anchor, off };
    // Hung in a parent frame: its scrolling moves the field, and a press there is a press elsewhere.
    for (const win of anchor.windows) {
      if (win === window) continue;
      const options = { capture: true, signal: off.signal };
      win.addEventListener('scroll', () => this.placeMenu(), options);
      win.addEventListener('resize', () => this.placeMenu(), options);
      win.addEventListener(
        'pointerdown',
        (e) => {
          if (e.isTrusted && this.menu && !e.composedPath().includes(this.menu.frame.host))
            this.closeMenu(true);
        },
        options,
      );
    }
    this.menuRows = reply.rows;
    this.placeMenu();
  }

  /** The worker's menu for `field`, or null when the field gets none. */
  private async askForMenu(field: HTMLInputElement) {
    if (!this.menuKind(field)) return null;
    const fades = isVisible(field) ? [] : fadingIn(field);
    if (fades.length > 0) {
      // A component fading its content in is transparent on the first focus: judge it once more
      // when the fade is over (at most FADE_WAIT_MS), with the same rule as ever.
      await Promise.race([
        Promise.allSettled(fades.map((a) => a.finished)),
        new Promise((r) => setTimeout(r, FADE_WAIT_MS)),
      ]);
      if (this.focusedInput() !== field) return null;
    }
    const kind = this.menuKind(field);
    // Invisible or covered fields get no menu: a clickjacking overlay must not get our UI.
    if (!kind || !isVisible(field) || isCovered(field)) return null;
    return this.send('fieldFocused', { fieldId: this.registry.idOf(field), kind });
  }

  private menuRows = 1;

  private placeMenu(): void {
    if (!this.menu) return;
    const { anchor, frame } = this.menu;
    const height = MENU_CHROME + ROW_HEIGHT * Math.min(this.menuRows, 6);
    frame.place(
      placeInViewport(
        anchor.fieldRect(),
        { width: MENU_WIDTH, height },
        { width: anchor.win.innerWidth, height: anchor.win.innerHeight },
      ),
    );
  }

  private closeMenu(notify: boolean): void {
    if (!this.menu) return;
    this.menu.off.abort();
    this.menu.frame.remove();
    this.menu = null;
    if (notify) void this.send('menuClosed', {});
  }

  private onKeyDown(event: KeyboardEvent): void {
    if (!event.isTrusted) return;
    if (event.key === 'Tab') this.gesture = { at: performance.now(), path: null };
    if (!this.menu) return;
    if (event.key === 'Escape') {
      this.closeMenu(true);
    } else if (event.key === 'ArrowDown' && this.focusedInput() === this.menu.field) {
      // Keyboard users move into the menu; it handles arrows, Enter and Escape itself.
      event.preventDefault();
      this.menu.frame.iframe.contentWindow?.focus();
    }
  }

  private onBlur(): void {
    // Focus moving into our own menu blurs the field; anything else closes the menu.
    setTimeout(() => {
      if (!this.menu) return;
      const host = this.menu.frame.host;
      if (host.ownerDocument.activeElement === host || this.focusedInput() === this.menu.field) return;
      this.closeMenu(true);
    }, 200);
  }

  // ---- save / update detection ------------------------------------------------------------------

  private onSubmit(event: SubmitEvent): void {
    if (!event.isTrusted) return;
    const form = event.target;
    if (form instanceof HTMLFormElement) this.reportCredentials(form);
  }

  /** A click on a submit-like button in a formless login, or on a button outside its form. */
  private maybeFormlessSubmit(event: MouseEvent): void {
    const button = event
      .composedPath()
      .find(
        (n): n is HTMLElement =>
          n instanceof HTMLButtonElement ||
          (n instanceof HTMLInputElement && (n.type === 'submit' || n.type === 'button')) ||
          (n instanceof HTMLElement && n.getAttribute('role') === 'button'),
      );
    if (!button || (button instanceof HTMLButtonElement && button.type === 'submit' && button.form)) return;
    const text = `${button.textContent ?? ''} ${button.getAttribute('aria-label') ?? ''} ${(button as HTMLInputElement).value ?? ''}`;
    if (!SUBMIT_WORDS.test(text)) return;
    this.reportCredentials(null);
  }

  private reportCredentials(form: HTMLFormElement | null): void {
    const { report, elements } = collectFrame(this.registry);
    const firstValue = (kind: FieldKind) => {
      for (let i = 0; i < report.fields.length; i++) {
        const el = elements[i];
        if (report.fields[i]?.kind !== kind || !el || (form !== null && groupKey(el) !== form)) continue;
        if (el.value !== '') return el.value;
      }
      return '';
    };
    const username = firstValue(FieldKind.Username);
    const password = firstValue(FieldKind.Password);
    const newPassword = firstValue(FieldKind.NewPassword);
    if (!username && !password && !newPassword) return;
    void this.send('formSubmitted', { username, password, newPassword });
  }

  // ---- prompt and late fields -------------------------------------------------------------------

  private showPrompt(session: string): void {
    this.prompt?.remove();
    const url = this.runtime.getURL(`/save-prompt.html#${session}` as '/save-prompt.html');
    const frame = createInPageFrame(url, 'Keyhold: save this login?', document.documentElement, () => {
      frame.remove();
      if (this.prompt === frame) this.prompt = null;
    });
    frame.place({ left: window.innerWidth - PROMPT_SIZE.width - 16, top: 16, ...PROMPT_SIZE });
    this.prompt = frame;
  }

  /**
   * While the worker waits for something from this page (the attention flag: a save prompt to
   * show after a navigation, a one-time code to fill after a login fill), look at the page's
   * fields on load and whenever it adds inputs (SPAs, the code step of a login), and tell the
   * worker. Otherwise watch nothing: a page that is only rendering pays no collect and no
   * observer (bench/autofill.ts measures what a DOM-heavy page pays).
   */
  private watchForFields(): void {
    let timer: ReturnType<typeof setTimeout> | null = null;
    let observer: MutationObserver | null = null;
    let flaggedUntil = 0;
    let sawOtp = false;
    let first = true;
    const check = async () => {
      timer = null;
      const { report } = collectFrame(this.registry);
      const hasOtp = report.fields.some((f) => f.kind === FieldKind.Otp && f.fillable);
      const wasFirst = first;
      first = false;
      if (hasOtp === sawOtp && !wasFirst) return;
      sawOtp = hasOtp;
      const top = this.top && wasFirst;
      if (!hasOtp && !top) return;
      const reply = await this.send('pageReady', { hasOtp, top });
      if (reply?.prompt && this.top && !this.prompt) this.showPrompt(reply.prompt);
    };
    const onMutations = (records: MutationRecord[]) => {
      if (Date.now() > flaggedUntil) return watch(0);
      if (timer !== null) return;
      for (const r of records) {
        for (const node of r.addedNodes) {
          if (
            node instanceof Element &&
            (node instanceof HTMLInputElement || node.querySelector('input') || node.shadowRoot)
          ) {
            timer = setTimeout(() => void check(), 150);
            return;
          }
        }
      }
    };
    const watch = (until: number) => {
      flaggedUntil = until;
      if (until > Date.now()) {
        if (observer) return;
        observer = new MutationObserver(onMutations);
        observer.observe(document.documentElement, { childList: true, subtree: true });
        void check();
      } else if (observer) {
        observer.disconnect();
        observer = null;
      }
    };
    const onStorage = (changes: Record<string, { newValue?: unknown }>) => {
      if (ATTENTION_KEY in changes) watch(untilOf(changes[ATTENTION_KEY]?.newValue));
    };
    this.localArea.onChanged.addListener(onStorage);
    this.signal.addEventListener('abort', () => {
      this.localArea.onChanged.removeListener(onStorage);
      watch(0);
    });
    this.localArea.get(ATTENTION_KEY).then(
      (stored) => watch(untilOf(stored[ATTENTION_KEY])),
      () => undefined,
    );
  }
}

/** The flag's expiry time, or 0 when it is absent or not the shape the worker writes. */
function untilOf(value: unknown): number {
  const until = (value as { until?: unknown } | null | undefined)?.until;
  return typeof until === 'number' ? until : 0;
}
