/**
 * Whether a field may be written to (invariant 4 of ./README.md): honeypots — hidden, zero-size,
 * transparent, off-screen — and fields covered by another element are refused.
 */

import { isOwnUi } from './in-page-frame.ts';

const MIN_SIZE = 2;
const MIN_OPACITY = 0.1;

export function isEditable(el: HTMLInputElement): boolean {
  return !el.disabled && !el.readOnly && el.isConnected;
}

/**
 * Rendered, non-trivial in size, not transparent, not hidden, not placed outside the page.
 * `ignoreOpacity` only for `fadingIn`: every decision to show UI or write uses the full check.
 */
export function isVisible(el: HTMLElement, ignoreOpacity = false): boolean {
  // checkVisibility covers display:none, content-visibility and visibility/opacity on any ancestor.
  const opacityProperty = !ignoreOpacity;
  if (!el.checkVisibility({ opacityProperty, visibilityProperty: true, contentVisibilityAuto: true })) {
    return false;
  }
  const rect = el.getBoundingClientRect();
  if (rect.width < MIN_SIZE || rect.height < MIN_SIZE) return false;
  if (opacityProperty && effectiveOpacity(el) < MIN_OPACITY) return false;
  // Off the page: entirely left of or above the document's origin (left:-9999px and friends).
  const view = el.ownerDocument.defaultView;
  const scrollX = view?.scrollX ?? 0;
  const scrollY = view?.scrollY ?? 0;
  if (rect.right + scrollX <= 0 || rect.bottom + scrollY <= 0) return false;
  return !isClipped(el);
}

/** Opacity multiplies down the tree; checkVisibility only catches exactly 0. */
function effectiveOpacity(el: HTMLElement): number {
  let opacity = 1;
  for (let node: Element | null = el; node; node = parentAcrossShadow(node)) {
    const value = Number.parseFloat(getComputedStyle(node).opacity);
    if (!Number.isNaN(value)) opacity *= value;
    if (opacity < MIN_OPACITY) break;
  }
  return opacity;
}

/**
 * The finite opacity animations and transitions now running on `el` or its ancestors (across shadow
 * roots), when they are the only reason `el` is not visible: a component fading its content in.
 * Empty for a field invisible for any other reason or transparent for good (a honeypot). The caller
 * waits for them once and then asks `isVisible` again; nothing here makes a field count as visible.
 */
export function fadingIn(el: HTMLElement): Animation[] {
  if (!isVisible(el, true)) return [];
  const fades: Animation[] = [];
  for (let node: Element | null = el; node; node = parentAcrossShadow(node)) {
    for (const a of node.getAnimations()) {
      const effect = a.effect as KeyframeEffect | null;
      if (a.playState === 'running' && Number.isFinite(effect?.getComputedTiming().endTime ?? Number.NaN)) {
        if (effect?.getKeyframes().some((k) => 'opacity' in k)) fades.push(a);
      }
    }
  }
  return fades;
}

/** `clip: rect(0 0 0 0)` / `clip-path: inset(50%)`, the visually-hidden pattern. */
function isClipped(el: HTMLElement): boolean {
  const style = getComputedStyle(el);
  if (style.clip === 'rect(0px, 0px, 0px, 0px)') return true;
  return /inset\(\s*50%/.test(style.clipPath);
}

function parentAcrossShadow(node: Element): Element | null {
  if (node.parentElement) return node.parentElement;
  const root = node.getRootNode();
  return root instanceof ShadowRoot ? root.host : null;
}

/**
 * True when something else is drawn on top of the field's centre (a clickjacking overlay). Only
 * decidable while the centre is inside the viewport; a field scrolled out of view is not "covered".
 */
export function isCovered(el: HTMLElement): boolean {
  const rect = el.getBoundingClientRect();
  const x = rect.left + rect.width / 2;
  const y = rect.top + rect.height / 2;
  const view = el.ownerDocument.defaultView;
  if (!view || x < 0 || y < 0 || x >= view.innerWidth || y >= view.innerHeight) return false;
  const root = el.getRootNode() as Document | ShadowRoot;
  // The topmost element alone is a cheaper hit test than the whole stack, which is read only when
  // the top is Keyhold's own menu (then the element under it is what the page draws there).
  let top = root.elementFromPoint(x, y);
  if (top !== null && isOwnUi(top)) top = root.elementsFromPoint(x, y).find((e) => !isOwnUi(e)) ?? null;
  if (top === null) return false;
  if (top === el || el.contains(top)) return false;
  // A label drawn over its own input (floating-label designs) is part of the field.
  if (top instanceof HTMLLabelElement && top.control === el) return false;
  return true;
}

export function isFillable(el: HTMLInputElement): boolean {
  return isEditable(el) && isVisible(el) && !isCovered(el);
}

/**
 * What collect reports as fillable: as `isFillable`, except that an empty read-only box counts — the
 * anti-autofill trick of a box that is read-only until focused. Insert focuses such a box and
 * writes only if it became editable. A read-only box showing a value is the page's display.
 */
export function isFillCandidate(el: HTMLInputElement): boolean {
  const editable = isEditable(el) || (el.isConnected && !el.disabled && el.readOnly && el.value === '');
  return editable && isVisible(el) && !isCovered(el);
}
