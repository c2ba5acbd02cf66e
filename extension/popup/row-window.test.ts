import { describe, expect, it } from 'vitest';
import { ESTIMATED_ROW_PX, OVERSCAN, rowWindow, scrollToReveal } from './row-window.ts';

describe('rowWindow', () => {
  it('renders the rows in view and a margin below them at the top of a long list', () => {
    const w = rowWindow(200, 40, 0, 300);
    expect(w.start).toBe(0);
    // 300 px hold 7.5 rows: 9 counted in view (a partly shown row at each edge), plus the margin.
    expect(w.end).toBe(9 + OVERSCAN);
    expect(w.before).toBe(0);
    expect(w.after).toBe((200 - w.end) * 40);
  });

  it('keeps the full height whatever part is rendered', () => {
    for (const scrollTop of [0, 37, 400, 4000, 7700, 99_999]) {
      const w = rowWindow(200, 40, scrollTop, 300);
      expect(w.before + (w.end - w.start) * 40 + w.after).toBe(200 * 40);
      expect(w.start).toBeGreaterThanOrEqual(0);
      expect(w.end).toBeLessThanOrEqual(200);
      expect(w.start).toBeLessThan(w.end);
    }
  });

  it('has the rows in view and a margin on both sides in the middle', () => {
    const w = rowWindow(200, 40, 4000, 300);
    expect(w.start).toBe(100 - OVERSCAN);
    expect(w.end).toBe(100 + 9 + OVERSCAN);
  });

  it('ends at the last row when scrolled to the bottom (or past it)', () => {
    expect(rowWindow(200, 40, 200 * 40 - 300, 300).end).toBe(200);
    expect(rowWindow(200, 40, 1e9, 300).end).toBe(200);
    expect(rowWindow(200, 40, 1e9, 300).start).toBe(199 - OVERSCAN);
  });

  it('renders a short list whole, and nothing for an empty one', () => {
    expect(rowWindow(5, 40, 0, 300)).toEqual({ start: 0, end: 5, before: 0, after: 0 });
    expect(rowWindow(0, 40, 0, 300)).toEqual({ start: 0, end: 0, before: 0, after: 0 });
  });

  it('estimates a first screen before anything is measured or laid out', () => {
    const w = rowWindow(200, 0, 0, 0);
    expect(w.end).toBe(Math.ceil(320 / ESTIMATED_ROW_PX) + 1 + OVERSCAN);
    expect(w.after).toBe((200 - w.end) * ESTIMATED_ROW_PX);
  });
});

describe('scrollToReveal', () => {
  it('scrolls up to a row above the view and down to one below it', () => {
    expect(scrollToReveal(10, 40, 1000, 300)).toBe(400);
    expect(scrollToReveal(100, 40, 0, 300)).toBe(100 * 40 + 40 - 300);
  });

  it('leaves a row in view where it is', () => {
    expect(scrollToReveal(26, 40, 1000, 300)).toBeNull();
  });
});
