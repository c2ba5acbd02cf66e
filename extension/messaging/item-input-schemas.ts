import { z } from 'zod';
import { parseTotpSecret } from '../autofill/totp.ts';
import { type PlainMessageKey, t } from '../i18n/index.ts';
import { cardExpiryProblem, isLuhnValid } from './card-checks.ts';
import { normalizeFolder, parseSshPublicKey, URI_MATCH_MODES } from './item-schema.ts';
import { once } from './lazy-schemas.ts';
import { isWebsiteAddress } from './website-address.ts';

/**
 * The checks of one item as the popup (or an import) sends it to saveItem (docs/items.md; the
 * shapes and plain helpers are in item-schema.ts): a discriminated union on `type`. A request
 * without `type` is a login, as every item was before types existed. Imported by the worker and
 * by the code that validates: the import page, and the popup's editor on demand
 * (popup/form-checks.ts), never by what a page loads to paint.
 */

/** Messages resolve when a check fails, in the language shown at that moment. */
type MessageKey = PlainMessageKey;
const say = (key: MessageKey) => ({ error: () => t(key) });

/**
 * Every schema of this file, built together the first time one is needed (lazy-schemas.ts): the
 * worker's cold start does not pay for them.
 */
function build() {
  /** Under `uris.<n>` the message follows the row's name ("Website address 2 …"): see `describeIssue`. */
  const websiteUrl = z
    .string()
    .trim()
    .min(1, say('itemCheck.uriEmpty'))
    .max(2000, say('itemCheck.uriTooLong'))
    .refine(isWebsiteAddress, say('itemCheck.uriScheme'));

  /** A text field of at most `max` characters (`label` names the check's message). */
  const text = (max: number, message: MessageKey) => z.string().max(max, say(message)).default('');

  const customFieldSchema = z
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
  const itemInputSchema = z.preprocess(
    (v) => (v && typeof v === 'object' && !('type' in v) ? { ...v, type: 'login' } : v),
    itemUnion,
  );
  return { customFieldSchema, loginSchema, itemUnion, itemInputSchema };
}
const built = once(build);
type Built = ReturnType<typeof build>;

/** One item as the popup (or an import) sends it: `type` added when missing (a login), then checked. */
export const itemInputSchema = (): Built['itemInputSchema'] => built().itemInputSchema;

export type CustomField = z.output<Built['customFieldSchema']>;
export type ItemInput = z.output<Built['itemUnion']>;
/** What a sender may write (defaults not applied); a login may leave out `type`. */
export type ItemInputRaw = z.input<Built['itemUnion']> | Omit<z.input<Built['loginSchema']>, 'type'>;
export type LoginInput = z.output<Built['loginSchema']>;
