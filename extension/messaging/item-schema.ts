import { z } from 'zod';
import { parseTotpSecret } from '../autofill/totp.ts';
import { type PlainMessageKey, t } from '../i18n/index.ts';
import { cardExpiryProblem, isLuhnValid } from './card-checks.ts';
import { isWebsiteAddress } from './website-address.ts';

/**
 * What one vault item holds (docs/items.md). Everything here lives only inside the item's sealed
 * body: the server sees ids, revisions, sizes and times, never a type, folder or field.
 *
 * `itemInputSchema` is what the popup (or an import) sends to saveItem: a discriminated union on
 * `type`. A request without `type` is a login, as every item was before types existed. The worker
 * adds what only it maintains (`ItemFields`): the password history and the trash mark.
 */

export const ITEM_TYPES = ['login', 'note', 'card', 'identity', 'sshKey'] as const;
export type ItemType = (typeof ITEM_TYPES)[number];

/** Messages resolve when a check fails, in the language shown at that moment. */
type MessageKey = PlainMessageKey;
const say = (key: MessageKey) => ({ error: () => t(key) });

/** Under `uris.<n>` the message follows the row's name ("Website address 2 …"): see `describeIssue`. */
const websiteUrl = z
  .string()
  .trim()
  .min(1, say('itemCheck.uriEmpty'))
  .max(2000, say('itemCheck.uriTooLong'))
  .refine(isWebsiteAddress, say('itemCheck.uriScheme'));

export const URI_MATCH_MODES = ['domain', 'host', 'exact', 'never'] as const;
export type UriMatch = (typeof URI_MATCH_MODES)[number];

/** A text field of at most `max` characters (`label` names the check's message). */
const text = (max: number, message: MessageKey) => z.string().max(max, say(message)).default('');

/**
 * "Work / Servers/" → "Work/Servers": segments trimmed, empty ones dropped. A folder is only a
 * name path inside item bodies; a folder exists while an item is in it.
 */
export function normalizeFolder(path: string): string {
  return path
    .split('/')
    .map((s) => s.trim())
    .filter(Boolean)
    .join('/');
}

export const customFieldSchema = z
  .object({
    name: z
      .string()
      .trim()
      .min(1, say('itemCheck.customNameEmpty'))
      .max(200, say('itemCheck.customNameTooLong')),
    /** text and hidden: `value`; boolean: 'true' | 'false'; linked: names a login field, no value. */
    kind: z.enum(['text', 'hidden', 'boolean', 'linked'], say('itemCheck.notAChoice')),
    value: text(10_000, 'itemCheck.customValueTooLong'),
    linkedTo: z.enum(['username', 'password'], say('itemCheck.notAChoice')).optional(),
  })
  .superRefine((f, ctx) => {
    if (f.kind === 'linked' && !f.linkedTo)
      ctx.addIssue({ code: 'custom', path: ['linkedTo'], message: t('itemCheck.linkedNeedsField') });
    if (f.kind === 'boolean' && f.value !== 'true' && f.value !== 'false' && f.value !== '')
      ctx.addIssue({ code: 'custom', path: ['value'], message: t('itemCheck.booleanValue') });
  })
  .transform((f) =>
    f.kind === 'linked'
      ? { name: f.name, kind: f.kind, value: '', linkedTo: f.linkedTo }
      : { name: f.name, kind: f.kind, value: f.kind === 'boolean' ? String(f.value === 'true') : f.value },
  );
export type CustomField = z.output<typeof customFieldSchema>;

const common = {
  title: z.string().trim().min(1, say('itemCheck.titleEmpty')).max(500, say('itemCheck.titleTooLong')),
  notes: text(100_000, 'itemCheck.notesTooLong'),
  folder: z.string().max(500, say('itemCheck.folderTooLong')).default('').transform(normalizeFolder),
  favorite: z.boolean().default(false),
  customFields: z.array(customFieldSchema).max(100, say('itemCheck.tooManyCustom')).default([]),
};

const loginSchema = z.object({
  type: z.literal('login'),
  ...common,
  username: text(1000, 'itemCheck.usernameTooLong'),
  password: text(10_000, 'itemCheck.passwordTooLong'),
  uris: z
    .array(
      z.object({
        url: websiteUrl,
        match: z.enum(URI_MATCH_MODES, say('itemCheck.notAChoiceAfterRow')).default('domain'),
      }),
    )
    .max(50, say('itemCheck.tooManyUris'))
    .default([]),
  /** An `otpauth://totp/…` URI or a Base32 secret; '' when the login has no second factor. */
  totp: z
    .string()
    .trim()
    .max(2000, say('itemCheck.totpTooLong'))
    .refine((s) => s === '' || parseTotpSecret(s) !== null, say('itemCheck.totpInvalid'))
    .default(''),
});

