import { useEffect, useRef, useState } from 'preact/hooks';
import { t } from '../i18n/index.ts';
import { ITEM_TYPES, type ItemType } from '../messaging/item-schema.ts';

/** Each type's name as the menu shows it. */
export const typeName = (type: ItemType) => t(`itemTypes.${type}`);

/**
 * "Add item": a button opening a menu of the five item types. Arrow keys move, Home/End jump,
 * Enter chooses, Escape (or Tab, or a click elsewhere) closes and gives the focus back to the button.
 */
export function AddItemMenu({ onChoose }: { onChoose: (type: ItemType) => void }) {
  const [open, setOpen] = useState(false);
  const button = useRef<HTMLButtonElement>(null);
  const menu = useRef<HTMLDivElement>(null);
  const items = () => [...(menu.current?.querySelectorAll<HTMLElement>('[role="menuitem"]') ?? [])];

  useEffect(() => {
    if (!open) return;
    items()[0]?.focus();
    const outside = (e: MouseEvent) => {
      const target = e.target as Node;
      if (!menu.current?.contains(target) && !button.current?.contains(target)) setOpen(false);
    };
    document.addEventListener('mousedown', outside);
    return () => document.removeEventListener('mousedown', outside);
  }, [open]);

  const close = () => {
    setOpen(false);
    button.current?.focus();
  };
  const onKeyDown = (e: KeyboardEvent) => {
    const all = items();
    const at = all.indexOf(document.activeElement as HTMLElement);
    const go = (i: number) => all[(i + all.length) % all.length]?.focus();
    if (e.key === 'Escape') close();
    else if (e.key === 'ArrowDown') go(at + 1);
    else if (e.key === 'ArrowUp') go(at - 1);
    else if (e.key === 'Home') go(0);
    else if (e.key === 'End') go(all.length - 1);
    else if (e.key === 'Tab') setOpen(false);
    else return;
    if (e.key !== 'Tab') e.preventDefault();
  };

  return (
    <div class="add-item-menu">
      <button
        type="button"
        class="primary"
        ref={button}
        aria-haspopup="menu"
        aria-expanded={open}
        aria-controls="add-item-types"
        onClick={() => setOpen((o) => !o)}
        onKeyDown={(e) => {
          if (e.key === 'ArrowDown' && !open) {
            e.preventDefault();
            setOpen(true);
          }
        }}
      >
        {t('editor.addItem')}
      </button>
      {open && (
        <div
          id="add-item-types"
          role="menu"
          aria-label={t('editor.itemTypesMenu')}
          ref={menu}
          onKeyDown={onKeyDown}
        >
          {ITEM_TYPES.map((type) => (
            <button
              key={type}
              type="button"
              role="menuitem"
              tabIndex={-1}
              onClick={() => {
                setOpen(false);
                onChoose(type);
              }}
            >
              {typeName(type)}
            </button>
          ))}
        </div>
      )}
    </div>
  );
}
