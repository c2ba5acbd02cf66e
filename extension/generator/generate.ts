import type { GeneratorKind, GeneratorOptions } from './options.ts';
import { generatePassphrase, passphraseEntropyBits } from './passphrase.ts';
import { generatePassword, passwordEntropyBits } from './password.ts';
import { type UniformRandom, uniformRandom } from './random.ts';

export interface Generated {
  kind: GeneratorKind;
  value: string;
  /** For a passphrase its exact entropy; for a password a lower bound (password.ts). */
  entropyBits: number;
}

/** A password or a passphrase, as the options' `kind` says. RangeError for invalid options. */
export function generate(options: GeneratorOptions, random: UniformRandom = uniformRandom()): Generated {
  if (options.kind === 'passphrase') {
    return {
      kind: 'passphrase',
      value: generatePassphrase(options.passphrase, random),
      entropyBits: passphraseEntropyBits(options.passphrase),
    };
  }
  return {
    kind: 'password',
    value: generatePassword(options.password, random),
    entropyBits: passwordEntropyBits(options.password),
  };
}
