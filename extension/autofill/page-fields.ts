/** What the content script reports about a frame and what the service worker sends back: data only. */
import type { FieldKind } from './field-kind.ts';

export interface FieldInfo {
  /** Opaque id, valid in this document only; DOM nodes never leave the content script. */
  id: string;
  kind: FieldKind;
  /** Opaque id of the field's form, or of its page section for inputs outside any form. */
  group: string;
  /**
   * Visible, on screen, not covered, enabled and editable — or read-only while empty, which insert
   * re-checks after focusing it: may be written to.
   */
  fillable: boolean;
  /** Position among this frame's candidate inputs, in document order. */
  order: number;
  /** The input's `maxlength`, when it has one: a one-character box is one of a split code's boxes. */
  maxLength?: number;
}

export interface FrameReport {
  /** `location.href` of the frame when it was collected. */
  url: string;
  /** Opaque token of the document the field ids belong to (a new document has a new one). */
  doc: string;
  /** An opaque origin (sandboxed frame): nothing is filled there. */
  sandboxed: boolean;
  fields: FieldInfo[];
}

export interface FillOp {
  fieldId: string;
  value: string;
}

export interface FillPlan {
  /**
   * The frame URL the plan was made for; insert refuses if the frame is on another origin now.
   * The path may differ: a single-page app moves with `history.pushState` in the same document.
   */
  url: string;
  /** The report's `doc`: insert refuses a plan made for another document. */
  doc: string;
  ops: FillOp[];
}

export interface InsertOutcome {
  filled: number;
  /** Operations of the plan that wrote nothing (read-only, hidden, covered, or the field is gone). */
  unfilled: number;
  /** Why nothing (or not everything) was written, in words for the user; null when all went in. */
  refused: string | null;
}
