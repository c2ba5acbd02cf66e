import { Secret, TOTP } from 'otpauth';
import { beforeEach, describe, expect, it } from 'vitest';
import { fakeBrowser } from 'wxt/testing/fake-browser';
import { WORKER_CHANNEL, type WorkerMessage, type WorkerReplies } from '../autofill/content-protocol.ts';
import { FieldKind } from '../autofill/field-kind.ts';
import type { FieldInfo, FillPlan, FrameReport } from '../autofill/page-fields.ts';
import { generate } from '../generator/generate.ts';
import { DEFAULT_GENERATOR_OPTIONS, type GeneratorOptions } from '../generator/options.ts';
import { type LoginFields, loginFields } from '../messaging/item-schema.ts';
import { ErrorCode } from '../messaging/protocol.ts';
import { attentionItem, neverSitesItem } from '../storage/items.ts';
import {
  AutofillService,
  type AutofillVault,
  type FieldGenerator,
  type FrameSender,
  type TabsPort,
} from './autofill-service.ts';
import { VaultError } from './vault-error.ts';
import type { AutofillLogin } from './vault-items.ts';

/**
 * The worker's autofill orchestration on data only: an in-memory vault and an in-memory tab of
 * frames, each with the URL the browser reports and the FrameReport its content script would send.
 */

const TOTP_SECRET = 'JBSWY3DPEHPK3PXP';
const T0 = Date.UTC(2025, 0, 15, 12, 0, 0);

// ---- fakes --------------------------------------------------------------------------------------

/** The real generator's values, from options the test sets; what was recorded in the history. */
class FakeGenerator implements FieldGenerator {
  options: GeneratorOptions = DEFAULT_GENERATOR_OPTIONS;
  recorded: { value: string; kind: string }[] = [];
  async generateForField() {
    return generate(this.options);
  }
  async record(value: string, kind: string) {
    this.recorded.push({ value, kind });
  }
}

class FakeVault implements AutofillVault {
  unlocked = true;
  account = true;
  /** Like the real vault: a fill makes the login the most recently used one. */
  trackUse = true;
  logins: AutofillLogin[] = [];
  used: string[] = [];
  created: { title: string; username: string; password: string; url: string }[] = [];
  updated: { id: string; password: string }[] = [];

  constructor(private readonly now: () => number) {}

  async isUnlocked() {
    return this.unlocked;
  }
  async hasAccount() {
    return this.account;
  }
  async autofillLogins() {
    if (!this.unlocked) throw new VaultError(ErrorCode.Locked);
    return this.logins.map((l) => ({ ...l }));
  }
  async markUsed(id: string) {
    this.used.push(id);
    const login = this.logins.find((l) => l.id === id);
    if (login && this.trackUse) login.lastUsedAt = new Date(this.now()).toISOString();
  }
  async createLogin(fields: { title: string; username: string; password: string; url: string }) {
    this.created.push(fields);
  }
  async updatePassword(id: string, password: string) {
    this.updated.push({ id, password });
  }
}

interface FakeFrame {
  frameId: number;
  parentFrameId?: number;
  /** What the browser (webNavigation / sender) says the frame is. */
  url: string;
  /** What the frame's content script answers to 'collect'. */
  report: FrameReport;
  /** How many operations of a plan its insert cannot write (read-only for good, gone). */
  unwritable?: number;
}

class FakeTabs implements TabsPort {
  readonly tabs = new Map<number, FakeFrame[]>();
  activeId = 1;
  readonly sent: { tabId: number; frameId: number; message: WorkerMessage }[] = [];
  popups = 0;

  setFrames(tabId: number, frames: FakeFrame[]) {
    this.tabs.set(tabId, frames);
  }
  fills(): { tabId: number; frameId: number; plan: FillPlan }[] {
    return this.sent.flatMap((s) =>
      s.message.name === 'fill' ? [{ tabId: s.tabId, frameId: s.frameId, plan: s.message.plan }] : [],
    );
  }
  named(name: WorkerMessage['name']) {
    return this.sent.filter((s) => s.message.name === name);
  }

