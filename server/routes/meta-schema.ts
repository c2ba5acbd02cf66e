import { z } from 'zod';

// Imported by the extension (bundled by Vite): zod only, nothing Node-specific.

export { MIN_CLIENT_PROTOCOL_VERSION, PROTOCOL_VERSION } from './protocol-constants.ts';

const whole = (min: number, max: number) => z.number().int().min(min).max(max);

/**
 * The lowest KDF parameters the server accepts for a new master password. Argon2id meets it when
 * memory, iterations and parallelism are each at least the floor's; PBKDF2 by its iterations.
 * Bounds are what the extension can run (shared-crypto/kdf.ts), so a server cannot ask for more.
 */
export const kdfFloor = z.object({
  argon2id: z.object({
    memoryKiB: whole(19_456, 1_048_576),
    iterations: whole(1, 10),
    parallelism: whole(1, 16),
  }),
  pbkdf2Iterations: whole(600_000, 10_000_000),
});
export type KdfFloor = z.infer<typeof kdfFloor>;

/** The server's password policy (env settings of server/env.ts), published to every client. */
export const serverPolicy = z.object({
  passwordMinLength: whole(8, 128),
  /** zxcvbn score 0–4; 3 = "strong". */
  passwordMinStrength: whole(0, 4),
  kdfFloor,
  /** Days after which the extension reminds the user to change the master password; null: never. */
  passwordReminderDays: whole(1, 3650).nullable(),
});
export type ServerPolicy = z.infer<typeof serverPolicy>;

/** The defaults of server/env.ts; what a client assumes of a server that publishes no policy. */
export const DEFAULT_POLICY: ServerPolicy = {
  passwordMinLength: 12,
  passwordMinStrength: 3,
  kdfFloor: { argon2id: { memoryKiB: 65_536, iterations: 3, parallelism: 1 }, pbkdf2Iterations: 600_000 },
  passwordReminderDays: null,
};

/**
 * `GET /v1/meta`: how a client tells a Keyhold server from any other web server at the address the
 * user typed, and whether the two can talk. Unknown keys are ignored, so later versions may add some.
 * `policy` arrived with the key lifecycle: a server without it gets the default policy.
 */
export const metaResponse = z.object({
  service: z.literal('keyhold'),
  protocol: z.object({
    version: z.number().int().min(0),
    minClientVersion: z.number().int().min(0),
  }),
  policy: serverPolicy.default(DEFAULT_POLICY),
});
export type MetaResponse = z.infer<typeof metaResponse>;
