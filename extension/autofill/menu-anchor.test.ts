import { describe, expect, it } from 'vitest';
import { placeInViewport } from './menu-anchor.ts';

const menu = { width: 300, height: 78 };

describe('placeInViewport', () => {
  it('hangs the menu under the field at its full size when there is room', () => {
    expect(placeInViewport({ left: 40, top: 100, bottom: 120 }, menu, { width: 1000, height: 800 })).toEqual({
      left: 40,
      top: 124,
      width: 300,
      height: 78,
    });
  });

  it('goes above the field when there is no room below', () => {
    const box = placeInViewport({ left: 40, top: 700, bottom: 720 }, menu, { width: 1000, height: 800 });
    expect(box.top).toBe(700 - 78 - 4);
  });

  it('never pokes out of a viewport narrower or shorter than the menu: it shrinks to fit', () => {
    const viewport = { width: 170, height: 100 };
    const box = placeInViewport({ left: 10, top: 30, bottom: 50 }, { width: 300, height: 210 }, viewport);
    expect(box.left).toBeGreaterThanOrEqual(0);
    expect(box.top).toBeGreaterThanOrEqual(0);
    expect(box.left + box.width).toBeLessThanOrEqual(viewport.width);
    expect(box.top + box.height).toBeLessThanOrEqual(viewport.height);
    expect(box.width).toBe(162);
  });

  it('slides left to stay inside the right edge, and stays inside when room is short both ways', () => {
    const box = placeInViewport({ left: 900, top: 60, bottom: 80 }, menu, { width: 1000, height: 150 });
    expect(box.left + box.width).toBeLessThanOrEqual(996);
    expect(box.top + box.height).toBeLessThanOrEqual(146);
    expect(box.top).toBeGreaterThanOrEqual(4);
  });
});
