import { z } from 'zod';

// Imported by the extension (bundled by Vite): zod only, nothing Node-specific.

/** The wire protocol this server speaks (docs/protocol.md); raised only by an incompatible change. */
export const PROTOCOL_VERSION = 1;
/** The oldest client protocol this server still answers correctly. */
export const MIN_CLIENT_PROTOCOL_VERSION = 1;

/**
 * `GET /v1/meta`: how a client tells a Keyhold server from any other web server at the address the
 * user typed, and whether the two can talk. Unknown keys are ignored, so later versions may add some.
 */
export const metaResponse = z.object({
  service: z.literal('keyhold'),
  protocol: z.object({
    version: z.number().int().min(0),
    minClientVersion: z.number().int().min(0),
  }),
});
export type MetaResponse = z.infer<typeof metaResponse>;
