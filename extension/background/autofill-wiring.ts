import { type Browser, browser } from 'wxt/browser';
import type { z } from 'zod';
import {
  CONTENT_CHANNEL,
  type ContentMessageName,
  type WorkerMessage,
  type WorkerReplies,
} from '../autofill/content-protocol.ts';
import { contentRequestSchemas } from '../autofill/content-schemas.ts';
import { siteUrlOf } from '../autofill/frame-origin.ts';
import { t } from '../i18n/index.ts';
import type { AutofillService, FrameSender, TabsPort } from './autofill-service.ts';

/** Browser plumbing for autofill: tabs and frames, the content-script channel, shortcut, context menu. */

export const FILL_COMMAND = 'fill-login';
const MENU_ROOT = 'keyhold';
const MENU_FILL_PREFIX = 'keyhold-fill:';
const MENU_UNLOCK = 'keyhold-unlock';

export function createBrowserTabs(): TabsPort {
  return {
    async activeTab() {
      const [tab] = await browser.tabs.query({ active: true, lastFocusedWindow: true });
      return tab?.id === undefined ? null : { id: tab.id, url: tab.url ?? null };
    },
    async frames(tabId) {
      const frames = (await browser.webNavigation.getAllFrames({ tabId })) ?? [];
      return frames.map((f) => ({ frameId: f.frameId, parentFrameId: f.parentFrameId, url: f.url }));
    },
    send<N extends WorkerMessage['name']>(
      tabId: number,
      frameId: number,
      message: Extract<WorkerMessage, { name: N }>,
    ) {
      return browser.tabs.sendMessage(tabId, message, { frameId }) as Promise<WorkerReplies[N] | undefined>;
    },
    async openPopup() {
      // Chrome 127+ opens the toolbar popup from here; elsewhere the popup page opens in a tab.
      const action = (browser as unknown as { action?: { openPopup?: () => Promise<void> } }).action;
      try {
        if (action?.openPopup) return await action.openPopup();
      } catch {
        // No focused window to anchor the popup: fall through.
      }
      await browser.tabs.create({ url: browser.runtime.getURL('/popup.html') });
    },
  };
}

/** A content script's sender as the browser reports it; anything else (no tab, other extension) is refused. */
export function frameSender(sender: Browser.runtime.MessageSender, extensionId: string): FrameSender | null {
  if (
    sender.id !== extensionId ||
    sender.tab?.id === undefined ||
    sender.frameId === undefined ||
    !sender.url
  ) {
    return null;
  }
  const origin = (sender as { origin?: string }).origin ?? null;
  // An about:blank / srcdoc frame is matched on the origin it inherited (the browser's `origin`).
  const url = siteUrlOf(sender.url, origin) ?? sender.url;
  return { tabId: sender.tab.id, frameId: sender.frameId, url, origin };
}

export function wireAutofill(autofill: AutofillService, vault: { isUnlocked(): Promise<boolean> }) {
  const extensionId = browser.runtime.id;

  const refreshContextMenu = async (frameUrl: string) => {
    if (!browser.contextMenus) return;
    await browser.contextMenus.removeAll();
    browser.contextMenus.create({ id: MENU_ROOT, title: t('ext.name'), contexts: ['editable'] });
    if (!(await vault.isUnlocked())) {
      browser.contextMenus.create({
        id: MENU_UNLOCK,
        parentId: MENU_ROOT,
        title: t('account.unlockTitle'),
        contexts: ['editable'],
      });
      return;
    }
    const choices = await autofill.contextMenuChoices(frameUrl);
    if (choices.length === 0) {
      browser.contextMenus.create({
        id: `${MENU_ROOT}-none`,
        parentId: MENU_ROOT,
        title: t('worker.noLoginForSite'),
        enabled: false,
        contexts: ['editable'],
      });
    }
    for (const c of choices) {
      browser.contextMenus.create({
        id: `${MENU_FILL_PREFIX}${c.id}`,
        parentId: MENU_ROOT,
        title: c.username ? t('worker.menuLogin', { title: c.title, username: c.username }) : c.title,
        contexts: ['editable'],
      });
    }
  };

  browser.contextMenus?.onClicked.addListener((info, tab) => {
    const id = String(info.menuItemId);
    if (id === MENU_UNLOCK) return void autofill.openPopup();
    if (!id.startsWith(MENU_FILL_PREFIX) || tab?.id === undefined) return;
    const frameUrl = info.frameUrl ?? info.pageUrl;
    if (!frameUrl) return;
    void autofill
      .fillInTab(tab.id, id.slice(MENU_FILL_PREFIX.length), false, {
        frameId: info.frameId ?? 0,
        url: frameUrl,
      })
      .then((r) => (r.status === 'needs-confirmation' ? autofill.openPopup() : undefined));
  });

  browser.commands?.onCommand.addListener((command) => {
    if (command === FILL_COMMAND) void autofill.shortcut();
  });

  browser.tabs.onRemoved.addListener((tabId) => autofill.forgetTab(tabId));

  return (message: unknown, sender: Browser.runtime.MessageSender): Promise<unknown> | undefined => {
    const from = frameSender(sender, extensionId);
    if (!from) return undefined;
    const m = message as { channel?: unknown; name?: unknown; request?: unknown };
    if (typeof m !== 'object' || m === null || m.channel !== CONTENT_CHANNEL) return undefined;
    if (typeof m.name !== 'string' || !Object.hasOwn(contentRequestSchemas, m.name)) return undefined;
    const name = m.name as ContentMessageName;
    const schema: z.ZodType = contentRequestSchemas[name];
    const parsed = schema.safeParse(m.request);
    if (!parsed.success) return Promise.resolve(null);
    return handleContent(autofill, from, name, parsed.data, refreshContextMenu).catch(() => null);
  };
}

async function handleContent(
  autofill: AutofillService,
  from: FrameSender,
  name: ContentMessageName,
  request: unknown,
  refreshContextMenu: (url: string) => Promise<void>,
): Promise<unknown> {
  switch (name) {
    case 'fieldFocused': {
      const r = request as z.output<(typeof contentRequestSchemas)['fieldFocused']>;
      void refreshContextMenu(from.url).catch(() => undefined);
      return autofill.fieldFocused(from, r.fieldId, r.kind);
    }
    case 'formSubmitted': {
      const r = request as z.output<(typeof contentRequestSchemas)['formSubmitted']>;
      await autofill.formSubmitted(from, r);
      return null;
    }
    case 'pageReady': {
      const r = request as z.output<(typeof contentRequestSchemas)['pageReady']>;
      return autofill.pageReady(from, r.hasOtp, r.top && from.frameId === 0);
    }
    case 'menuClosed':
      autofill.menuClosedByPage(from);
      return null;
  }
}