  async activeTab() {
    const top = this.tabs.get(this.activeId)?.find((f) => f.frameId === 0);
    return { id: this.activeId, url: top?.url ?? null };
  }
  async frames(tabId: number) {
    return (this.tabs.get(tabId) ?? []).map(({ frameId, parentFrameId, url }) => ({
      frameId,
      parentFrameId,
      url,
    }));
  }
  async send<N extends WorkerMessage['name']>(
    tabId: number,
    frameId: number,
    message: Extract<WorkerMessage, { name: N }>,
  ): Promise<WorkerReplies[N] | undefined> {
    const m = message as WorkerMessage;
    this.sent.push({ tabId, frameId, message: m });
    const frame = this.tabs.get(tabId)?.find((f) => f.frameId === frameId);
    if (!frame) throw new Error('Could not establish connection. Receiving end does not exist.');
    let reply: WorkerReplies[WorkerMessage['name']];
    if (m.name === 'collect') reply = frame.report;
    else if (m.name === 'fill') {
      const unfilled = Math.min(frame.unwritable ?? 0, m.plan.ops.length);
      reply = { filled: m.plan.ops.length - unfilled, unfilled, refused: unfilled > 0 ? 'not all' : null };
    } else reply = null;
    return reply as WorkerReplies[N];
  }
  async openPopup() {
    this.popups++;
  }
}

// ---- data ---------------------------------------------------------------------------------------

function login(id: string, over: Partial<LoginFields> = {}, lastUsedAt?: string): AutofillLogin {
  const fields = loginFields({
    title: `Login ${id}`,
    username: 'grace',
    password: 'pw-stored',
    uris: [{ url: 'https://www.example.com', match: 'domain' }],
    notes: '',
    totp: '',
    ...over,
  });
  return { id, fields, uris: fields.uris, ...(lastUsedAt ? { lastUsedAt } : {}) };
}

const field = (id: string, kind: FieldKind, order: number, group = 'g1', fillable = true): FieldInfo => ({
  id,
  kind,
  group,
  fillable,
  order,
});

const loginReport = (url: string, sandboxed = false): FrameReport => ({
  url,
  doc: 'doc-1',
  sandboxed,
  fields: [field('f1', FieldKind.Username, 0), field('f2', FieldKind.Password, 1)],
});

const registrationReport = (url: string): FrameReport => ({
  url,
  doc: 'doc-1',
  sandboxed: false,
  fields: [
    field('f1', FieldKind.Username, 0),
    field('f2', FieldKind.NewPassword, 1),
    field('f3', FieldKind.NewPassword, 2),
  ],
});

const otpReport = (url: string): FrameReport => ({
  url,
  doc: 'doc-1',
  sandboxed: false,
  // Six one-character boxes (split entry).
  fields: ['f1', 'f2', 'f3', 'f4', 'f5', 'f6'].map((id, i) => ({
    ...field(id, FieldKind.Otp, i, 'otp'),
    maxLength: 1,
  })),
});

const frame = (frameId: number, url: string, report: FrameReport = loginReport(url)): FakeFrame => ({
  frameId,
  url,
  report,
});

const sender = (url: string, frameId = 0, tabId = 1): FrameSender => ({
  tabId,
  frameId,
  url,
  origin: new URL(url).origin,
});

const PAGE = 'https://www.example.com/login';

// ---- setup --------------------------------------------------------------------------------------

let clock: number;
let vault: FakeVault;
let tabs: FakeTabs;
let service: AutofillService;
let generator: FakeGenerator;

beforeEach(() => {
  fakeBrowser.reset();
  clock = T0;
  vault = new FakeVault(() => clock);
  tabs = new FakeTabs();
  let n = 0;
  generator = new FakeGenerator();
  service = new AutofillService(
    vault,
    tabs,
    generator,
    () => clock,
    () => `session-${++n}`,
  );
});

// ---- filling ------------------------------------------------------------------------------------

