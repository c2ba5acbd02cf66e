import { FieldKind } from './field-kind.ts';
import type { FieldInfo, FillOp, FrameReport } from './page-fields.ts';

/**
 * Plan (service worker, data only): which of a frame's fields receive which value. Only fillable
 * fields are ever targets. A stored password goes into current-password fields, never into a
 * new-password field (a registration form must not get the old password); a generated one goes
 * into the new-password fields (new and confirmation).
 */

export interface Credentials {
  username: string;
  password: string;
}

/** The form to fill: the focused field's, else the first with a fillable password, else a username. */
function targetGroup(fields: FieldInfo[], focusedId: string | null): string | null {
  const focused = focusedId ? fields.find((f) => f.id === focusedId && f.fillable) : undefined;
  if (focused) return focused.group;
  const fillable = fields.filter((f) => f.fillable);
  return (
    fillable.find((f) => f.kind === FieldKind.Password)?.group ??
    fillable.find((f) => f.kind === FieldKind.Username)?.group ??
    null
  );
}

export function planLogin(
  report: FrameReport,
  creds: Credentials,
  focusedId: string | null = null,
): FillOp[] {
  if (report.sandboxed) return [];
  const group = targetGroup(report.fields, focusedId);
  if (group === null) return [];
  const inGroup = report.fields.filter((f) => f.group === group && f.fillable);
  const ops: FillOp[] = [];
  const password = inGroup.find((f) => f.kind === FieldKind.Password);
  // The username box that belongs to this password: the last one before it (or the only one).
  const usernames = inGroup.filter((f) => f.kind === FieldKind.Username);
  const username = password
    ? (usernames.filter((f) => f.order < password.order).at(-1) ??
      (usernames.length === 1 ? usernames[0] : undefined))
    : usernames[0];
  if (username && creds.username !== '') ops.push({ fieldId: username.id, value: creds.username });
  if (password && creds.password !== '') ops.push({ fieldId: password.id, value: creds.password });
  return ops;
}

/** A generated password into every new-password field of the focused field's form. */
export function planNewPassword(report: FrameReport, password: string, focusedId: string | null): FillOp[] {
  if (report.sandboxed) return [];
  const focused = report.fields.find((f) => f.id === focusedId);
  const group = focused?.group ?? report.fields.find((f) => f.kind === FieldKind.NewPassword)?.group;
  if (group === undefined) return [];
  return report.fields
    .filter((f) => f.group === group && f.fillable && f.kind === FieldKind.NewPassword)
    .map((f) => ({ fieldId: f.id, value: password }));
}

/**
 * A one-time code into the frame's code field(s). A row of single-character boxes of one form (split
 * entry) gets one digit each, in order — only when there are exactly as many boxes as the code has
 * digits: a 6-box row cannot hold an 8-digit code, and spreading part of it would only be wrong.
 * Otherwise one box that can hold the whole code gets it; if there is none, nothing is written.
 */
export function planOtp(report: FrameReport, code: string): FillOp[] {
  if (report.sandboxed) return [];
  const boxes = report.fields.filter((f) => f.kind === FieldKind.Otp && f.fillable);
  for (const group of new Set(boxes.map((f) => f.group))) {
    const row = boxes.filter((f) => f.group === group && f.maxLength === 1);
    if (row.length > 1 && row.length === code.length)
      return [...code].map((digit, i) => ({ fieldId: (row[i] as FieldInfo).id, value: digit }));
  }
  const whole = boxes.find((f) => f.maxLength === undefined || f.maxLength >= code.length);
  return whole ? [{ fieldId: whole.id, value: code }] : [];
}

export const hasLoginFields = (report: FrameReport) =>
  report.fields.some((f) => f.fillable && (f.kind === FieldKind.Password || f.kind === FieldKind.Username));
