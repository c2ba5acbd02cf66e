import { z } from 'zod';
import { fromBase64Url, toBase64Url, utf8Encode } from '../../shared-crypto/index.ts';
import { once } from './lazy-schemas.ts';

/**
 * The service worker ↔ clipboard document messages (docs/clipboard.md). The worker has no DOM and
 * so no clipboard; Chrome gives it an offscreen document for that (reason CLIPBOARD). The document
 * only writes, compares and keeps a timer: what to clear and when lives in the worker's
 * storage.session, so a document closed early, or a worker stopped while waiting, changes nothing.
 *
 * Worker → document messages carry `target: OFFSCREEN_TARGET` (runtime messages reach every
 * extension page; the others ignore them). The document's timer reports back with `clipboardDue`,
 * an ordinary protocol message (protocol.ts) whose handler clears only what is due.
 */
export const OFFSCREEN_TARGET = 'keyhold-clipboard-document';

/** Checked by the document only; the worker, which imports this file for the rest, never builds it. */
export const offscreenRequestSchema = once(() =>
  z.discriminatedUnion('type', [
    /** Put `text` on the clipboard, then report `clipboardDue` after `dueInMs` (a newer write replaces the timer). */
    z.object({
      target: z.literal(OFFSCREEN_TARGET),
      type: z.literal('write'),
      text: z.string().max(200_000),
      dueInMs: z.number().int().min(0).max(86_400_000),
    }),
    /** Empty the clipboard if it still holds the value `hash` was made of (with `salt`); answers whether it did. */
    z.object({
      target: z.literal(OFFSCREEN_TARGET),
      type: z.literal('clearIfHolds'),
      salt: z.string().max(100),
      hash: z.string().max(100),
    }),
  ]),
);
export type OffscreenRequest = z.infer<ReturnType<typeof offscreenRequestSchema>>;

export type OffscreenReply = { ok: true; cleared: boolean } | { ok: false };

/**
 * What identifies a copied value without keeping it: HMAC-SHA-256 of the text under a random key
 * made for that one copy (the `salt`). Equal texts under the same salt give the same hash; the
 * hash alone is no verifier of a guess without its salt, and each copy has its own.
 */
export async function clipboardHash(salt: string, text: string): Promise<string> {
  const key = await crypto.subtle.importKey(
    'raw',
    fromBase64Url(salt) as Uint8Array<ArrayBuffer>,
    { name: 'HMAC', hash: 'SHA-256' },
    false,
    ['sign'],
  );
  const mac = await crypto.subtle.sign('HMAC', key, utf8Encode(text) as Uint8Array<ArrayBuffer>);
  return toBase64Url(new Uint8Array(mac));
}

/** A new random salt for one copy (16 bytes, base64url). */
export const newClipboardSalt = () => toBase64Url(crypto.getRandomValues(new Uint8Array(16)));