describe('fillInTab', () => {
  it('fills the top frame when the login matches it', async () => {
    vault.logins = [login('a')];
    tabs.setFrames(1, [frame(0, PAGE)]);

    const r = await service.fillInTab(1, 'a', false);

    expect(r).toEqual({ status: 'filled', filled: 2, message: null });
    // No field was chosen: the whole frame is collected.
    expect(tabs.named('collect').map((s) => s.message)).toEqual([
      { channel: WORKER_CHANNEL, name: 'collect' },
    ]);
    expect(tabs.fills()).toEqual([
      {
        tabId: 1,
        frameId: 0,
        plan: {
          url: PAGE,
          doc: 'doc-1',
          ops: [
            { fieldId: 'f1', value: 'grace' },
            { fieldId: 'f2', value: 'pw-stored' },
          ],
        },
      },
    ]);
    expect(vault.used).toEqual(['a']);
  });

  it('gives a cross-origin child frame nothing from a top-level match', async () => {
    vault.logins = [login('a')];
    tabs.setFrames(1, [frame(0, PAGE), frame(7, 'https://widgets.example.net/embed')]);

    await service.fillInTab(1, 'a', false);

    // The foreign frame is not even asked what it has, let alone sent a value.
    expect(tabs.sent.filter((s) => s.frameId === 7)).toEqual([]);
    expect(tabs.fills().map((f) => f.frameId)).toEqual([0]);
  });

  it('fills a child frame whose own URL matches, and not the top page it sits in', async () => {
    vault.logins = [login('idp', { uris: [{ url: 'https://accounts.idp-example.org', match: 'domain' }] })];
    const child = 'https://login.idp-example.org/embedded';
    tabs.setFrames(1, [frame(0, 'https://shop.example.com/checkout'), frame(3, child)]);

    const r = await service.fillInTab(1, 'idp', false);

    expect(r.status).toBe('filled');
    expect(tabs.fills()).toEqual([
      {
        tabId: 1,
        frameId: 3,
        plan: {
          url: child,
          doc: 'doc-1',
          ops: [
            { fieldId: 'f1', value: 'grace' },
            { fieldId: 'f2', value: 'pw-stored' },
          ],
        },
      },
    ]);
  });

  it('fills a srcdoc / about:blank frame on the origin it inherits, when its own report agrees', async () => {
    vault.logins = [login('a')];
    const inherited = 'https://www.example.com/';
    tabs.setFrames(1, [
      frame(0, 'https://www.example.com/account', { ...loginReport(PAGE), fields: [] }),
      { ...frame(4, 'about:srcdoc', loginReport(inherited)), parentFrameId: 0 },
      // A blank frame inside it inherits the same origin, two levels down.
      { ...frame(5, 'about:blank', loginReport(inherited)), parentFrameId: 4 },
    ]);

    const r = await service.fillInTab(1, 'a', false);

    expect(r).toMatchObject({ status: 'filled', filled: 4 });
    expect(tabs.fills().map((f) => [f.frameId, f.plan.url])).toEqual([
      [4, inherited],
      [5, inherited],
    ]);
  });

  it('refuses an inheriting frame whose own origin is not its parent’s, or that is sandboxed', async () => {
    vault.logins = [login('a')];
    tabs.setFrames(1, [
      frame(0, PAGE, { ...loginReport(PAGE), fields: [] }),
      // Made by another origin (it navigated this blank frame): the frame itself says so.
      { ...frame(4, 'about:blank', loginReport('https://evil.example.net/')), parentFrameId: 0 },
      { ...frame(6, 'about:srcdoc', loginReport('https://www.example.com/', true)), parentFrameId: 0 },
      // No parent the browser lists: nothing to inherit from, not even asked.
      { ...frame(8, 'about:blank', loginReport('https://www.example.com/')), parentFrameId: 99 },
    ]);

    const r = await service.fillInTab(1, 'a', false);

    expect(r.status).toBe('refused');
    expect(tabs.fills()).toEqual([]);
    expect(tabs.sent.filter((s) => s.frameId === 8)).toEqual([]);
  });

  it('a context-menu fill in a srcdoc frame resolves the frame the browser named by id', async () => {
    vault.logins = [login('a')];
    tabs.setFrames(1, [
      frame(0, PAGE, { ...loginReport(PAGE), fields: [] }),
      { ...frame(4, 'about:srcdoc', loginReport('https://www.example.com/')), parentFrameId: 0 },
    ]);

    const r = await service.fillInTab(1, 'a', false, { frameId: 4, url: 'about:srcdoc' });

    expect(r.status).toBe('filled');
    expect(tabs.fills().map((f) => f.frameId)).toEqual([4]);
  });

  it('writes nothing when the frame now shows another page than the browser reported', async () => {
    vault.logins = [login('a')];
    tabs.setFrames(1, [frame(0, PAGE, loginReport('https://evil.example.net/login'))]);

    const r = await service.fillInTab(1, 'a', false);

    expect(r.status).toBe('refused');
    expect(tabs.fills()).toEqual([]);
  });

  it('fills a single-page app whose path moved by pushState: the origin is what counts', async () => {
    vault.logins = [login('a')];
    // The browser still reports the home route; the same document is now on its login route.
    const pushed = 'https://www.example.com/app/login?next=%2F';
    tabs.setFrames(1, [frame(0, 'https://www.example.com/', loginReport(pushed))]);

    const r = await service.fillInTab(1, 'a', false);

    expect(r).toEqual({ status: 'filled', filled: 2, message: null });
    // The plan names the document and URL the content script reported: insert re-checks both.
    expect(tabs.fills()[0]?.plan).toMatchObject({ url: pushed, doc: 'doc-1' });
  });

  it('refuses, and says why, when the frame is on another origin (scheme, host or port)', async () => {
    vault.logins = [login('a')];
    for (const now of [
      'http://www.example.com/login',
      'https://login.example.com/login',
      'https://www.example.com:8443/login',
    ]) {
      tabs.setFrames(1, [frame(0, PAGE, loginReport(now))]);
      const r = await service.fillInTab(1, 'a', false);
      expect(r.status).toBe('refused');
      expect(r.message).toMatch(/went to another site/);
    }
    expect(tabs.fills()).toEqual([]);
  });

  it('a fill that could not write every field is reported as partial', async () => {
    vault.logins = [login('a')];
    tabs.setFrames(1, [{ ...frame(0, PAGE), unwritable: 1 }]);

    const r = await service.fillInTab(1, 'a', false);

    expect(r.status).toBe('filled');
    expect(r.filled).toBe(1);
    expect(r.message).toMatch(/^Filled partly:/);
  });

  it('refuses a sandboxed frame', async () => {
    vault.logins = [login('a')];
    tabs.setFrames(1, [frame(0, PAGE, loginReport(PAGE, true))]);

    const r = await service.fillInTab(1, 'a', false);

    expect(r.status).toBe('refused');
    expect(r.message).toMatch(/sandboxed/i);
    expect(tabs.fills()).toEqual([]);
    expect(vault.used).toEqual([]);
  });

  it('asks before filling an https login on a plain-http page, then fills with allowInsecure', async () => {
    vault.logins = [login('a')];
    const http = 'http://www.example.com/login';
    tabs.setFrames(1, [frame(0, http)]);

    const asked = await service.fillInTab(1, 'a', false);
    expect(asked.status).toBe('needs-confirmation');
    expect(asked.filled).toBe(0);
    expect(tabs.sent).toEqual([]);

    const r = await service.fillInTab(1, 'a', true);
    expect(r).toEqual({ status: 'filled', filled: 2, message: null });
    expect(tabs.fills().map((f) => f.plan.url)).toEqual([http]);
  });

  it('does not ask on loopback http', async () => {
    vault.logins = [login('dev', { uris: [{ url: 'https://localhost:3000', match: 'domain' }] })];
    tabs.setFrames(1, [frame(0, 'http://localhost:3000/login')]);

    expect((await service.fillInTab(1, 'dev', false)).status).toBe('filled');
  });
});

