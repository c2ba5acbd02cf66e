import { ApiError } from './api-error.ts';
import type { Env } from './env.ts';
import type { KdfParamsWire } from './routes/common-schema.ts';
import type { KdfFloor, ServerPolicy } from './routes/meta-schema.ts';

export { DEFAULT_POLICY, type KdfFloor, type ServerPolicy } from './routes/meta-schema.ts';

/** The policy the environment sets (server/env.ts), as GET /v1/meta publishes it. */
export function policyFromEnv(env: Env): ServerPolicy {
  return {
    passwordMinLength: env.PASSWORD_MIN_LENGTH,
    passwordMinStrength: env.PASSWORD_MIN_STRENGTH,
    kdfFloor: {
      argon2id: {
        memoryKiB: env.KDF_MIN_ARGON2_MEMORY_KIB,
        iterations: env.KDF_MIN_ARGON2_ITERATIONS,
        parallelism: env.KDF_MIN_ARGON2_PARALLELISM,
      },
      pbkdf2Iterations: env.KDF_MIN_PBKDF2_ITERATIONS,
    },
    passwordReminderDays: env.PASSWORD_REMINDER_DAYS ?? null,
  };
}

/** Whether `kdf` costs an attacker at least what the floor asks, per guess. */
export function meetsKdfFloor(kdf: KdfParamsWire, floor: KdfFloor): boolean {
  if (kdf.alg === 'pbkdf2-sha256') return kdf.iterations >= floor.pbkdf2Iterations;
  const min = floor.argon2id;
  return (
    kdf.memoryKiB >= min.memoryKiB && kdf.iterations >= min.iterations && kdf.parallelism >= min.parallelism
  );
}

/** What the floor asks for, in the words of an error message. */
function describeFloor(kdf: KdfParamsWire, floor: KdfFloor): string {
  if (kdf.alg === 'pbkdf2-sha256') return `PBKDF2 needs at least ${floor.pbkdf2Iterations} iterations`;
  const min = floor.argon2id;
  return `Argon2id needs at least ${min.memoryKiB} KiB of memory, ${min.iterations} iterations and parallelism ${min.parallelism}`;
}

/** Register, password change, recovery and vault reset: a new master key below the floor is refused. */
export function assertKdfFloor(kdf: KdfParamsWire, policy: ServerPolicy): void {
  if (meetsKdfFloor(kdf, policy.kdfFloor)) return;
  throw new ApiError(
    400,
    'KDF_TOO_WEAK',
    `kdf: the key derivation parameters are below this server's minimum (${describeFloor(kdf, policy.kdfFloor)}).`,
    { field: 'kdf' },
  );
}
