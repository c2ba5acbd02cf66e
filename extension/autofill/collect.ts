import {
  classifyField,
  type FieldDescriptor,
  FieldKind,
  isIdentifierBox,
  isIdentifierStep,
} from './field-kind.ts';
import { siteUrlOf } from './frame-origin.ts';
import { LabelIndex } from './label-index.ts';
import type { FieldInfo, FrameReport } from './page-fields.ts';
import { type FieldPrint, pickReplacement } from './refind.ts';
import { type FormDescriptor, passwordKinds } from './signup-form.ts';
import { isFillCandidate, isVisible } from './visibility.ts';

/**
 * Collect: finds this frame's inputs — in the document, in open shadow roots and, through
 * `chrome.dom.openOrClosedShadowRoot`, in closed ones — classifies them and reports data only.
 * Elements stay here, behind opaque ids (FieldRegistry).
 */

export type ShadowRootOf = (el: Element) => ShadowRoot | null;

/** Chrome's content-script API for closed roots; elsewhere only open roots are reachable. */
export const defaultShadowRootOf: ShadowRootOf = (() => {
  const dom = (globalThis as { chrome?: { dom?: { openOrClosedShadowRoot?: ShadowRootOf } } }).chrome?.dom;
  const openOrClosed = dom?.openOrClosedShadowRoot;
  if (typeof openOrClosed === 'function') {
    return (el: Element) => {
      try {
        return openOrClosed(el) ?? null;
      } catch {
        return null;
      }
    };
  }
  return (el: Element) => el.shadowRoot;
})();

const SKIPPED_TYPES = new Set([
  'hidden',
  'submit',
  'button',
  'reset',
  'image',
  'file',
  'checkbox',
  'radio',
  'range',
  'color',
  'search',
]);

/** Random hex: `crypto.randomUUID` exists only in secure contexts, and plain-http pages are not. */
function randomToken(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(12));
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}

interface Print extends FieldPrint {
  group: WeakRef<object>;
}

export class FieldRegistry {
  /**
   * Names this document to the worker: a plan made for another document (the frame navigated, even
   * on the same origin) is refused, while `history.pushState` keeps the document and the token.
   */
  readonly doc = randomToken();
  private readonly ids = new WeakMap<Element, string>();
  private readonly elements = new Map<string, WeakRef<HTMLInputElement>>();
  private readonly groups = new WeakMap<object, string>();
  /** How each reported field looked when collected, to re-find it if the page replaces it. */
  private readonly prints = new Map<string, Print>();
  private next = 0;

  idOf(el: HTMLInputElement): string {
    let id = this.ids.get(el);
    if (id === undefined) {
      id = `f${++this.next}`;
      this.ids.set(el, id);
      this.elements.set(id, new WeakRef(el));
    }
    return id;
  }

  element(id: string): HTMLInputElement | null {
    const el = this.elements.get(id)?.deref();
    if (!el?.isConnected) {
      this.elements.delete(id);
      return null;
    }
    return el;
  }

  remember(id: string, el: HTMLInputElement, position: number): void {
    const { type, name, id: htmlId } = el;
    this.prints.set(id, { type, name, htmlId, position, group: new WeakRef(groupKey(el)) });
  }

  /**
   * The element that replaced the detached field `id` (refind.ts), now bound to that id; null when
   * there is no single look-alike. Costs a walk over the frame's inputs, so only on a miss.
   */
  refind(
    id: string,
    doc: Document,
    shadowRootOf: ShadowRootOf = defaultShadowRootOf,
  ): HTMLInputElement | null {
    const print = this.prints.get(id);
    if (!print) return null;
    const group = print.group.deref();
    const groupAttached = group instanceof Node ? group.isConnected : false;
    const inputs = findInputs(doc, shadowRootOf);
    const candidates = inputs.map((el, position) => ({
      type: el.type,
      name: el.name,
      htmlId: el.id,
      position,
      sameGroup: groupKey(el) === group,
    }));
    const found = pickReplacement(print, candidates, groupAttached);
    const el = found === null ? null : (inputs[found] as HTMLInputElement);
    // An input that already stands for another reported field is not this one's replacement.
    const other = el ? this.ids.get(el) : undefined;
    if (!el || (other !== undefined && other !== id)) return null;
    this.ids.set(el, id);
    this.elements.set(id, new WeakRef(el));
    return el;
  }

