import { storage } from 'wxt/utils/storage';
import { DEFAULT_GENERATOR_OPTIONS, type GeneratorOptions } from './options.ts';
import { passphraseOptionsSchema, passwordOptionsSchema } from './options-schemas.ts';

/**
 * The generator options the user chose last: non-secret settings in storage.local, used by the
 * popup's Generator tab and by "generate" on a page's new-password field. Versioned: a later
 * release adds a migration instead of guessing at an old shape.
 */
export const generatorOptionsItem = storage.defineItem<GeneratorOptions>('local:generatorOptions', {
  fallback: DEFAULT_GENERATOR_OPTIONS,
  version: 1,
});

/**
 * The saved options, each part checked: a part that no longer passes (stored by hand, or by a
 * release with other limits) falls back to its default, the rest is kept.
 */
export async function savedGeneratorOptions(): Promise<GeneratorOptions> {
  const stored = (await generatorOptionsItem.getValue()) as Partial<GeneratorOptions> | null;
  const password = passwordOptionsSchema().safeParse(stored?.password);
  const passphrase = passphraseOptionsSchema().safeParse(stored?.passphrase);
  return {
    kind: stored?.kind === 'passphrase' ? 'passphrase' : 'password',
    password: password.success ? password.data : DEFAULT_GENERATOR_OPTIONS.password,
    passphrase: passphrase.success ? passphrase.data : DEFAULT_GENERATOR_OPTIONS.passphrase,
  };
}

export function saveGeneratorOptions(options: GeneratorOptions): Promise<void> {
  return generatorOptionsItem.setValue(options);
}
