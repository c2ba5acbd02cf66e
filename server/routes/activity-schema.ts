import { z } from 'zod';

// Imported by the extension: zod only.

export const MAX_ACTIVITY_PAGE = 100;

export const activityQuery = z.object({
  /** Page backwards: events of the account older than this position in its chain. */
  before: z.coerce.number().int().min(1).max(Number.MAX_SAFE_INTEGER).optional(),
  limit: z.coerce.number().int().min(1).max(MAX_ACTIVITY_PAGE).default(50),
});
export type ActivityQuery = z.input<typeof activityQuery>;

export const activityEvent = z.object({
  /** The event's position in the account's chain (newest first in a page). */
  seq: z.number().int().min(1),
  at: z.iso.datetime(),
  type: z.string(),
  /** The device session the event belongs to, if any. */
  device: z
    .object({ sessionId: z.uuid(), name: z.string().nullable(), current: z.boolean(), ended: z.boolean() })
    .nullable(),
  /** The client's address as the server saw it. */
  ip: z.string().nullable(),
  details: z.record(z.string(), z.union([z.string(), z.number(), z.boolean(), z.null()])),
});
export type ActivityEvent = z.infer<typeof activityEvent>;

export const activityResponse = z.object({
  events: z.array(activityEvent),
  /** Pass as `before` for the next (older) page; null at the account's first event. */
  next: z.number().int().nullable(),
});
export type ActivityResponse = z.infer<typeof activityResponse>;
