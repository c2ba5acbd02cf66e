/**
 * The in-page UI's container: an extension-page iframe inside a CLOSED shadow root (README
 * invariant 7). Page script cannot reach into either: the iframe is another origin and the root is
 * closed. The host element itself is in the page, so its inline styles use !important (they beat
 * any author rule) and a page that rewrites them, or moves the host, gets the UI removed.
 */

/** Hosts we created: our own menu over a field is not an overlay covering it. */
const ownHosts = new WeakSet<Element>();
export const isOwnUi = (el: Element) => ownHosts.has(el);

export interface InPageFrame {
  readonly iframe: HTMLIFrameElement;
  readonly host: HTMLElement;
  place(rect: { left: number; top: number; width: number; height: number }): void;
  remove(): void;
}

const HOST_STYLE = [
  'all: initial',
  'position: fixed',
  'z-index: 2147483647',
  'display: block',
  'opacity: 1',
  'visibility: visible',
  'pointer-events: auto',
  'margin: 0',
  'padding: 0',
  'border: 0',
  'transform: none',
  'filter: none',
  'clip-path: none',
  'box-shadow: 0 4px 16px rgba(0, 0, 0, 0.25)',
  'border-radius: 8px',
  'overflow: hidden',
  'background: #fff',
];

export function createInPageFrame(
  url: string,
  title: string,
  parent: Element,
  onTampered: () => void,
): InPageFrame {
  // Made by the document it goes into: the menu may hang in a same-origin parent frame's document.
  const doc = parent.ownerDocument;
  const host = doc.createElement('keyhold-frame');
  ownHosts.add(host);
  const root = host.attachShadow({ mode: 'closed' });
  const iframe = doc.createElement('iframe');
  iframe.src = url;
  iframe.title = title;
  iframe.setAttribute('allow', '');
  iframe.style.cssText = 'all: initial; display: block; width: 100%; height: 100%; border: 0;';
  root.append(iframe);

  let rect = { left: 0, top: 0, width: 0, height: 0 };
  let applying = false;
  const apply = () => {
    applying = true;
    const box = [
      `left: ${Math.round(rect.left)}px`,
      `top: ${Math.round(rect.top)}px`,
      `width: ${Math.round(rect.width)}px`,
      `height: ${Math.round(rect.height)}px`,
    ];
    host.style.cssText = [...HOST_STYLE, ...box].map((d) => `${d} !important`).join('; ');
    applying = false;
  };

  const observer = new MutationObserver((records) => {
    if (applying) return;
    if (records.some((r) => r.type === 'attributes' || [...r.removedNodes].includes(host))) onTampered();
  });
  parent.append(host);
  apply();
  observer.observe(host, { attributes: true });
  if (host.parentNode) observer.observe(host.parentNode, { childList: true });

  return {
    iframe,
    host,
    place(next) {
      rect = next;
      apply();
      // apply() fires attribute records asynchronously; drop ours so they don't read as tampering.
      observer.takeRecords();
    },
    remove() {
      observer.disconnect();
      host.remove();
    },
  };
}
