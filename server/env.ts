import { isIP } from 'node:net';
import { z } from 'zod';
import { parseProxyEntry } from './middleware/client-ip.ts';
import { secretsSetTwice } from './secrets/names.ts';

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

/** A secret's text or a path to it: opaque, checked at start, never echoed in a message. */
const secretText = optional(z.string().min(1).optional());

export const envSchema = z
  .object({
    PORT: optional(decimal(0, 65535).default(8787)),
    HOST: optional(host.default('127.0.0.1')),
    /** The server's connection: the application role (keyhold_app), never the tables' owner. */
    DATABASE_URL: optional(z.url({ protocol: /^postgres(ql)?$/ }).optional()),
    /** The owner's connection, for `npm run migrate` and `npm run audit:verify` (default: DATABASE_URL). */
    DATABASE_OWNER_URL: optional(z.url({ protocol: /^postgres(ql)?$/ }).optional()),
    DATA_DIR: optional(z.string().min(1).default('.data/pglite')),
    /* The server's connection pool and its time limits (docs/operations/database.md). */
    /** Connections this process keeps open at most; pool × processes must stay under max_connections. */
    DB_POOL_MAX: optional(decimal(1, 1000).default(10)),
    /** How long opening a connection may take before the request fails. */
    DB_CONNECT_TIMEOUT_SECONDS: optional(decimal(1, 600).default(10)),
    /** A connection unused this long is closed; 0: never. */
    DB_IDLE_TIMEOUT_SECONDS: optional(decimal(0, 86_400).default(300)),
    /** A connection is replaced after this long, however busy (picks up a failed-over server). */
    DB_MAX_LIFETIME_SECONDS: optional(decimal(60, 604_800).default(1800)),
    /** A statement running longer is cancelled (503 DATABASE_BUSY); 0: no limit. */
    DB_STATEMENT_TIMEOUT_MS: optional(decimal(0, 3_600_000).default(30_000)),
    /** Waiting longer than this for a row another transaction holds fails (503 DATABASE_BUSY). */
    DB_LOCK_TIMEOUT_MS: optional(decimal(1, 600_000).default(2000)),
    LOG_LEVEL: optional(
      z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
    ),
    /*
     * Server secrets (docs/operations/secret-rotation.md): each from its variable or from the file
     * its `_FILE` names, never both; checked for strength at start (secrets/strength.ts). Unset, the
     * server generates and keeps its own. `_PREVIOUS` versions are accepted during a rotation.
     */
    SERVER_SECRET: optional(z.string().min(32, 'must be at least 32 characters').optional()),
    SERVER_SECRET_FILE: secretText,
    SERVER_SECRET_PREVIOUS: secretText,
    SERVER_SECRET_PREVIOUS_FILE: secretText,
    TOKEN_PEPPER: secretText,
    TOKEN_PEPPER_FILE: secretText,
    TOKEN_PEPPER_PREVIOUS: secretText,
    TOKEN_PEPPER_PREVIOUS_FILE: secretText,
    PRELOGIN_SEED: secretText,
    PRELOGIN_SEED_FILE: secretText,
    ACCESS_TOKEN_TTL_SECONDS: optional(decimal(30, 86_400).default(900)),
    /** A device session unused for this many days ends (docs/sessions.md). */
    SESSION_IDLE_DAYS: optional(decimal(1, 3650).default(14)),
    /** A device session ends this many days after sign-in, however much it is used. */
    SESSION_ABSOLUTE_DAYS: optional(decimal(1, 3650).default(30)),
    /** Live device sessions per account; a sign-in beyond it ends the least recently seen one. */
    SESSION_MAX_PER_ACCOUNT: optional(decimal(1, 1000).default(5)),
    /** Per-IP (IPv6: per /64) requests per minute on the auth routes, counted across all processes. */
    AUTH_RATE_LIMIT_PER_MINUTE: optional(decimal(1, 100_000).default(30)),
    /** The limits' shared store: Redis at this URL; unset: the database (table rate_limits). */
    REDIS_URL: optional(z.url({ protocol: /^rediss?$/ }).optional()),
    /**
     * Proxies whose X-Forwarded-For is believed: comma-separated addresses and CIDR ranges
     * (`10.0.0.0/8, ::1`). Unset: the socket's peer is the client.
     */
    TRUST_PROXY: optional(
      z
        .string()
        .transform((value) => value.split(',').map((entry) => entry.trim()))
        .refine(
          (entries) => entries.every((entry) => parseProxyEntry(entry) !== null),
          'must be comma-separated IP addresses or CIDR ranges',
        )
        .default([]),
    ),
    /**
     * PKCS#8 PEM file of the Ed25519 key that signs audit checkpoints. Unset: the embedded server
     * keeps one in DATA_DIR; on PostgreSQL each process makes its own at start (public keys are kept).
     */
    AUDIT_SIGNING_KEY_FILE: optional(z.string().min(1).optional()),
    /** The same key as PEM text in the environment (one of the two). */
    AUDIT_SIGNING_KEY: secretText,
    /** Audit events older than this are pruned (up to a signed checkpoint); 0 keeps them forever. */
    AUDIT_RETENTION_DAYS: optional(decimal(0, 36_500).default(365)),
    /** A signed checkpoint after this many events of one process… */
    AUDIT_CHECKPOINT_EVERY: optional(decimal(1, 1_000_000).default(1000)),
    /** …and at least this often while events arrive. */
    AUDIT_CHECKPOINT_INTERVAL_SECONDS: optional(decimal(1, 86_400).default(300)),
    /** How often housekeeping deletes expired rows (server/housekeeping.ts; one process at a time). */
    HOUSEKEEPING_INTERVAL_SECONDS: optional(decimal(10, 86_400).default(600)),
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
    /**
     * The external URL clients use (scheme, host and any path prefix a reverse proxy adds), e.g.
     * https://vault.example.com: DPoP proofs name it. Unset: the request's own scheme and host.
     */
    PUBLIC_URL: optional(z.url({ protocol: /^https?$/ }).optional()),
    /** Require a fresh server nonce in every DPoP proof (RFC 9449 §8). */
    DPOP_REQUIRE_NONCE: optional(
      z
        .enum(['true', 'false'])
        .default('false')
        .transform((v) => v === 'true'),
    ),
    /** Remind the user to change a master password older than this; unset: never (no forced expiry). */
    PASSWORD_REMINDER_DAYS: optional(decimal(1, 3650).optional()),
    /**
     * Prometheus metrics (docs/operations/metrics.md) on a listener of their own: GET /metrics on this
     * port. Unset: no metrics are served. Never the API's PORT, which never serves /metrics.
     */
    METRICS_PORT: optional(decimal(1, 65535).optional()),
    /** The metrics listener's address; keep it private (loopback or an internal network). */
    METRICS_HOST: optional(host.default('127.0.0.1')),
  })
  .superRefine((env, ctx) => {
    if (env.METRICS_PORT !== undefined && env.METRICS_PORT === env.PORT) {
      ctx.addIssue({
        code: 'custom',
        path: ['METRICS_PORT'],
        message: `must differ from PORT (${env.PORT}): the API port never serves metrics`,
      });
    }
  });

export type Env = z.infer<typeof envSchema>;

export class EnvError extends Error {
  override readonly name = 'EnvError';
}

export function loadEnv(source: Record<string, string | undefined>): Env {
  const result = envSchema.safeParse(source);
  const problems = result.success
    ? []
    : result.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`);
  problems.push(...secretsSetTwice(source));
  if (result.success && problems.length === 0) return result.data;
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
