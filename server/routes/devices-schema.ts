import { z } from 'zod';
import { envelope } from './common-schema.ts';

// Imported by the extension (bundled by Vite): zod only, nothing Node-specific.

/** A device's name (browser, OS and the user's own words) sealed with the vault key: opaque to the server. */
export const sealedDeviceName = envelope(2048);

/** One live device session of the account (GET /v1/sessions). */
export const deviceSession = z.object({
  id: z.uuid(),
  /** The sealed name the device set (PUT /v1/sessions/current/name), or null until it does. */
  name: z.string().nullable(),
  createdAt: z.iso.datetime(),
  lastSeenAt: z.iso.datetime(),
  /** The client address the server saw at sign-in and most recently (null when it saw none). */
  createdIp: z.string().nullable(),
  lastIp: z.string().nullable(),
  /** The session the request was made with. */
  current: z.boolean(),
  /** When the session ends unless used meanwhile: the earlier of its idle and absolute limits. */
  expiresAt: z.iso.datetime(),
});
export type DeviceSession = z.infer<typeof deviceSession>;

export const deviceSessionsResponse = z.object({ sessions: z.array(deviceSession) });
export type DeviceSessionsResponse = z.infer<typeof deviceSessionsResponse>;

export const nameSessionRequest = z.object({ name: sealedDeviceName });
export type NameSessionRequest = z.input<typeof nameSessionRequest>;

export const revokeOthersResponse = z.object({ ended: z.number().int().nonnegative() });
export type RevokeOthersResponse = z.infer<typeof revokeOthersResponse>;
