import { z } from 'zod';
import { itemCiphertext } from './common-schema.ts';

export const MAX_PUSH_CHANGES = 1000;
export const MAX_CIPHERTEXT_CHARS = 256 * 1024;
export const DEFAULT_PULL_LIMIT = 500;
export const MAX_PULL_LIMIT = 1000;

const revision = z.number().int().min(0).max(Number.MAX_SAFE_INTEGER);

export const item = z.object({
  id: z.uuid(),
  revision,
  deleted: z.boolean(),
  keyVersion: z.number().int(),
  ciphertext: z.string().nullable(),
  updatedAt: z.iso.datetime(),
});
export type Item = z.infer<typeof item>;

export const changesQuery = z.object({
  since: z.coerce.number().int().min(0).max(Number.MAX_SAFE_INTEGER).default(0),
  limit: z.coerce.number().int().min(1).max(MAX_PULL_LIMIT).default(DEFAULT_PULL_LIMIT),
});
export type ChangesQuery = z.input<typeof changesQuery>;

export const changesResponse = z.object({ revision, items: z.array(item), hasMore: z.boolean() });
export type ChangesResponse = z.infer<typeof changesResponse>;

/** A tombstone carries no ciphertext; a live item must carry one. */
export const itemChange = z
  .object({
    id: z.uuid(),
    baseRevision: revision,
    deleted: z.boolean(),
    keyVersion: z.number().int().min(1).max(1_000_000),
    ciphertext: itemCiphertext(MAX_CIPHERTEXT_CHARS).nullable(),
  })
  .superRefine((change, ctx) => {
    if (change.deleted !== (change.ciphertext === null)) {
      ctx.addIssue({
        code: 'custom',
        path: ['ciphertext'],
        message: change.deleted ? 'must be null for a deleted item' : 'is required unless deleted',
      });
    }
  });
export type ItemChange = z.input<typeof itemChange>;

export const pushRequest = z.object({ changes: z.array(itemChange).min(1).max(MAX_PUSH_CHANGES) });
export type PushRequest = z.input<typeof pushRequest>;

export const pushResult = z.discriminatedUnion('status', [
  z.object({ id: z.uuid(), status: z.literal('applied'), revision }),
  z.object({ id: z.uuid(), status: z.literal('conflict'), current: item.nullable() }),
]);
export type PushResult = z.infer<typeof pushResult>;

export const pushResponse = z.object({ revision, results: z.array(pushResult) });
export type PushResponse = z.infer<typeof pushResponse>;