// ---- inline menu ----------------------------------------------------------------------------------

describe('inline menu', () => {
  it('fieldFocused: null for an opaque origin, null without a match, a session when matched', async () => {
    vault.logins = [login('a'), login('b', { username: 'ada' })];

    expect(await service.fieldFocused({ ...sender(PAGE), origin: 'null' }, 'f1', 'username')).toBeNull();
    expect(await service.fieldFocused(sender('https://www.example.net/login'), 'f1', 'username')).toBeNull();
    expect(await service.fieldFocused(sender(PAGE), 'f1', 'username')).toEqual({
      menu: 'session-1',
      rows: 2,
    });
    expect(tabs.sent).toEqual([]);
  });

  it('menuState lists only the logins offered, ranked', async () => {
    vault.logins = [
      login('b', { username: 'ada' }),
      login('a'),
      login('z', { uris: [{ url: 'example.net', match: 'domain' }] }),
    ];
    const opened = await service.fieldFocused(sender(PAGE), 'f1', 'username');

    expect(await service.menuState(opened?.menu ?? '')).toEqual({
      status: 'unlocked',
      host: 'www.example.com',
      purpose: 'login',
      suggestions: [
        { id: 'a', title: 'Login a', username: 'grace' },
        { id: 'b', title: 'Login b', username: 'ada' },
      ],
    });
  });

  it('menuChoose refuses an item that was not offered in that session', async () => {
    vault.logins = [
      login('a'),
      login('foreign', { uris: [{ url: 'https://www.example.net', match: 'domain' }] }),
    ];
    tabs.setFrames(1, [frame(0, PAGE)]);
    const opened = await service.fieldFocused(sender(PAGE), 'f1', 'username');
    const session = opened?.menu ?? '';
    // Saved for this very site, but only after the menu opened: not offered either.
    vault.logins.push(login('late'));

    for (const id of ['foreign', 'late', 'no-such-item']) {
      const r = await service.menuChoose(session, { kind: 'fill', id, allowInsecure: false });
      expect(r.status).toBe('refused');
    }
    expect(tabs.fills()).toEqual([]);

    const ok = await service.menuChoose(session, { kind: 'fill', id: 'a', allowInsecure: false });
    expect(ok.status).toBe('filled');
    expect(tabs.fills()).toHaveLength(1);
    // A successful fill closes the menu; the session is gone.
    expect(tabs.named('closeMenu')).toHaveLength(1);
    expect((await service.menuState(session)).status).toBe('expired');
  });

  it('menuChoose fills the form of the focused field', async () => {
    vault.logins = [login('a')];
    const report: FrameReport = {
      url: PAGE,
      doc: 'doc-1',
      sandboxed: false,
      fields: [
        field('f1', FieldKind.Username, 0, 'header'),
        field('f2', FieldKind.Password, 1, 'header'),
        field('f3', FieldKind.Username, 2, 'main'),
        field('f4', FieldKind.Password, 3, 'main'),
      ],
    };
    tabs.setFrames(1, [frame(0, PAGE, report)]);
    const opened = await service.fieldFocused(sender(PAGE), 'f4', 'password');

    await service.menuChoose(opened?.menu ?? '', { kind: 'fill', id: 'a', allowInsecure: false });

    expect(tabs.fills()[0]?.plan.ops.map((op) => op.fieldId)).toEqual(['f3', 'f4']);
    // Only the focused field's group is collected again: a page's other inputs are not classified.
    expect(tabs.named('collect').map((s) => s.message)).toEqual([
      { channel: WORKER_CHANNEL, name: 'collect', fieldId: 'f4' },
    ]);
  });

  it('menuChoose fills a menu opened before a pushState the browser has not reported', async () => {
    vault.logins = [login('a')];
    const pushed = 'https://www.example.com/app/login';
    tabs.setFrames(1, [frame(0, PAGE, loginReport(pushed))]);
    const opened = await service.fieldFocused(sender(PAGE), 'f1', 'username');

    const r = await service.menuChoose(opened?.menu ?? '', { kind: 'fill', id: 'a', allowInsecure: false });

    expect(r.status).toBe('filled');
    expect(tabs.fills()[0]?.plan.url).toBe(pushed);
  });

  it('menuChoose writes nothing once the frame of the menu went to another origin', async () => {
    vault.logins = [login('a')];
    tabs.setFrames(1, [frame(0, PAGE)]);
    const opened = await service.fieldFocused(sender(PAGE), 'f1', 'username');
    tabs.setFrames(1, [frame(0, PAGE, loginReport('https://evil.example.net/login'))]);

    const r = await service.menuChoose(opened?.menu ?? '', { kind: 'fill', id: 'a', allowInsecure: false });

    expect(r.status).toBe('refused');
    expect(tabs.fills()).toEqual([]);
  });

  it('menuChoose keeps the menu open to say a fill was partial', async () => {
    vault.logins = [login('a')];
    tabs.setFrames(1, [{ ...frame(0, PAGE), unwritable: 1 }]);
    const opened = await service.fieldFocused(sender(PAGE), 'f1', 'username');

    const r = await service.menuChoose(opened?.menu ?? '', { kind: 'fill', id: 'a', allowInsecure: false });

    expect(r.message).toMatch(/^Filled partly:/);
    expect(tabs.named('closeMenu')).toEqual([]);
  });

  it('menuState of an unknown session is expired', async () => {
    expect(await service.menuState('never-issued')).toMatchObject({ status: 'expired', suggestions: [] });
  });

  it('a locked vault: the menu says locked and offers nothing', async () => {
    vault.logins = [login('a')];
    vault.unlocked = false;

    const opened = await service.fieldFocused(sender(PAGE), 'f1', 'username');
    expect(opened).not.toBeNull();
    expect(await service.menuState(opened?.menu ?? '')).toEqual({
      status: 'locked',
      host: 'www.example.com',
      purpose: 'login',
      suggestions: [],
    });
  });
});

