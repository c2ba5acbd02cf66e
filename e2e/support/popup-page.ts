import type { Page } from 'puppeteer-core';

const aria = (name: string, role?: string) =>
  role ? `::-p-aria([name="${name}"][role="${role}"])` : `::-p-aria(${name})`;

export type UriMatch = 'domain' | 'host' | 'exact' | 'never';

/** A login as the editor shows it: every field, every website row with its match mode. */
export interface LoginFields {
  title: string;
  username: string;
  password: string;
  uris: { url: string; match: UriMatch }[];
  notes: string;
  totp: string;
}

/** What a test types into the editor: a website row's match defaults to "Base domain". */
export interface ItemInput extends Partial<Omit<LoginFields, 'uris'>> {
  uris?: { url: string; match?: UriMatch }[];
}

/** An entry of the "Account activity" list, as the popup shows it. */
export interface ActivityEntry {
  what: string;
  /** The event's time as the `<time>` element carries it (ISO). */
  at: string;
  /** Shown under it: the local date and time. */
  when: string;
  device: string | null;
  from: string | null;
}

const ACTIVITY_ENTRIES = 'ul[aria-label="Account activity"] > li';
const RECOVERY_KEY = 'section[aria-label="Recovery key"] code';
export const LAST_GROUP_LABEL = 'Type the last group of the key to confirm you saved it';

/** Each list row's main button (a row also has a favorite star, or Restore / Delete forever). */
export const ROW_BUTTONS = 'ul[aria-label="Logins"] li button.open';

const TOTP_LABEL = 'One-time code (TOTP) secret or otpauth:// URI';
const websiteInputs = 'input[aria-label^="Website address "]';

/** What a user does in the toolbar popup, by the names they see on screen. */
export class PopupPage {
  constructor(readonly page: Page) {}

  async fill(name: string, value: string) {
    const el = await this.page.locator(aria(name)).waitHandle();
    await el.click({ count: 3 });
    await el.evaluate((e) => {
      (e as HTMLInputElement).select?.();
    });
    await this.page.keyboard.press('Backspace');
    if (value) await el.type(value);
  }

  click(name: string, role = 'button') {
    return this.page.locator(aria(name, role)).click();
  }

  /** Creates the account and saves the recovery key shown next, as a user does; returns the key. */
  async createAccount(serverUrl: string, email: string, password: string): Promise<string> {
    await this.startAccount(serverUrl, email, password);
    return this.saveRecoveryKey();
  }

  /** The sign-up form, up to the recovery key screen that follows it. */
  async startAccount(serverUrl: string, email: string, password: string) {
    await this.click('Create account', 'tab');
    await this.fill('Server address', serverUrl);
    await this.fill('Email', email);
    await this.fill('Master password', password);
    await this.fill('Confirm master password', password);
    await this.click('Create account');
    await this.waitForRecoveryKey();
  }

  waitForRecoveryKey() {
    return this.page.locator(aria('Save your recovery key', 'heading')).wait();
  }

  /** The recovery key as the screen shows it ("XXXX-XXXX-…"), read as a user copies it. */
  async recoveryKey(): Promise<string> {
    const el = await this.page.locator(RECOVERY_KEY).waitHandle();
    return el.evaluate((e) => e.textContent ?? '');
  }

  /** Reads the key shown, types its last group back and waits for the vault list. */
  async saveRecoveryKey(): Promise<string> {
    const key = await this.recoveryKey();
    await this.fill(LAST_GROUP_LABEL, key.split('-').at(-1) ?? '');
    await this.click('I saved my recovery key');
    await this.waitForList();
    return key;
  }

  async logIn(serverUrl: string, email: string, password: string) {
    await this.click('Log in', 'tab');
    await this.fill('Server address', serverUrl);
    await this.fill('Email', email);
    await this.fill('Master password', password);
    await this.click('Log in');
    await this.waitForList();
  }

  waitForList() {
    return this.page.locator(aria('Add login', 'button')).wait();
  }

  async addLogin(f: ItemInput & Pick<LoginFields, 'title'>) {
    await this.click('Add login');
    await this.fillItem(f);
    await this.click('Save');
    await this.waitForList();
  }

  async fillItem(f: ItemInput) {
    if (f.title !== undefined) await this.fill('Title', f.title);
    if (f.username !== undefined) await this.fill('Username', f.username);
    if (f.password !== undefined) await this.fill('Password', f.password);
    if (f.uris !== undefined) await this.setWebsites(f.uris);
    if (f.totp !== undefined) await this.fill(TOTP_LABEL, f.totp);
    if (f.notes !== undefined) await this.fill('Notes', f.notes);
  }

  private websiteCount() {
    return this.page.$$eval(websiteInputs, (els) => els.length);
  }

