import type { Page } from 'puppeteer-core';

/** The popup's Generator tab, by what a user sees and touches. */
export class GeneratorPage {
  constructor(readonly page: Page) {}

  async open() {
    await this.page.locator('::-p-aria([name="Generator"][role="tab"])').click();
    await this.page.locator('output.generated-value').wait();
  }

  /** Clears a field and types `value`, as a user selecting its text and typing over it. */
  async type(selector: string, value: string) {
    const el = await this.page.locator(selector).waitHandle();
    await el.click({ count: 3 });
    await this.page.keyboard.down('Control');
    await this.page.keyboard.press('a');
    await this.page.keyboard.up('Control');
    await this.page.keyboard.press('Backspace');
    if (value) await el.type(value);
  }

  async setChecked(selector: string, on: boolean) {
    const el = await this.page.locator(selector).waitHandle();
    if ((await el.evaluate((e) => (e as HTMLInputElement).checked)) !== on) await el.click();
  }

  /** The value, once one matching `pattern` is shown (a new one follows a change of the options). */
  async valueMatching(pattern: RegExp): Promise<string> {
    const handle = await this.page.waitForFunction(
      (source: string, flags: string) => {
        const text = document.querySelector('output.generated-value')?.textContent ?? '';
        return new RegExp(source, flags).test(text) ? text : null;
      },
      { timeout: 10_000 },
      pattern.source,
      pattern.flags,
    );
    return (await handle.jsonValue()) as string;
  }

  async value(): Promise<string> {
    return this.page.$eval('output.generated-value', (e) => e.textContent ?? '');
  }

  /** The error shown next to the field with this id. */
  async fieldError(id: string): Promise<string> {
    const el = await this.page.locator(`#${id}-error`).waitHandle();
    return el.evaluate((e) => e.textContent ?? '');
  }

  async historyValues(): Promise<string[]> {
    return this.page.$$eval('ul.generator-history-list code', (els) => els.map((e) => e.textContent ?? ''));
  }
}
