import { isIP } from 'node:net';
import { z } from 'zod';

/** Unset and empty variables both mean "use the default". */
const optional = <T extends z.ZodType>(schema: T) =>
  z.preprocess((value) => (value === '' ? undefined : value), schema);

/**
 * A whole number written as plain decimal digits. `z.coerce.number()` would take `0x2410`, `9.234e3`
 * or ` 80`: a typo there must stop the start, not quietly pick another number.
 */
const decimal = (min: number, max: number) =>
  z
    .string()
    .regex(/^(0|[1-9][0-9]*)$/, `must be a whole number from ${min} to ${max} in decimal digits`)
    .transform(Number)
    .pipe(z.number().min(min, `must be at least ${min}`).max(max, `must be at most ${max}`));

const hostname = z.hostname();
/** Whether the address is this machine's is checked at start (listen.ts): that needs DNS. */
const host = z
  .string()
  .refine(
    (value) => isIP(value) !== 0 || hostname.safeParse(value).success,
    'must be an IP address or a host name (no scheme, port or brackets)',
  );

export const envSchema = z.object({
  PORT: optional(decimal(0, 65535).default(8787)),
  HOST: optional(host.default('127.0.0.1')),
  /** The server's connection: the application role (keyhold_app), never the tables' owner. */
  DATABASE_URL: optional(z.url({ protocol: /^postgres(ql)?$/ }).optional()),
  /** The owner's connection, for `npm run migrate` and `npm run audit:verify` (default: DATABASE_URL). */
  DATABASE_OWNER_URL: optional(z.url({ protocol: /^postgres(ql)?$/ }).optional()),
  DATA_DIR: optional(z.string().min(1).default('.data/pglite')),
  LOG_LEVEL: optional(z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info')),
  SERVER_SECRET: optional(z.string().min(32, 'must be at least 32 characters').optional()),
  ACCESS_TOKEN_TTL_SECONDS: optional(decimal(30, 86_400).default(900)),
  /** Per-IP requests per minute on the unauthenticated auth routes. */
  AUTH_RATE_LIMIT_PER_MINUTE: optional(decimal(1, 100_000).default(30)),
  /**
   * PKCS#8 PEM file of the Ed25519 key that signs audit checkpoints. Unset: the embedded server
   * keeps one in DATA_DIR; on PostgreSQL each process makes its own at start (public keys are kept).
   */
  AUDIT_SIGNING_KEY_FILE: optional(z.string().min(1).optional()),
  /** Audit events older than this are pruned (up to a signed checkpoint); 0 keeps them forever. */
  AUDIT_RETENTION_DAYS: optional(decimal(0, 36_500).default(365)),
  /** A signed checkpoint after this many events of one process… */
  AUDIT_CHECKPOINT_EVERY: optional(decimal(1, 1_000_000).default(1000)),
  /** …and at least this often while events arrive. */
  AUDIT_CHECKPOINT_INTERVAL_SECONDS: optional(decimal(1, 86_400).default(300)),
  /*
   * The password policy, published in GET /v1/meta (docs/protocol.md, "Server policy"). Length and
   * strength are enforced by the extension (the server never sees a password); the KDF floor by the
   * server at register, password change and recovery. The bounds are what the extension can run.
   */
  /** Fewest characters a new master password may have. */
  PASSWORD_MIN_LENGTH: optional(decimal(8, 128).default(12)),
  /** Lowest zxcvbn score (0–4) a new master password may have; 3 is "strong". */
  PASSWORD_MIN_STRENGTH: optional(decimal(0, 4).default(3)),
  KDF_MIN_ARGON2_MEMORY_KIB: optional(decimal(19_456, 1_048_576).default(65_536)),
  KDF_MIN_ARGON2_ITERATIONS: optional(decimal(1, 10).default(3)),
  /** Parallelism adds no cost to an attacker's guesses, so its floor is 1. */
  KDF_MIN_ARGON2_PARALLELISM: optional(decimal(1, 16).default(1)),
  KDF_MIN_PBKDF2_ITERATIONS: optional(decimal(600_000, 10_000_000).default(600_000)),
  /** Remind the user to change a master password older than this; unset: never (no forced expiry). */
  PASSWORD_REMINDER_DAYS: optional(decimal(1, 3650).optional()),
});

export type Env = z.infer<typeof envSchema>;

export class EnvError extends Error {
  override readonly name = 'EnvError';
}

export function loadEnv(source: Record<string, string | undefined>): Env {
  const result = envSchema.safeParse(source);
  if (result.success) return result.data;
  const problems = result.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`);
  throw new EnvError(`Invalid environment variable(s): ${problems.join('; ')}`);
}

/** For entry points: a bad variable prints one clear line naming it and exits 1. */
export function loadEnvOrExit(source: Record<string, string | undefined>): Env {
  try {
    return loadEnv(source);
  } catch (error) {
    if (!(error instanceof EnvError)) throw error;
    process.stderr.write(`${error.message}\n`);
    process.exit(1);
  }
}
