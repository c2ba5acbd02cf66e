import type { z } from 'zod';
import type { contentRequestSchemas } from './content-schemas.ts';
import type { FillPlan, FrameReport, InsertOutcome } from './page-fields.ts';

/**
 * Content script ↔ service worker. The content script is an untrusted messenger (README invariant 1):
 * everything it sends is validated here, in the worker, and the page it speaks for is taken from
 * the browser's `sender`, never from the message. The zod schemas live in content-schemas.ts, which
 * only the worker imports, so zod stays out of the script injected into every page.
 */

export const CONTENT_CHANNEL = 'keyhold-content';
export const WORKER_CHANNEL = 'keyhold-worker';

export type ContentMessageName = keyof typeof contentRequestSchemas;
export type ContentRequest<N extends ContentMessageName> = z.input<(typeof contentRequestSchemas)[N]>;

export interface ContentResponses {
  fieldFocused: { menu: string; rows: number } | null;
  formSubmitted: null;
  pageReady: { prompt: string | null };
  menuClosed: null;
}

export interface ContentEnvelope<N extends ContentMessageName = ContentMessageName> {
  channel: typeof CONTENT_CHANNEL;
  name: N;
  request: ContentRequest<N>;
}

/** Worker → content script, addressed to one frame with `tabs.sendMessage(tab, m, { frameId })`. */
export type WorkerMessage =
  /** `fieldId`: only that field's group (a fill from the menu); otherwise the whole frame. */
  | { channel: typeof WORKER_CHANNEL; name: 'collect'; fieldId?: string }
  | { channel: typeof WORKER_CHANNEL; name: 'fill'; plan: FillPlan }
  | { channel: typeof WORKER_CHANNEL; name: 'closeMenu'; refocus: boolean }
  | { channel: typeof WORKER_CHANNEL; name: 'resizeMenu'; rows: number }
  | { channel: typeof WORKER_CHANNEL; name: 'showPrompt'; session: string }
  | { channel: typeof WORKER_CHANNEL; name: 'closePrompt' };

export interface WorkerReplies {
  collect: FrameReport;
  fill: InsertOutcome;
  closeMenu: null;
  resizeMenu: null;
  showPrompt: null;
  closePrompt: null;
}