const noteSchema = z.object({ type: z.literal('note'), ...common });

const digitsOnly = (s: string) => s.replace(/[\s-]/g, '');

const cardSchema = z
  .object({
    type: z.literal('card'),
    ...common,
    cardholder: text(200, 'itemCheck.cardholderTooLong'),
    brand: text(50, 'itemCheck.brandTooLong'),
    number: z
      .string()
      .default('')
      .transform(digitsOnly)
      .refine((n) => n === '' || /^\d{12,19}$/.test(n), say('itemCheck.cardNumberLength'))
      .refine((n) => !/^\d{12,19}$/.test(n) || isLuhnValid(n), say('itemCheck.cardNumberLuhn')),
    /** '' or 1–12, as typed ("03" is kept as "03"). */
    expMonth: z.string().trim().default(''),
    /** '' or a four-digit year (a two-digit one is read as 20YY). */
    expYear: z.string().trim().default(''),
    code: z
      .string()
      .trim()
      .default('')
      .refine((c) => c === '' || /^\d{3,4}$/.test(c), say('itemCheck.cardCode')),
  })
  .transform((c) => ({ ...c, expYear: /^\d{2}$/.test(c.expYear) ? `20${c.expYear}` : c.expYear }));

const identitySchema = z.object({
  type: z.literal('identity'),
  ...common,
  honorific: text(50, 'itemCheck.fieldTooLong'),
  firstName: text(200, 'itemCheck.fieldTooLong'),
  middleName: text(200, 'itemCheck.fieldTooLong'),
  lastName: text(200, 'itemCheck.fieldTooLong'),
  company: text(200, 'itemCheck.fieldTooLong'),
  email: text(320, 'itemCheck.fieldTooLong'),
  phone: text(50, 'itemCheck.fieldTooLong'),
  address1: text(300, 'itemCheck.fieldTooLong'),
  address2: text(300, 'itemCheck.fieldTooLong'),
  city: text(200, 'itemCheck.fieldTooLong'),
  region: text(200, 'itemCheck.fieldTooLong'),
  postalCode: text(50, 'itemCheck.fieldTooLong'),
  country: text(100, 'itemCheck.fieldTooLong'),
});

const sshKeySchema = z.object({
  type: z.literal('sshKey'),
  ...common,
  privateKey: z
    .string()
    .trim()
    .max(20_000, say('itemCheck.fieldTooLong'))
    .default('')
    .refine(
      (k) =>
        k === '' ||
        /^-----BEGIN [A-Z0-9 ]*PRIVATE KEY-----[\s\S]+-----END [A-Z0-9 ]*PRIVATE KEY-----$/.test(k),
      say('itemCheck.sshPrivateKey'),
    ),
  publicKey: z
    .string()
    .trim()
    .max(20_000, say('itemCheck.fieldTooLong'))
    .default('')
    .refine((k) => k === '' || parseSshPublicKey(k) !== null, say('itemCheck.sshPublicKey')),
  /** Computed by the worker from the public key (OpenSSH's SHA256:… form); what is sent is ignored. */
  fingerprint: z.string().max(200).default(''),
});

/** One item as the popup (or an import) sends it. Without `type` it is a login. */
const itemUnion = z
  .discriminatedUnion(
    'type',
    [loginSchema, noteSchema, cardSchema, identitySchema, sshKeySchema],
    say('itemCheck.type'),
  )
  .superRefine((item, ctx) => {
    if (item.type === 'card') {
      const problem = cardExpiryProblem(item.expMonth, item.expYear, new Date());
      if (problem) ctx.addIssue({ code: 'custom', path: [problem.field], message: t(problem.message) });
    }
    if (item.type !== 'login')
      item.customFields.forEach((f, i) => {
        if (f.kind === 'linked')
          ctx.addIssue({
            code: 'custom',
            path: ['customFields', i, 'kind'],
            message: t('itemCheck.linkedOnlyLogin'),
          });
      });
  });
