import type { FieldRegistry } from './collect.ts';
import { sameOrigin, siteUrlOf } from './frame-origin.ts';
import type { FillPlan, InsertOutcome } from './page-fields.ts';
import { isCovered, isFillable, isVisible } from './visibility.ts';

/**
 * Insert: writes a plan the service worker made for this frame. It re-checks, just before writing,
 * that the frame is still the document the plan was made for (same document token, same origin;
 * the path may have moved by `history.pushState`) and is not sandboxed, and that each target is
 * still fillable. A read-only box is focused first and written only if that made it editable; a
 * field the page replaced meanwhile is re-found (refind.ts) or counted as not filled. The plan (and
 * the secret in it) is not kept after this call returns.
 */
export function insertPlan(registry: FieldRegistry, plan: FillPlan, win: Window = window): InsertOutcome {
  if (win.origin === 'null') {
    return {
      filled: 0,
      unfilled: plan.ops.length,
      refused: 'Keyhold does not fill inside sandboxed frames.',
    };
  }
  if (plan.doc !== registry.doc || !sameOrigin(siteUrlOf(win.location.href, win.origin) ?? '', plan.url)) {
    return {
      filled: 0,
      unfilled: plan.ops.length,
      refused: 'The page changed before Keyhold could fill it.',
    };
  }
  let filled = 0;
  let unfilled = 0;
  for (const op of plan.ops) {
    if (writeOp(registry, op.fieldId, op.value, win.document)) filled++;
    else unfilled++;
  }
  return {
    filled,
    unfilled,
    refused:
      unfilled === 0
        ? null
        : filled === 0
          ? 'The fields are hidden, covered or read-only.'
          : `${unfilled} of ${plan.ops.length} fields could not be filled.`,
  };
}

/** One operation: the field, or its replacement if the page re-created it (once, even mid-write). */
function writeOp(registry: FieldRegistry, id: string, value: string, doc: Document): boolean {
  let el = registry.element(id) ?? registry.refind(id, doc);
  for (let attempt = 0; el && attempt < 2; attempt++) {
    const outcome = write(el, value);
    if (outcome !== 'replaced') return outcome === 'written';
    el = registry.refind(id, doc);
  }
  return false;
}

function write(el: HTMLInputElement, value: string): 'written' | 'refused' | 'replaced' {
  if (el.disabled || !isVisible(el) || isCovered(el)) return 'refused';
  if (el.readOnly) {
    // Read-only until focused: the page's focus handler lifts it, or the box stays untouched.
    el.focus({ preventScroll: true });
    if (!el.isConnected) return 'replaced';
    // Its focus handler ran page code: the field is judged again as it is now.
    if (!isFillable(el)) return 'refused';
  }
  setFieldValue(el, value);
  return 'written';
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
