import { z } from 'zod';

// Imported by the extension (bundled by Vite): zod only, nothing Node-specific.

const B64U = /^[A-Za-z0-9_-]*$/;
/** An AEAD envelope in string form: "k<version>." + base64url (see docs/protocol.md). */
const ENVELOPE = /^k[0-9]+\.[A-Za-z0-9_-]+$/;

export const b64u = (minBytes: number, maxBytes: number) =>
  z
    .string()
    .regex(B64U, 'must be base64url without padding')
    .min(Math.ceil((minBytes * 4) / 3), `must encode at least ${minBytes} bytes`)
    .max(Math.ceil((maxBytes * 4) / 3), `must encode at most ${maxBytes} bytes`);

export const envelope = (maxChars: number) =>
  z.string().max(maxChars).regex(ENVELOPE, 'must be an envelope string ("k1.…")');

/**
 * An item's ciphertext: one or more envelopes joined by "~" (the extension stores the wrapped item
 * key and the sealed body together). Opaque to the server beyond this shape.
 */
const ITEM_CIPHERTEXT = /^k[0-9]+\.[A-Za-z0-9_-]+(~k[0-9]+\.[A-Za-z0-9_-]+)*$/;
export const itemCiphertext = (maxChars: number) =>
  z.string().max(maxChars).regex(ITEM_CIPHERTEXT, 'must be envelope strings ("k1.…") joined by "~"');

/**
 * An id a client generated (accountId, item ids): a UUID in the lower case crypto.randomUUID() writes.
 * Ciphertexts are bound (AEAD associated data) to the id as the client spelled it, while PostgreSQL's
 * uuid type compares and returns ids in lower case, so any other spelling would name the same row yet
 * slip past comparisons on the client's spelling, and fail to decrypt on other devices. Refused, never
 * silently rewritten.
 */
export const clientId = z.uuid().regex(/^[0-9a-f-]{36}$/, 'must be a lower-case UUID');

export const email = z.string().trim().toLowerCase().pipe(z.email().max(254));

/** The name a device gives its session (shown in the activity list). */
export const deviceName = z.string().trim().min(1).max(100);

export const kdfParams = z.discriminatedUnion('alg', [
  z.object({
    alg: z.literal('argon2id'),
    memoryKiB: z.number().int().min(19_456).max(4_194_304),
    iterations: z.number().int().min(1).max(64),
    parallelism: z.number().int().min(1).max(16),
  }),
  z.object({
    alg: z.literal('pbkdf2-sha256'),
    iterations: z.number().int().min(600_000).max(100_000_000),
  }),
]);
export type KdfParamsWire = z.infer<typeof kdfParams>;

/** 32-byte auth key derived by HKDF from the master key. */
export const authKey = b64u(32, 32).length(43, 'must encode exactly 32 bytes');
export const salt = b64u(16, 64);

export const errorResponse = z.object({
  error: z.object({
    code: z.string(),
    message: z.string(),
    field: z.string().optional(),
    /** Why the device session ended (SESSION_ENDED only). */
    reason: z.string().optional(),
  }),
});
export type ErrorResponse = z.infer<typeof errorResponse>;

/** A vault key version: 1 at registration, +1 at every rotation and vault reset. */
export const keyVersion = z.number().int().min(1).max(1_000_000);

/** The key hierarchy's wrapped keys (vault key under a wrapping key, or under the previous vault key). */
export const wrappedKey = envelope(4096);

/** Keyed hashes of the last master passwords, sealed by the vault key: opaque to the server. */
export const passwordHistory = envelope(4096);

/**
 * A rotation in progress: the new vault key (version `keyVersion`, the account's + 1) wrapped by the
 * password wrapping key and by the previous vault key. Null when none is pending.
 */
export const pendingRotation = z
  .object({ keyVersion, wrappedVaultKey: z.string(), wrappedByPrevious: z.string() })
  .nullable();
export type PendingRotation = z.infer<typeof pendingRotation>;