  groupOf(key: object): string {
    let id = this.groups.get(key);
    if (id === undefined) {
      id = `g${++this.next}`;
      this.groups.set(key, id);
    }
    return id;
  }
}

/**
 * Every candidate input of the frame, in document order, shadow trees included. Open roots are read
 * from the element; closed ones (through `shadowRootOf`, an extension API call that costs about
 * 13 µs each) only on custom elements, the components that hold them — asking every element of a
 * 15,000-element page took 200 ms.
 */
export function findInputs(
  root: Document | ShadowRoot | Element,
  shadowRootOf: ShadowRootOf,
): HTMLInputElement[] {
  const found: HTMLInputElement[] = [];
  const visit = (scope: Document | ShadowRoot | Element) => {
    const walker = (scope.ownerDocument ?? (scope as Document)).createTreeWalker(
      scope,
      NodeFilter.SHOW_ELEMENT,
    );
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      const el = node as Element;
      if (el instanceof HTMLInputElement) {
        if (!SKIPPED_TYPES.has(el.type)) found.push(el);
        continue;
      }
      const shadow = el.shadowRoot ?? (el.localName.includes('-') ? shadowRootOf(el) : null);
      if (shadow) visit(shadow);
    }
  };
  visit(root);
  return found;
}

/**
 * An input's (or, for the sign-up signals, a select's) attributes and label text; `labels` speeds
 * up describing many fields of one page.
 */
export function describe(el: HTMLInputElement | HTMLSelectElement, labels?: LabelIndex): FieldDescriptor {
  return {
    type: el.type.toLowerCase(),
    autocomplete: el.getAttribute('autocomplete') ?? '',
    name: el.name,
    id: el.id,
    label: labelText(el, labels),
    maxLength: (el as HTMLInputElement).maxLength ?? -1,
    inputMode: (el.getAttribute('inputmode') ?? '').toLowerCase(),
  };
}

function labelText(el: HTMLInputElement | HTMLSelectElement, labels?: LabelIndex): string {
  const parts = labels ? labels.textsFor(el) : [...(el.labels ?? [])].map((l) => l.textContent ?? '');
  parts.push(el.getAttribute('aria-label') ?? '', el.getAttribute('placeholder') ?? '');
  return parts.join(' ').replace(/\s+/g, ' ').trim().slice(0, 200);
}

/**
 * An input's group: its form — also one reached across shadow boundaries, the nearest `<form>`
 * around the shadow host of a design-system `<ds-input>` and so on up the host chain — else the
 * document. So a login whose username and password each sit in their own component's shadow root is
 * one group, while separate forms stay separate and a form inside a shadow root is its own group.
 */
export function groupKey(el: HTMLInputElement): object {
  if (el.form) return el.form;
  let root = el.getRootNode();
  while (root instanceof ShadowRoot) {
    const form = root.host.closest('form');
    if (form) return form;
    root = root.host.getRootNode();
  }
  return root;
}

/** The candidate inputs of `el`'s group (groupKey), in document order, `el` among them. */
export function groupInputs(el: HTMLInputElement, shadowRootOf: ShadowRootOf = defaultShadowRootOf) {
  const key = groupKey(el);
  if (key instanceof HTMLFormElement) {
    // A form whose inputs are all its own (no component holds one in a shadow root) is read as is.
    const inner = findInputs(key, shadowRootOf);
    if (inner.every((x) => x.form === key))
      return [...key.elements].filter(
        (x): x is HTMLInputElement => x instanceof HTMLInputElement && !SKIPPED_TYPES.has(x.type),
      );
  }
  const root = key instanceof HTMLFormElement ? key.getRootNode() : key;
  return findInputs(root as Document | ShadowRoot, shadowRootOf).filter((x) => groupKey(x) === key);
}

const BUTTONS = 'button,input[type=submit],input[type=button],[role=button]';
const TEXT_TYPES = new Set(['text', 'email', 'tel', 'number', '']);
const texts = (nodes: Iterable<Element>, attrs: boolean) =>
  [...nodes]
    .slice(0, 30)
    .map((n) =>
      attrs
        ? `${n.textContent} ${n.getAttribute('value') ?? ''} ${n.getAttribute('aria-label') ?? ''}`
        : n.textContent,
    )
    .join(' ')
    .replace(/\s+/g, ' ')
    .slice(0, 600);