export const itemInputSchema = z.preprocess(
  (v) => (v && typeof v === 'object' && !('type' in v) ? { ...v, type: 'login' } : v),
  itemUnion,
);
export type ItemInput = z.output<typeof itemUnion>;
/** What a sender may write (defaults not applied); a login may leave out `type`. */
export type ItemInputRaw = z.input<typeof itemUnion> | Omit<z.input<typeof loginSchema>, 'type'>;
export type LoginInput = z.output<typeof loginSchema>;

/** A password a login had before, and when it was replaced (newest first). */
export interface PreviousPassword {
  password: string;
  replacedAt: string;
}

/** What the worker maintains beside what the user typed. */
export interface ItemMeta {
  /** Logins only (empty otherwise): the last PASSWORD_HISTORY_SIZE passwords replaced. */
  passwordHistory: PreviousPassword[];
  /** When the item went to the trash; null while it is live. */
  trashedAt: string | null;
}

/** An item as stored in its sealed body and in the sealed cache. */
export type ItemFields = ItemInput & ItemMeta;
export type LoginFields = LoginInput & ItemMeta;
export type SavedUriField = LoginInput['uris'][number];

export const PASSWORD_HISTORY_SIZE = 10;

/**
 * Fields as an older body or cache holds them, brought to today's shape without changing what they
 * say: a body written before item types is a login; missing lists are empty, flags false. Unknown
 * keys (a newer version's) are kept, so this device does not strip them when it edits the item.
 */
export function normalizeFields(raw: unknown): ItemFields {
  const f = (raw && typeof raw === 'object' ? raw : {}) as Record<string, unknown>;
  // Written since body format 2: already in shape (the common case; 10,000 of them at unlock).
  if (
    typeof f.type === 'string' &&
    Array.isArray(f.passwordHistory) &&
    Array.isArray(f.customFields) &&
    'trashedAt' in f
  )
    return f as unknown as ItemFields;
  const type = typeof f.type === 'string' ? f.type : 'login';
  const base = {
    ...f,
    type,
    title: typeof f.title === 'string' ? f.title : '',
    notes: typeof f.notes === 'string' ? f.notes : '',
    folder: typeof f.folder === 'string' ? f.folder : '',
    favorite: f.favorite === true,
    customFields: Array.isArray(f.customFields) ? f.customFields : [],
    passwordHistory: Array.isArray(f.passwordHistory) ? f.passwordHistory : [],
    trashedAt: typeof f.trashedAt === 'string' ? f.trashedAt : null,
  };
  if (type === 'login')
    return {
      ...base,
      username: typeof f.username === 'string' ? f.username : '',
      password: typeof f.password === 'string' ? f.password : '',
      uris: Array.isArray(f.uris) ? f.uris : [],
      totp: typeof f.totp === 'string' ? f.totp : '',
    } as ItemFields;
  return base as ItemFields;
}

export const isLogin = (f: ItemFields): f is LoginFields => f.type === 'login';

/** An OpenSSH public key line: `<type> <base64 blob> [comment]`, the blob naming the same type. */
export function parseSshPublicKey(line: string): { type: string; blob: Uint8Array<ArrayBuffer> } | null {
  const m =
    /^(ssh-[a-z0-9-]+|ecdsa-sha2-[a-z0-9-]+|sk-[a-z0-9@.-]+)\s+([A-Za-z0-9+/]+={0,2})(?:\s+.*)?$/.exec(
      line.trim(),
    );
  if (!m?.[1] || !m[2]) return null;
  let blob: Uint8Array<ArrayBuffer>;
  try {
    blob = Uint8Array.from(atob(m[2]), (c) => c.charCodeAt(0));
  } catch {
    return null;
  }
  if (blob.length < 4) return null;
  const nameLength = new DataView(blob.buffer).getUint32(0);
  const name = new TextDecoder().decode(blob.subarray(4, 4 + nameLength));
  return name === m[1] ? { type: m[1], blob } : null;
}

/** OpenSSH's fingerprint of a public key: `SHA256:` + unpadded base64 of SHA-256(blob). */
export async function sshFingerprint(publicKey: string): Promise<string> {
  const parsed = parseSshPublicKey(publicKey);
  if (!parsed) return '';
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', parsed.blob));
  return `SHA256:${btoa(String.fromCharCode(...digest)).replace(/=+$/, '')}`;
}

/** A login's stored fields from the ones given; the rest empty (saves from pages, tests, fixtures). */
export const loginFields = (f: Partial<LoginFields>): LoginFields =>
  normalizeFields({ ...f, type: 'login' }) as LoginFields;
