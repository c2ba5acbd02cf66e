import type { KdfParams } from '../../shared-crypto/index.ts';
import { currentLanguage, t } from '../i18n/index.ts';
import type { PasswordPolicy } from './password-policy.ts';

/**
 * How hard the master password is stretched, as the user chooses it when changing the password,
 * and the server's floor (`policy.kdfFloor`). Type-only import of shared-crypto: the popup shows
 * these labels without bundling the KDFs.
 */

export type KdfFloor = PasswordPolicy['kdfFloor'];

/** The choices offered on the "Change master password" form. `keep`: the account's current settings. */
export const KdfLevel = {
  Keep: 'keep',
  Standard: 'standard',
  Stronger: 'stronger',
  Strongest: 'strongest',
} as const;
export type KdfLevel = (typeof KdfLevel)[keyof typeof KdfLevel];

const argon2 = (memoryKiB: number): KdfParams => ({
  alg: 'argon2id',
  memoryKiB,
  iterations: 3,
  parallelism: 4,
});

/**
 * Argon2id at RFC 9106 §4's second recommended option (64 MiB, t=3, p=4: ~0.4 s in the service
 * worker), then two and four times its memory: each doubles the cost of every guess for an
 * attacker holding the wrapped vault key, and the unlock time with it.
 */
export const KDF_LEVELS = {
  standard: {
    params: argon2(65_536),
    get label() {
      return t('changePassword.kdfStandard');
    },
  },
  stronger: {
    params: argon2(131_072),
    get label() {
      return t('changePassword.kdfStronger');
    },
  },
  strongest: {
    params: argon2(262_144),
    get label() {
      return t('changePassword.kdfStrongest');
    },
  },
} as const satisfies Record<Exclude<KdfLevel, 'keep'>, { params: KdfParams; label: string }>;

/** "Argon2id, 64 MiB, 3 passes" / "PBKDF2-SHA-256, 600,000 iterations". */
export function describeKdf(kdf: KdfParams): string {
  if (kdf.alg === 'pbkdf2-sha256')
    return t('changePassword.pbkdf2', { iterations: kdf.iterations.toLocaleString(currentLanguage()) });
  const memory = kdf.memoryKiB % 1024 === 0 ? `${kdf.memoryKiB / 1024} MiB` : `${kdf.memoryKiB} KiB`;
  return t('changePassword.argon2', { memory, passes: kdf.iterations });
}

/** At or above the server's floor: Argon2id memory and passes (and lanes), or PBKDF2 iterations. */
export function meetsKdfFloor(kdf: KdfParams, floor: KdfFloor): boolean {
  if (kdf.alg === 'pbkdf2-sha256') return kdf.iterations >= floor.pbkdf2Iterations;
  const f = floor.argon2id;
  return kdf.memoryKiB >= f.memoryKiB && kdf.iterations >= f.iterations && kdf.parallelism >= f.parallelism;
}

/** The same algorithm with every parameter raised to at least the floor. */
export function raiseToFloor(kdf: KdfParams, floor: KdfFloor): KdfParams {
  if (kdf.alg === 'pbkdf2-sha256')
    return { alg: kdf.alg, iterations: Math.max(kdf.iterations, floor.pbkdf2Iterations) };
  const f = floor.argon2id;
  return {
    alg: 'argon2id',
    memoryKiB: Math.max(kdf.memoryKiB, f.memoryKiB),
    iterations: Math.max(kdf.iterations, f.iterations),
    parallelism: Math.max(kdf.parallelism, f.parallelism),
  };
}

/** The parameters a choice stands for, never below the server's floor. */
export function kdfForLevel(level: KdfLevel, current: KdfParams, floor: KdfFloor): KdfParams {
  return raiseToFloor(level === KdfLevel.Keep ? current : KDF_LEVELS[level].params, floor);
}