/**
 * The kinds of one group's inputs (its form, or the formless inputs of the document): each field's own
 * kind, then the form's sign-up judgement over its visible password boxes (signup-form.ts). The one
 * classification both collect and the inline menu use. A group without a password may still be
 * the identifier step of a login (`identifierStep`). `assumePassword`: treat the group as having
 * a password box even without one. The menu no longer does for formless inputs: it must judge
 * a group as collect does, or it opens on a box that a fill then finds nothing in.
 */
export function classifyGroup(
  key: object,
  inputs: HTMLInputElement[],
  assumePassword = false,
  labels: LabelIndex = new LabelIndex(),
): FieldKind[] {
  const hasPassword = assumePassword || inputs.some((el) => el.type === 'password');
  const ds = inputs.map((el) => describe(el, labels));
  const kinds = ds.map((d) => classifyField(d, hasPassword));
  if (!hasPassword) identifierStep(key, inputs, ds, kinds);
  const boxes: number[] = [];
  kinds.forEach((k, i) => {
    if ((k === FieldKind.Password || k === FieldKind.NewPassword) && isVisible(inputs[i] as HTMLInputElement))
      boxes.push(i);
  });
  if (boxes.length === 0) return kinds;
  const form = key instanceof HTMLFormElement ? key : null;
  const attr = (n: string) => form?.getAttribute(n) ?? '';
  const others = ds.filter((_, i) => !boxes.includes(i));
  if (form)
    for (const x of form.querySelectorAll<HTMLInputElement>('input[type=checkbox],select'))
      others.push(describe(x, labels));
  const descriptor: FormDescriptor = {
    passwords: boxes.map((i) => ds[i] as FieldDescriptor),
    others,
    buttons: form ? texts(form.querySelectorAll(BUTTONS), true) : '',
    // "Forgot password?" often sits just after the form, so its parent's links are read too.
    links: form ? texts((form.parentElement ?? form).querySelectorAll('a'), false) : '',
    form: form ? `${attr('action')} ${attr('id')} ${attr('name')} ${attr('class')}` : '',
    title: inputs[0]?.ownerDocument.title ?? '',
  };
  const newKinds = passwordKinds(
    descriptor,
    boxes.map((i) => kinds[i] as FieldKind),
  );
  boxes.forEach((i, j) => {
    kinds[i] = newKinds[j] as FieldKind;
  });
  return kinds;
}

/**
 * Email-first and identifier-first logins: a group (form, or formless inputs) without a password
 * whose only visible text-like input is an identifier box (`isIdentifierBox`) and whose buttons say
 * next/continue/sign in — or that has no button text and a sign-in title — is a login step: that
 * box is a Username. A formless box's buttons are those of its nearest ancestor (up to four levels)
 * that holds one. Attribute checks come first and visibility is read for at most two boxes, so a
 * large page without a password pays almost nothing.
 */
function identifierStep(
  key: object,
  inputs: HTMLInputElement[],
  ds: FieldDescriptor[],
  kinds: FieldKind[],
): void {
  const candidates = ds.flatMap((d, i) => (kinds[i] !== FieldKind.Otp && isIdentifierBox(d) ? [i] : []));
  if (candidates.length === 0) return;
  let shown = -1;
  for (let i = 0; i < inputs.length; i++) {
    if (!TEXT_TYPES.has((ds[i] as FieldDescriptor).type) || !isVisible(inputs[i] as HTMLInputElement))
      continue;
    if (shown !== -1) return; // a second visible text box: a form of another kind
    shown = i;
  }
  if (!candidates.includes(shown)) return;
  const el = inputs[shown] as HTMLInputElement;
  let scope: Element | null = key instanceof HTMLFormElement ? key : el.parentElement;
  if (!(key instanceof HTMLFormElement))
    for (let up = 0; scope && up < 4 && !scope.querySelector(BUTTONS); up++) scope = scope.parentElement;
  const buttons = scope ? texts(scope.querySelectorAll(BUTTONS), true) : '';
  if (isIdentifierStep(buttons, el.ownerDocument.title)) kinds[shown] = FieldKind.Username;
}

