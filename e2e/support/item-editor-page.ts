import type { Page } from 'puppeteer-core';

const aria = (name: string, role?: string) =>
  role ? `::-p-aria([name="${name}"][role="${role}"])` : `::-p-aria(${name})`;

/** The item editor of every type, by the names a user sees (popup/item-editor.tsx and its sections). */
export class ItemEditorPage {
  constructor(readonly page: Page) {}

  /** "Add item", then the type by its name ("Secure note", "Card"…): waits for the editor. */
  async startNew(typeName: string, heading: string) {
    await this.page.locator(aria('Add item', 'button')).click();
    await this.page.locator(aria(typeName, 'menuitem')).click();
    await this.page.locator(aria(heading, 'heading')).wait();
  }

  async fill(name: string, value: string) {
    const el = await this.page.locator(aria(name)).waitHandle();
    await el.click({ count: 3 });
    await el.evaluate((e) => (e as HTMLInputElement).select?.());
    await this.page.keyboard.press('Backspace');
    if (value) await el.type(value);
  }

  async choose(name: string, value: string) {
    await this.page.locator(aria(name)).fill(value);
  }

  value(name: string): Promise<string> {
    return this.page.$eval(aria(name), (e) => (e as HTMLInputElement).value);
  }

  checked(name: string): Promise<boolean> {
    return this.page.$eval(aria(name), (e) => (e as HTMLInputElement).checked);
  }

  click(name: string, role = 'button') {
    return this.page.locator(aria(name, role)).click();
  }

  /**
   * Back on the list: a saved or cancelled existing item shows its detail view first (Escape
   * leaves it), a new one goes straight to the list.
   */
  async backToList() {
    await this.page.waitForFunction(
      () =>
        document.querySelector('h1.detail-title') !== null ||
        document.querySelector('ul[aria-label="Logins"]') !== null,
      { polling: 'mutation' },
    );
    if (await this.page.$('h1.detail-title')) await this.page.keyboard.press('Escape');
    await this.page.locator(aria('Add login', 'button')).wait();
  }

  /** Saves and waits for the list again. */
  async save() {
    await this.click('Save');
    await this.backToList();
  }

  /** Clicks Save and returns the message shown next to the field `name` (its aria-describedby). */
  async saveExpectingError(name: string): Promise<string> {
    await this.click('Save');
    return this.errorOf(name);
  }

  async errorOf(name: string): Promise<string> {
    const el = await this.page.locator(aria(name)).waitHandle();
    const text = await this.page.waitForFunction(
      (e) => {
        const id = e.getAttribute('aria-describedby');
        return (id && document.getElementById(id)?.textContent) || false;
      },
      { polling: 'mutation' },
      el,
    );
    return (await text.jsonValue()) as string;
  }

  /** Opens an item from the list and waits for its editor's heading. */
  async open(title: string, heading: string) {
    await this.page
      .locator(`ul[aria-label="Logins"] li button.open[data-title=${JSON.stringify(title)}]`)
      .click();
    await this.page.locator('h1.detail-title').wait();
    await this.click('Edit');
    await this.page.locator(aria(heading, 'heading')).wait();
  }

  async cancel() {
    await this.click('Cancel');
    await this.backToList();
  }
}