  /** Replaces the editor's website rows: removes every row, then adds one per entry. */
  async setWebsites(uris: NonNullable<ItemInput['uris']>) {
    for (let n = await this.websiteCount(); n > 0; n--) {
      await this.click(`Remove website address ${n}`);
    }
    for (const [i, uri] of uris.entries()) {
      await this.click('Add website');
      await this.fill(`Website address ${i + 1}`, uri.url);
      await this.page.locator(aria(`Match for website address ${i + 1}`)).fill(uri.match ?? 'domain');
    }
  }

  /** The list row (its open button) of the item titled `title`; its accessible name adds subtitle and type. */
  row(title: string) {
    // A CSS string: JSON's quoting and backslash escapes are valid CSS escapes.
    return this.page.locator(`${ROW_BUTTONS}[data-title=${JSON.stringify(title)}]`);
  }

  /** Opens a login's read-only detail view from the list (clicking its row). */
  async openDetail(title: string) {
    await this.row(title).click();
    await this.page.locator(aria(title, 'heading')).wait();
  }

  /** Opens a login in the editor (row, then Edit) and reads every field. */
  async openItem(title: string): Promise<LoginFields> {
    await this.openDetail(title);
    await this.click('Edit');
    await this.page.locator(aria('Edit login', 'heading')).wait();
    const value = (name: string) => this.page.$eval(aria(name), (e) => (e as HTMLInputElement).value);
    const uris: LoginFields['uris'] = [];
    for (let n = 1; n <= (await this.websiteCount()); n++) {
      uris.push({
        url: await value(`Website address ${n}`),
        match: (await value(`Match for website address ${n}`)) as UriMatch,
      });
    }
    return {
      title: await value('Title'),
      username: await value('Username'),
      password: await value('Password'),
      uris,
      notes: await value('Notes'),
      totp: await value(TOTP_LABEL),
    };
  }

  /** Leaves the editor opened by `openItem` without saving, and its detail view: back to the list. */
  async closeItem() {
    await this.click('Cancel');
    await this.click('Back');
    await this.waitForList();
  }

  async editItem(title: string, changes: ItemInput) {
    await this.openItem(title);
    await this.fillItem(changes);
    await this.click('Save');
    // After a save the detail view shows again; Back leads to the list.
    await this.page.locator(aria(changes.title ?? title, 'heading')).wait();
    await this.click('Back');
    await this.waitForList();
  }

  /** Click "Sync now" and wait until the popup says it is no longer busy. */
  async syncNow() {
    const busy = () => document.querySelector('main')?.getAttribute('aria-busy') === 'true';
    const sawBusy = this.page.waitForFunction(busy, { polling: 'mutation' });
    await this.click('Sync now');
    await sawBusy;
    await this.page.waitForFunction(
      () => document.querySelector('main')?.getAttribute('aria-busy') !== 'true',
      {
        polling: 'mutation',
      },
    );
  }

  titles() {
    return this.page.$$eval(ROW_BUTTONS, (bs) => bs.map((b) => (b as HTMLElement).dataset.title ?? null));
  }

  async lock() {
    await this.click('Lock');
    await this.page.locator(aria('Unlock Keyhold', 'heading')).wait();
  }

  async unlock(password: string) {
    await this.fill('Master password', password);
    await this.click('Unlock');
  }

  /** Opens "Activity" from the list and waits for its first page (or its error). */
  async openActivity() {
    await this.click('Activity');
    await this.page.locator(aria('Account activity', 'heading')).wait();
    await this.page.waitForSelector(`${ACTIVITY_ENTRIES}, [role="alert"]`);
  }

  /** Clicks "Load older" and waits until more entries (or an error) show. */
  async loadOlderActivity() {
    const shown = (await this.activityEntries()).length;
    await this.click('Load older');
    await this.page.waitForFunction(
      (selector, before) =>
        document.querySelectorAll(selector).length > before || document.querySelector('[role="alert"]'),
      { polling: 'mutation' },
      ACTIVITY_ENTRIES,
      shown,
    );
  }

  activityEntries(): Promise<ActivityEntry[]> {
    return this.page.$$eval(ACTIVITY_ENTRIES, (lis) =>
      lis.map((li) => {
        const part = (name: string) => li.querySelector(`.${name}`)?.textContent ?? null;
        return {
          what: part('what') ?? '',
          at: li.querySelector('time')?.getAttribute('datetime') ?? '',
          when: part('when') ?? '',
          device: part('device'),
          from: part('from'),
        };
      }),
    );
  }

  async alertText(): Promise<string> {
    const el = await this.page.locator('[role="alert"]').waitHandle();
    return el.evaluate((e) => e.textContent ?? '');
  }
}