export interface Collected {
  report: FrameReport;
  /** The element of each reported field, same order. */
  elements: HTMLInputElement[];
}

/**
 * The frame's login-relevant fields, classified group by group. `scope`: only the group of this
 * field (still connected) is classified and reported — a fill from the menu writes into the focused
 * field's group alone, and on a page of 5,000 other inputs classifying them all cost most of the
 * fill. Positions (`order`) stay the frame's, so a scoped report reads as a part of the whole one.
 */
export function collectFrame(
  registry: FieldRegistry,
  doc: Document = document,
  shadowRootOf: ShadowRootOf = defaultShadowRootOf,
  scope: HTMLInputElement | null = null,
): Collected {
  const inputs = findInputs(doc, shadowRootOf);
  const scopeKey = scope?.isConnected ? groupKey(scope) : null;
  const groups = new Map<object, HTMLInputElement[]>();
  const keyOf = new Map<HTMLInputElement, object>();
  for (const el of inputs) {
    const key = groupKey(el);
    if (scopeKey !== null && key !== scopeKey) continue;
    keyOf.set(el, key);
    const group = groups.get(key);
    if (group) group.push(el);
    else groups.set(key, [el]);
  }
  const kindOf = new Map<HTMLInputElement, FieldKind>();
  const labels = new LabelIndex(scopeKey !== null);
  for (const [key, group] of groups) {
    const kinds = classifyGroup(key, group, false, labels);
    for (let i = 0; i < group.length; i++) kindOf.set(group[i] as HTMLInputElement, kinds[i] as FieldKind);
  }

  const fields: FieldInfo[] = [];
  const elements: HTMLInputElement[] = [];
  for (const [position, el] of inputs.entries()) {
    const key = keyOf.get(el);
    if (key === undefined) continue;
    const kind = kindOf.get(el) ?? FieldKind.Other;
    fields.push({
      id: registry.idOf(el),
      kind,
      group: registry.groupOf(key),
      fillable: false,
      order: position,
      ...(el.maxLength >= 0 ? { maxLength: el.maxLength } : {}),
    });
    elements.push(el);
  }
  promoteUnnamedUsernames(fields, elements);
  // Layout is read only for the fields that matter: a 2,000-input page pays for classification only.
  for (let i = 0; i < fields.length; i++) {
    const field = fields[i] as FieldInfo;
    if (field.kind === FieldKind.Other) continue;
    const el = elements[i] as HTMLInputElement;
    field.fillable = isFillCandidate(el);
    registry.remember(field.id, el, field.order);
  }
  const kept = fields.flatMap((f, i) => (f.kind === FieldKind.Other ? [] : [i]));
  const report: FrameReport = {
    // An about:blank / srcdoc frame reports the origin it inherited (its URL has none).
    url: siteUrlOf(doc.location?.href ?? '', doc.defaultView?.origin) ?? doc.location?.href ?? '',
    doc: registry.doc,
    sandboxed: doc.defaultView?.origin === 'null',
    fields: kept.map((i) => fields[i] as FieldInfo),
  };
  return { report, elements: kept.map((i) => elements[i] as HTMLInputElement) };
}

/**
 * A password form whose identifier box has no telling name (`name="j_id42"`): the textual field
 * right before the first password field is its username, as a person would read the form.
 */
function promoteUnnamedUsernames(fields: FieldInfo[], elements: HTMLInputElement[]): void {
  const seen = new Set<string>();
  for (let i = 0; i < fields.length; i++) {
    const field = fields[i] as FieldInfo;
    if (field.kind !== FieldKind.Password || seen.has(field.group)) continue;
    seen.add(field.group);
    if (fields.some((f) => f.group === field.group && f.kind === FieldKind.Username)) continue;
    for (let j = i - 1; j >= 0; j--) {
      const before = fields[j] as FieldInfo;
      const el = elements[j] as HTMLInputElement;
      if (before.group !== field.group) break;
      if (
        before.kind === FieldKind.Other &&
        (el.type === 'text' || el.type === 'email' || el.type === 'tel')
      ) {
        before.kind = FieldKind.Username;
        break;
      }
    }
  }
}
