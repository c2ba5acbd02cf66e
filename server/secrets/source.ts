import { readFile } from 'node:fs/promises';
import { StartupError } from '../startup-error.ts';
import type { SecretName, SecretSetting } from './names.ts';
import { assertStrongSecret } from './strength.ts';

/** The variables a secret may come from (env.ts refuses both set at once). */
export type SecretVariables = { readonly [K in SecretName | `${SecretName}_FILE`]?: string | undefined };

export interface ConfiguredSecret {
  value: string;
  /** The variable it came from: `NAME` or `NAME_FILE` — what a refusal names. */
  setting: SecretSetting;
}

/**
 * A secret from `NAME` or from the file `NAME_FILE` names (its contents, surrounding whitespace
 * trimmed: a trailing newline is no part of the secret), checked for strength; undefined when
 * neither is set. A file that cannot be read, an empty one or a weak value refuses the start with
 * a StartupError naming the variable — never the value, nor the path's contents.
 */
export async function readSecret(
  env: SecretVariables,
  name: SecretName,
): Promise<ConfiguredSecret | undefined> {
  const direct = env[name];
  const fileSetting = `${name}_FILE` as const;
  const path = env[fileSetting];
  let secret: ConfiguredSecret;
  if (direct) {
    secret = { value: direct, setting: name };
  } else if (path) {
    let text: string;
    try {
      text = await readFile(path, 'utf8');
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code ?? 'EIO';
      throw new StartupError(fileSetting, `${fileSetting}: cannot read the file (${code})`, code);
    }
    secret = { value: text.trim(), setting: fileSetting };
    if (!secret.value) throw new StartupError(fileSetting, `${fileSetting}: the file is empty`, 'EMPTY');
  } else {
    return undefined;
  }
  await assertStrongSecret(secret.setting, secret.value);
  return secret;
}