// ---- keyboard shortcut ------------------------------------------------------------------------------

describe('shortcut', () => {
  const filledIds = () =>
    tabs.fills().map((f) => {
      const user = f.plan.ops.find((op) => op.fieldId === 'f1')?.value;
      return vault.logins.find((l) => l.fields.username === user)?.id;
    });

  it('cycles to the next match within the window and restarts after it', async () => {
    vault.trackUse = false;
    vault.logins = [
      login('a', { username: 'ua' }),
      login('b', { username: 'ub' }),
      login('c', { username: 'uc' }),
    ];
    tabs.setFrames(1, [frame(0, PAGE)]);

    await service.shortcut(); // a
    clock += 5_000;
    await service.shortcut(); // b
    clock += 5_000;
    await service.shortcut(); // c
    clock += 5_000;
    await service.shortcut(); // wraps: a
    clock += 5_000;
    await service.shortcut(); // b
    clock += 20_000;
    await service.shortcut(); // window over: the best match again

    expect(filledIds()).toEqual(['a', 'b', 'c', 'a', 'b', 'a']);
  });

  it('cycles through every match even though each fill makes that login the most recently used', async () => {
    // The real vault's markUsed re-ranks the list between presses; the cycle must not get stuck.
    vault.logins = [login('a', { username: 'ua' }), login('b', { username: 'ub' })];
    tabs.setFrames(1, [frame(0, PAGE)]);

    await service.shortcut();
    clock += 3_000;
    await service.shortcut();
    clock += 3_000;
    await service.shortcut();

    expect(filledIds()).toEqual(['a', 'b', 'a']);
  });

  it('opens the popup instead when the login needs the plain-http question', async () => {
    vault.logins = [login('a')];
    tabs.setFrames(1, [frame(0, 'http://www.example.com/login')]);

    expect((await service.shortcut()).status).toBe('needs-confirmation');
    expect(tabs.popups).toBe(1);
    expect(tabs.fills()).toEqual([]);
  });
});

