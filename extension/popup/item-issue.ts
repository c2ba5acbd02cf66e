import type { z } from 'zod';
import { type PlainMessageKey, t } from '../i18n/index.ts';
import { describeIssue } from '../messaging/error-messages.ts';

/**
 * Names of the item fields the shared `fieldLabel` does not know yet (it names logins' fields),
 * for the few checks whose message is zod's generic one ("… is not valid"). Every item check has
 * its own sentence (itemCheck.*), so this only matters for input the form itself never produces.
 */
const ITEM_FIELD_LABELS: Readonly<Record<string, PlainMessageKey>> = {
  folder: 'editor.folder',
  favorite: 'editor.favorite',
  customFields: 'editor.customFields',
  cardholder: 'editor.cardholder',
  brand: 'editor.brand',
  number: 'editor.number',
  expMonth: 'editor.expMonth',
  expYear: 'editor.expYear',
  code: 'editor.code',
  honorific: 'editor.honorific',
  firstName: 'editor.firstName',
  middleName: 'editor.middleName',
  lastName: 'editor.lastName',
  company: 'editor.company',
  email: 'editor.email',
  phone: 'editor.phone',
  address1: 'editor.address1',
  address2: 'editor.address2',
  city: 'editor.city',
  region: 'editor.region',
  postalCode: 'editor.postalCode',
  country: 'editor.country',
  privateKey: 'editor.privateKey',
  publicKey: 'editor.publicKey',
};

const GENERIC: ReadonlySet<string> = new Set(['invalid_type', 'invalid_union', 'invalid_element']);

/** The message for an item check as the editor shows it next to the field (`onScreen`: its request path). */
export function describeItemIssue(issue: z.core.$ZodIssue, onScreen: readonly PropertyKey[]): string {
  const [, name] = onScreen;
  const label = typeof name === 'string' ? ITEM_FIELD_LABELS[name] : undefined;
  if (label && GENERIC.has(issue.code) && onScreen.length === 2) return t('editor.notValid', [t(label)]);
  return describeIssue({ ...issue, path: [...onScreen] }).message;
}
