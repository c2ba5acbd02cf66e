import { parseTotpSecret, totpCode } from '../autofill/totp.ts';
import {
  type CopyResult,
  ErrorCode,
  type ItemDetail,
  type ItemView,
  type TotpNow,
} from '../messaging/protocol.ts';
import type { ClipboardService } from './clipboard.ts';
import { VaultError } from './vault-error.ts';

/**
 * The detail view's worker side (docs/clipboard.md "Detail view"). The popup gets an item without
 * its secrets; a secret leaves the worker only when the user reveals it; a copy is made here, from
 * the vault, so the value does not travel through the popup at all; a one-time code is computed
 * here, so the TOTP secret never leaves.
 */

/** Each type's secret fields: masked in the view, sent only on Reveal. */
const TYPE_SECRETS: Record<string, readonly string[]> = {
  login: ['password', 'totp'],
  card: ['number', 'code'],
  sshKey: ['privateKey'],
};

/**
 * The paths of an item's secrets: its type's, every hidden custom field's value and every previous
 * password in its history.
 */
export function secretPaths(item: ItemDetail): string[] {
  const paths = [...(TYPE_SECRETS[item.type] ?? [])];
  item.customFields.forEach((f, i) => {
    if (f.kind === 'hidden') paths.push(`customFields.${i}.value`);
  });
  item.passwordHistory.forEach((_, i) => {
    paths.push(`passwordHistory.${i}.password`);
  });
  return paths;
}

/** Fields whose value is never sent even on Reveal: what is shown of it is computed here. */
const NEVER_REVEALED: readonly string[] = ['totp'];

/** The item with every secret field blanked; `secrets` names those that were set. */
export function viewOf(item: ItemDetail): ItemView {
  const view: ItemView = { ...item, secrets: [] };
  for (const path of secretPaths(item)) {
    const value = fieldValue(item, path);
    if (value === null) continue;
    if (value !== '') view.secrets.push(path);
    blank(view, path);
  }
  return view;
}

/**
 * The text at a dotted field path (`uris.0.url`), or null when there is none. Only own properties
 * are followed (never `__proto__` or `constructor`); only a string, number or boolean is a value.
 */
export function fieldValue(item: ItemDetail, path: string): string | null {
  let node: unknown = item;
  for (const part of path.split('.')) {
    if (typeof node !== 'object' || node === null || !Object.hasOwn(node, part)) return null;
    node = (node as Record<string, unknown>)[part];
  }
  if (typeof node === 'string') return node;
  if (typeof node === 'number' || typeof node === 'boolean') return String(node);
  return null;
}

function blank(view: ItemView, path: string): void {
  const parts = path.split('.');
  const last = parts.pop();
  let node: unknown = view;
  for (const part of parts) {
    const next = (node as Record<string, unknown>)[part];
    if (typeof next !== 'object' || next === null) return;
    // Copied on the way down: the view never shares an object with the item it came from.
    const copy = Array.isArray(next) ? [...next] : { ...next };
    (node as Record<string, unknown>)[part] = copy;
    node = copy;
  }
  if (last !== undefined) (node as Record<string, unknown>)[last] = '';
}

/** The login's one-time code at `nowMs`. */
export function totpOf(item: ItemDetail, nowMs: number): TotpNow {
  const config = item.type === 'login' && item.totp ? parseTotpSecret(item.totp) : null;
  if (!config) throw new VaultError(ErrorCode.NotFound);
  return { ...totpCode(config, nowMs), period: config.period };
}

/** What `path` holds for the user: the field's text, or for `totp` the current code. */
export function copyValue(item: ItemDetail, path: string, nowMs: number): string {
  if (item.type === 'login' && path === 'totp') return totpOf(item, nowMs).code;
  const value = fieldValue(item, path);
  if (value === null || value === '') throw new VaultError(ErrorCode.NotFound);
  return value;
}

/** A secret the user asked to see. Only secret fields: the rest is in the view already. */
export function revealValue(item: ItemDetail, path: string): string {
  if (!secretPaths(item).includes(path) || NEVER_REVEALED.includes(path))
    throw new VaultError(ErrorCode.Validation);
  const value = fieldValue(item, path);
  if (value === null) throw new VaultError(ErrorCode.NotFound);
  return value;
}

/** The handlers' side: reads through `getItem` (vault-service) and copies through `clipboard`. */
export class ItemViews {
  constructor(
    private readonly getItem: (id: string) => Promise<ItemDetail>,
    private readonly clipboard: ClipboardService | undefined,
    private readonly now: () => number = () => Date.now(),
  ) {}

  async view(id: string): Promise<ItemView> {
    return viewOf(await this.getItem(id));
  }

  async reveal(id: string, path: string): Promise<{ value: string }> {
    return { value: revealValue(await this.getItem(id), path) };
  }

  async totp(id: string): Promise<TotpNow> {
    return totpOf(await this.getItem(id), this.now());
  }

  async copy(id: string, path: string): Promise<CopyResult> {
    return this.copyText(copyValue(await this.getItem(id), path, this.now()));
  }

  copyText(text: string): Promise<CopyResult> {
    if (!this.clipboard) return Promise.reject(new VaultError(ErrorCode.ClipboardFailed));
    return this.clipboard.copy(text);
  }
}