// ---- saving -------------------------------------------------------------------------------------

describe('formSubmitted and the save prompt', () => {
  const noNew = { newPassword: '' };

  beforeEach(() => {
    tabs.setFrames(1, [frame(0, PAGE), frame(2, 'https://auth.example.com/frame')]);
  });

  const shownPrompts = () =>
    tabs.named('showPrompt').map((s) => ({
      frameId: s.frameId,
      session: s.message.name === 'showPrompt' ? s.message.session : null,
    }));

  it('new credentials: a save prompt in the top frame', async () => {
    vault.logins = [login('a')];

    await service.formSubmitted(sender('https://auth.example.com/frame', 2), {
      username: 'ada',
      password: 'pw-new',
      ...noNew,
    });

    expect(shownPrompts()).toEqual([{ frameId: 0, session: 'session-1' }]);
    expect(service.promptState('session-1')).toEqual({
      kind: 'save',
      host: 'auth.example.com',
      username: 'ada',
      title: null,
    });
    expect(await attentionItem.getValue()).toEqual({ until: T0 + 2 * 60_000 });
    // The next page in the tab asks for it.
    expect(await service.pageReady(sender(PAGE), false, true)).toEqual({ prompt: 'session-1' });
    expect(vault.created).toEqual([]);
  });

  it('same username with another password: an update prompt naming the item', async () => {
    vault.logins = [login('a', { title: 'Example mail' })];

    await service.formSubmitted(sender(PAGE), { username: 'Grace', password: 'pw-changed', ...noNew });

    expect(service.promptState('session-1')).toEqual({
      kind: 'update',
      host: 'www.example.com',
      username: 'Grace',
      title: 'Example mail',
    });
    await service.promptAnswer('session-1', 'update');
    expect(vault.updated).toEqual([{ id: 'a', password: 'pw-changed' }]);
    expect(vault.created).toEqual([]);
  });

  it('the stored password: no prompt', async () => {
    vault.logins = [login('a')];

    await service.formSubmitted(sender(PAGE), { username: 'grace', password: 'pw-stored', ...noNew });

    expect(shownPrompts()).toEqual([]);
    expect(await service.pageReady(sender(PAGE), false, true)).toEqual({ prompt: null });
  });

  it('a change-password form names its login by the current password and offers to update it', async () => {
    vault.logins = [
      login('a', { title: 'Grace' }),
      login('b', { username: 'ada', password: 'pw-ada', title: 'Ada' }),
    ];

    await service.formSubmitted(sender(PAGE), { username: '', password: 'pw-ada', newPassword: 'pw-ada-2' });

    expect(service.promptState('session-1')).toMatchObject({ kind: 'update', username: 'ada', title: 'Ada' });
    await service.promptAnswer('session-1', 'update');
    expect(vault.updated).toEqual([{ id: 'b', password: 'pw-ada-2' }]);
  });

  it("promptAnswer('save') creates the login once; 'dismiss' stores nothing", async () => {
    await service.formSubmitted(sender(PAGE), { username: 'ada', password: 'pw-new', ...noNew });
    await service.promptAnswer('session-1', 'save');
    await service.promptAnswer('session-1', 'save');

    expect(vault.created).toEqual([
      { title: 'example.com', username: 'ada', password: 'pw-new', url: 'https://www.example.com' },
    ]);
    expect(tabs.named('closePrompt').map((s) => s.frameId)).toEqual([0]);
    expect(await attentionItem.getValue()).toBeNull();

    await service.formSubmitted(sender(PAGE), { username: 'bob', password: 'pw-bob', ...noNew });
    await service.promptAnswer('session-2', 'dismiss');
    expect(vault.created).toHaveLength(1);
    expect(vault.updated).toEqual([]);
    expect(await neverSitesItem.getValue()).toEqual([]);
    expect(service.promptState('session-2')).toBeNull();
  });

  it("'never' remembers the host: no more prompts and no inline menu there", async () => {
    vault.logins = [login('a')];
    await service.formSubmitted(sender(PAGE), { username: 'ada', password: 'pw-new', ...noNew });
    await service.promptAnswer('session-1', 'never');

    expect(await neverSitesItem.getValue()).toEqual(['www.example.com']);
    expect(vault.created).toEqual([]);

    await service.formSubmitted(sender('https://www.example.com/other'), {
      username: 'bob',
      password: 'pw-bob',
      ...noNew,
    });
    expect(shownPrompts()).toHaveLength(1);
    expect(await service.fieldFocused(sender(PAGE), 'f1', 'username')).toBeNull();
  });

  it('multi-step login: the username step is carried into the password step’s prompt', async () => {
    await service.formSubmitted(sender(PAGE), { username: 'ada', password: '', ...noNew });
    expect(shownPrompts()).toEqual([]);

    clock += 20_000;
    await service.formSubmitted(sender('https://www.example.com/password'), {
      username: '',
      password: 'pw-ada',
      ...noNew,
    });

    expect(service.promptState('session-1')).toMatchObject({ kind: 'save', username: 'ada' });
    await service.promptAnswer('session-1', 'save');
    expect(vault.created).toEqual([
      { title: 'example.com', username: 'ada', password: 'pw-ada', url: 'https://www.example.com' },
    ]);
  });

  it('the username step of one site is not carried to another site', async () => {
    await service.formSubmitted(sender(PAGE), { username: 'ada', password: '', ...noNew });
    await service.formSubmitted(sender('https://www.example.net/login'), {
      username: '',
      password: 'pw-x',
      ...noNew,
    });

    expect(service.promptState('session-1')).toMatchObject({ kind: 'save', username: '' });
  });

  it('a password Keyhold generated is saved on submit without a prompt', async () => {
    const signup = 'https://www.example.com/signup';
    tabs.setFrames(1, [frame(0, signup, registrationReport(signup))]);
    const opened = await service.fieldFocused(sender(signup), 'f2', 'new-password');
    expect(opened).not.toBeNull();

    const r = await service.menuChoose(opened?.menu ?? '', { kind: 'generate' });
    expect(r.status).toBe('filled');
    const ops = tabs.fills()[0]?.plan.ops ?? [];
    expect(ops.map((op) => op.fieldId)).toEqual(['f2', 'f3']);
    const generated = ops[0]?.value ?? '';
    expect(generated.length).toBeGreaterThanOrEqual(12);
    expect(ops[1]?.value).toBe(generated);

    await service.formSubmitted(sender(signup), { username: 'ada', password: '', newPassword: generated });

    expect(vault.created).toEqual([
      { title: 'example.com', username: 'ada', password: generated, url: 'https://www.example.com' },
    ]);
    expect(shownPrompts()).toEqual([]);
  });

  it('generates from the saved generator options (a passphrase too) and records the value in the history', async () => {
    generator.options = {
      ...DEFAULT_GENERATOR_OPTIONS,
      kind: 'passphrase',
      passphrase: { words: 4, separator: '~', capitalize: false, includeNumber: false },
    };
    const signup = 'https://www.example.com/signup';
    tabs.setFrames(1, [frame(0, signup, registrationReport(signup))]);
    const opened = await service.fieldFocused(sender(signup), 'f2', 'new-password');

    const r = await service.menuChoose(opened?.menu ?? '', { kind: 'generate' });
    expect(r.status).toBe('filled');
    const generated = tabs.fills()[0]?.plan.ops[0]?.value ?? '';
    expect(generated.split('~')).toHaveLength(4);
    expect(generator.recorded).toEqual([{ value: generated, kind: 'passphrase' }]);
  });

  it('a fill stands even when the history cannot be written (vault locked meanwhile)', async () => {
    generator.record = async () => {
      throw new VaultError(ErrorCode.Locked);
    };
    const signup = 'https://www.example.com/signup';
    tabs.setFrames(1, [frame(0, signup, registrationReport(signup))]);
    const opened = await service.fieldFocused(sender(signup), 'f2', 'new-password');
    const r = await service.menuChoose(opened?.menu ?? '', { kind: 'generate' });
    expect(r.status).toBe('filled');
  });
});

