/**
 * Where the inline menu hangs for a field. A sign-in form often sits in a frame narrower or
 * shorter than the menu; drawn inside it, the menu would be clipped, and a clipped menu is never
 * "visible" to the click guard (Intersection Observer v2), so the user's clicks would be ignored.
 * So the menu climbs out through every same-origin parent frame (the same site, the same trust)
 * into the highest document it can reach, and is placed there at the field's position; a
 * cross-origin parent stops the climb, and there the menu is fitted inside the frame instead.
 * A field in an open modal dialog or popover keeps the menu in that top layer, where it is drawn.
 *
 * Elements of other frames belong to other JavaScript realms, so nothing here uses `instanceof`.
 */

export interface MenuAnchor {
  /** The element the menu's host goes into. */
  readonly layer: Element;
  /** The window of `layer`'s document: its viewport is the one the menu is placed in. */
  readonly win: Window;
  /** The windows from the field's own to `win`: scrolling any of them moves the field. */
  readonly windows: readonly Window[];
  /** The field's box in `win`'s viewport. */
  fieldRect(): { left: number; top: number; bottom: number };
}

export function menuAnchor(field: Element): MenuAnchor {
  const windows: Window[] = [];
  const frames: Element[] = [];
  let win = field.ownerDocument.defaultView ?? window;
  let layer = layerFor(field);
  windows.push(win);
  while (layer === win.document.documentElement) {
    const frame = sameOriginFrameElement(win);
    const parent = frame?.ownerDocument.defaultView;
    if (!frame || !parent) break;
    frames.push(frame);
    win = parent;
    windows.push(win);
    layer = layerFor(frame);
  }
  return {
    layer,
    win,
    windows,
    fieldRect() {
      const r = field.getBoundingClientRect();
      let left = r.left;
      let top = r.top;
      for (const frame of frames) {
        const box = frame.getBoundingClientRect();
        const style = frame.ownerDocument.defaultView?.getComputedStyle(frame);
        left += box.left + frame.clientLeft + (Number.parseFloat(style?.paddingLeft ?? '') || 0);
        top += box.top + frame.clientTop + (Number.parseFloat(style?.paddingTop ?? '') || 0);
      }
      return { left, top, bottom: top + r.height };
    },
  };
}

/** The `<iframe>` holding `win` when its parent is the same origin (null across origins or at the top). */
function sameOriginFrameElement(win: Window): Element | null {
  if (win === win.top) return null;
  try {
    // `frameElement` is null when the parent is another origin; some browsers throw instead.
    const frame = win.frameElement;
    return frame && frame.ownerDocument.defaultView?.origin === win.origin ? frame : null;
  } catch {
    return null;
  }
}

/**
 * Where UI must live to be above `el`: inside its open modal `<dialog>` or popover (the top
 * layer, where everything outside is inert or drawn beneath), else its document.
 */
export function layerFor(el: Element): Element {
  for (let node: Element | null = el; node; ) {
    if (
      (node.localName === 'dialog' && (node as HTMLDialogElement).open) ||
      (node.hasAttribute('popover') && node.matches(':popover-open'))
    ) {
      return node;
    }
    if (node.parentElement) node = node.parentElement;
    else {
      const root = node.getRootNode() as Node & { host?: Element };
      node = root.nodeType === Node.DOCUMENT_FRAGMENT_NODE && root.host ? root.host : null;
    }
  }
  return el.ownerDocument.documentElement;
}

/**
 * The menu's box in `win`: under the field (over it when there is no room below and there is
 * above), never wider or taller than the viewport, so no part of it is clipped.
 */
export function placeInViewport(
  field: { left: number; top: number; bottom: number },
  size: { width: number; height: number },
  viewport: { width: number; height: number },
): { left: number; top: number; width: number; height: number } {
  const margin = 4;
  const width = Math.max(1, Math.min(size.width, viewport.width - 2 * margin));
  const height = Math.max(1, Math.min(size.height, viewport.height - 2 * margin));
  const below = field.bottom + margin;
  const above = field.top - height - margin;
  let top = below;
  if (below + height > viewport.height - margin) {
    top = above >= margin ? above : Math.max(margin, viewport.height - margin - height);
  }
  const left = Math.max(margin, Math.min(field.left, viewport.width - width - margin));
  return { left, top, width, height };
}
