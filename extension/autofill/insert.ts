import type { FieldRegistry } from './collect.ts';
import type { FillPlan, InsertOutcome } from './page-fields.ts';
import { isFillable } from './visibility.ts';

/**
 * Insert: writes a plan the service worker made for this frame. It re-checks, just before writing,
 * that the frame is still on the URL the plan was made for and is not sandboxed, and that each
 * target is still fillable; the plan (and the secret in it) is not kept after this call returns.
 */
export function insertPlan(registry: FieldRegistry, plan: FillPlan, win: Window = window): InsertOutcome {
  if (win.origin === 'null') return { filled: 0, refused: 'Keyhold does not fill inside sandboxed frames.' };
  if (!sameDocumentUrl(win.location.href, plan.url)) {
    return { filled: 0, refused: 'The page changed before Keyhold could fill it.' };
  }
  let filled = 0;
  let skipped = 0;
  for (const op of plan.ops) {
    const el = registry.element(op.fieldId);
    if (!el || !isFillable(el)) {
      skipped++;
      continue;
    }
    setFieldValue(el, op.value);
    filled++;
  }
  return {
    filled,
    refused: skipped === 0 ? null : filled === 0 ? 'The fields are hidden or covered.' : null,
  };
}

/** The fragment may change (SPAs route with it) without the document changing. */
function sameDocumentUrl(a: string, b: string): boolean {
  return a.split('#')[0] === b.split('#')[0];
}

const nativeValueSetter = Object.getOwnPropertyDescriptor(HTMLInputElement.prototype, 'value')?.set;

/**
 * Sets a value the way typing would be seen by frameworks: React and friends wrap the element's own
 * `value` property and ignore writes through it, so the prototype's setter is called, followed by
 * the key and input events their listeners watch.
 */
export function setFieldValue(el: HTMLInputElement, value: string): void {
  el.focus({ preventScroll: true });
  el.dispatchEvent(new KeyboardEvent('keydown', { bubbles: true, composed: true, key: 'Unidentified' }));
  if (nativeValueSetter) nativeValueSetter.call(el, value);
  else el.value = value;
  el.dispatchEvent(
    new InputEvent('input', {
      bubbles: true,
      composed: true,
      inputType: 'insertReplacementText',
      data: value,
    }),
  );
  el.dispatchEvent(new KeyboardEvent('keyup', { bubbles: true, composed: true, key: 'Unidentified' }));
  el.dispatchEvent(new Event('change', { bubbles: true }));
}
