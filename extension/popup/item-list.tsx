import { useEffect, useLayoutEffect, useRef, useState } from 'preact/hooks';
import { t } from '../i18n/index.ts';
import type { ItemSummary } from '../messaging/protocol.ts';
import { ItemRow } from './item-row.tsx';
import { rowWindow, scrollToReveal } from './row-window.ts';

interface Props {
  items: readonly ItemSummary[];
  busy: boolean;
  onOpen: (i: ItemSummary) => void;
  onFavorite: (i: ItemSummary) => void;
  onRestore: (i: ItemSummary) => void;
  onDeleteForever: (i: ItemSummary) => void;
  /**
   * A row to focus once it is in the document (back from its detail view): scrolled to first when
   * it is outside the rendered window. `onFocused(false)`: it is not in the list any more.
   */
  focusId: string | null;
  onFocused: (found: boolean) => void;
}

/**
 * The list's rows, only those in view and a margin around them in the document (row-window.ts):
 * the box keeps the full list's height, so the scrollbar and Page Down behave as over every row,
 * and each row says its place in the whole list to assistive technology.
 */
export function ItemList({
  items,
  busy,
  onOpen,
  onFavorite,
  onRestore,
  onDeleteForever,
  focusId,
  onFocused,
}: Props) {
  const box = useRef<HTMLDivElement>(null);
  const [scrollTop, setScrollTop] = useState(0);
  const [viewPx, setViewPx] = useState(0);
  const [rowPx, setRowPx] = useState(0);
  const frame = useRef(0);

  const win = rowWindow(items.length, rowPx, scrollTop, viewPx);

  // The first rendered row gives the height of every row (they share one layout: one line of
  // title, one of subtitle); the box's height is read with it.
  useLayoutEffect(() => {
    const ul = box.current;
    if (!ul) return;
    const first = ul.querySelector('li');
    const measured = first ? first.getBoundingClientRect().height : 0;
    if (measured > 0 && Math.abs(measured - rowPx) > 0.5) setRowPx(measured);
    if (ul.clientHeight !== viewPx) setViewPx(ul.clientHeight);
  });

  useEffect(() => () => cancelAnimationFrame(frame.current), []);

  // A new list (search, filter) starts at its top.
  const firstId = items[0]?.id;
  useLayoutEffect(() => {
    const ul = box.current;
    if (ul && ul.scrollTop > 0 && focusId === null) {
      ul.scrollTop = 0;
      setScrollTop(0);
    }
  }, [firstId]);

  useLayoutEffect(() => {
    const ul = box.current;
    if (focusId === null || !ul) return;
    const index = items.findIndex((i) => i.id === focusId);
    if (index < 0) return onFocused(false);
    const row = ul.querySelector<HTMLElement>(`button.open[data-id="${focusId}"]`);
    if (row) {
      row.focus();
      return onFocused(true);
    }
    // Outside the rendered rows: scroll it into view; the next render has it.
    const to = scrollToReveal(index, rowPx, ul.scrollTop, ul.clientHeight);
    if (to === null) return onFocused(false);
    ul.scrollTop = to;
    setScrollTop(ul.scrollTop);
  }, [focusId, items, scrollTop, rowPx]);

  const onScroll = () => {
    // One update per frame however fast the wheel turns.
    if (frame.current) return;
    frame.current = requestAnimationFrame(() => {
      frame.current = 0;
      if (box.current) setScrollTop(box.current.scrollTop);
    });
  };

  // The box scrolls; the list inside it is as tall as every row (blank space for those not rendered).
  return (
    <div ref={box} class="items-scroll" onScroll={onScroll}>
      <ul
        class="items"
        aria-label={t('list.itemsLabel')}
        style={{ paddingTop: `${win.before}px`, paddingBottom: `${win.after}px` }}
      >
        {items.slice(win.start, win.end).map((i, n) => (
          <ItemRow
            key={i.id}
            item={i}
            busy={busy}
            position={win.start + n + 1}
            setSize={items.length}
            onOpen={onOpen}
            onFavorite={onFavorite}
            onRestore={onRestore}
            onDeleteForever={onDeleteForever}
          />
        ))}
      </ul>
    </div>
  );
}
