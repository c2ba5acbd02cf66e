/**
 * Which rows of a long list are in the document: the ones in view and a margin around them, so a
 * popup over 200 rows lays out a few dozen (docs/extension-pages.md, "Long lists"). Pure, so the
 * arithmetic is tested without a DOM.
 */

/** Rows kept in the document above and below the ones in view: Tab and the arrow keys land on a row that exists. */
export const OVERSCAN = 12;

/** A row's height before one has been measured (the popup's row: title line and subtitle). */
export const ESTIMATED_ROW_PX = 44;

export interface RowWindow {
  /** First row in the document (inclusive). */
  start: number;
  /** One past the last row in the document. */
  end: number;
  /** Blank space standing in for the rows above `start`, and below `end`. */
  before: number;
  after: number;
}

/**
 * The rows to render for a list of `count` rows of `rowPx` each, scrolled to `scrollTop` in a box
 * `viewPx` high. A box not laid out yet (height 0) gets a first screen's worth.
 */
export function rowWindow(count: number, rowPx: number, scrollTop: number, viewPx: number): RowWindow {
  const row = rowPx > 0 ? rowPx : ESTIMATED_ROW_PX;
  const inView = Math.ceil((viewPx > 0 ? viewPx : 320) / row) + 1;
  const first = Math.min(Math.max(0, Math.floor(scrollTop / row)), Math.max(0, count - 1));
  const start = Math.max(0, first - OVERSCAN);
  const end = Math.min(count, first + inView + OVERSCAN);
  return { start, end, before: start * row, after: Math.max(0, count - end) * row };
}

/** The scroll position that brings row `index` into a box `viewPx` high, or null when it is in view already. */
export function scrollToReveal(
  index: number,
  rowPx: number,
  scrollTop: number,
  viewPx: number,
): number | null {
  const row = rowPx > 0 ? rowPx : ESTIMATED_ROW_PX;
  const top = index * row;
  if (top < scrollTop) return top;
  if (top + row > scrollTop + viewPx) return Math.max(0, top + row - viewPx);
  return null;
}
