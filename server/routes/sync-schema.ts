import { z } from 'zod';
import { clientId, itemCiphertext } from './common-schema.ts';

export { LINEAGE_HEADER, NO_LINEAGE } from './protocol-constants.ts';

export const MAX_PUSH_CHANGES = 1000;
export const MAX_CIPHERTEXT_CHARS = 256 * 1024;
export const DEFAULT_PULL_LIMIT = 500;
export const MAX_PULL_LIMIT = 1000;

const revision = z.number().int().min(0).max(Number.MAX_SAFE_INTEGER);

export const item = z.object({
  id: clientId,
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

/** Present only when the database was restored from a backup (docs/operations/backup-restore.md). */
export const lineage = z.object({ id: z.string().min(1).max(100), floor: revision });
export type LineageInfo = z.infer<typeof lineage>;

export const changesResponse = z.object({
  revision,
  items: z.array(item),
  hasMore: z.boolean(),
  lineage: lineage.optional(),
});
export type ChangesResponse = z.infer<typeof changesResponse>;

/** A tombstone carries no ciphertext; a live item must carry one. */
export const itemChange = z
  .object({
    id: clientId,
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

/** At most one change per item: results answer by id, and a second change would race the first. */
export const pushRequest = z
  .object({ changes: z.array(itemChange).min(1).max(MAX_PUSH_CHANGES) })
  .superRefine(({ changes }, ctx) => {
    const firstAt = new Map<string, number>();
    for (const [index, change] of changes.entries()) {
      const earlier = firstAt.get(change.id);
      if (earlier === undefined) {
        firstAt.set(change.id, index);
        continue;
      }
      ctx.addIssue({
        code: 'custom',
        path: ['changes', index, 'id'],
        message: `repeats changes.${earlier}.id; send one change per item`,
      });
      return;
    }
  });
export type PushRequest = z.input<typeof pushRequest>;

export const pushResult = z.discriminatedUnion('status', [
  z.object({ id: clientId, status: z.literal('applied'), revision }),
  z.object({ id: clientId, status: z.literal('conflict'), current: item.nullable() }),
]);
export type PushResult = z.infer<typeof pushResult>;

export const pushResponse = z.object({ revision, results: z.array(pushResult) });
export type PushResponse = z.infer<typeof pushResponse>;
