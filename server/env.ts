import { z } from 'zod';

/** Unset and empty variables both mean "use the default". */
const optional = <T extends z.ZodType>(schema: T) =>
  z.preprocess((value) => (value === '' ? undefined : value), schema);

export const envSchema = z.object({
  PORT: optional(z.coerce.number().int().min(0).max(65535).default(8787)),
  HOST: optional(z.string().min(1).default('127.0.0.1')),
  DATABASE_URL: optional(z.url({ protocol: /^postgres(ql)?$/ }).optional()),
  DATA_DIR: optional(z.string().min(1).default('.data/pglite')),
  LOG_LEVEL: optional(z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info')),
  SERVER_SECRET: optional(z.string().min(32, 'must be at least 32 characters').optional()),
  ACCESS_TOKEN_TTL_SECONDS: optional(z.coerce.number().int().min(30).max(86_400).default(900)),
  /** Per-IP requests per minute on the unauthenticated auth routes. */
  AUTH_RATE_LIMIT_PER_MINUTE: optional(z.coerce.number().int().min(1).max(100_000).default(30)),
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