// ---- TOTP after a login fill ----------------------------------------------------------------------

describe('pending TOTP', () => {
  const expected = (nowMs: number) =>
    new TOTP({ secret: Secret.fromBase32(TOTP_SECRET), algorithm: 'SHA1', digits: 6, period: 30 }).generate({
      timestamp: nowMs,
    });

  beforeEach(async () => {
    vault.logins = [login('a', { totp: TOTP_SECRET })];
    tabs.setFrames(1, [frame(0, PAGE)]);
    expect((await service.fillInTab(1, 'a', false)).status).toBe('filled');
  });

  it('fills the code on the next page of the same site', async () => {
    const twoFactor = 'https://secure.example.com/2fa';
    tabs.setFrames(1, [frame(0, twoFactor, otpReport(twoFactor))]);
    clock += 40_000;

    await service.pageReady(sender(twoFactor), true, true);

    const fills = tabs.fills();
    expect(fills).toHaveLength(2);
    expect(fills[1]?.frameId).toBe(0);
    expect(fills[1]?.plan.url).toBe(twoFactor);
    const code = expected(clock);
    expect(code).toMatch(/^\d{6}$/);
    expect(fills[1]?.plan.ops).toEqual([...code].map((digit, i) => ({ fieldId: `f${i + 1}`, value: digit })));

    // Once: a reload of the code page gets nothing more without a new gesture.
    await service.pageReady(sender(twoFactor), true, true);
    expect(tabs.fills()).toHaveLength(2);
  });

  it('raises the attention flag while a code is awaited, and lowers it once the code is filled', async () => {
    // Pages watch their fields only while the flag is up (content-agent.ts).
    expect(await attentionItem.getValue()).toEqual({ until: T0 + 3 * 60_000 });
    const twoFactor = 'https://secure.example.com/2fa';
    tabs.setFrames(1, [frame(0, twoFactor, otpReport(twoFactor))]);

    await service.pageReady(sender(twoFactor), true, true);

    expect(await attentionItem.getValue()).toBeNull();
  });

  it('does not fill the code on another site', async () => {
    const other = 'https://www.example.net/2fa';
    tabs.setFrames(1, [frame(0, other, otpReport(other))]);

    await service.pageReady(sender(other), true, true);

    expect(tabs.fills()).toHaveLength(1);
    expect(tabs.named('collect').filter((s) => s.frameId === 0)).toHaveLength(1);
  });

  it('does not fill the code once the follow-up window is over', async () => {
    const twoFactor = 'https://www.example.com/2fa';
    tabs.setFrames(1, [frame(0, twoFactor, otpReport(twoFactor))]);
    clock += 3 * 60_000 + 1_000;

    await service.pageReady(sender(twoFactor), true, true);

    expect(tabs.fills()).toHaveLength(1);
  });
});
