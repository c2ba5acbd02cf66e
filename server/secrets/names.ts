/**
 * The server's secrets as operators name them. Each is read from its variable or from the file its
 * `_FILE` variable names (docs/operations/secret-rotation.md); setting both refuses the start.
 */
export const secretNames = [
  'SERVER_SECRET',
  'SERVER_SECRET_PREVIOUS',
  'TOKEN_PEPPER',
  'TOKEN_PEPPER_PREVIOUS',
  'PRELOGIN_SEED',
] as const;
export type SecretName = (typeof secretNames)[number];

/** A variable a failed start can name: the secret itself or its `_FILE`, plus the audit key's. */
export type SecretSetting = SecretName | `${SecretName}_FILE` | 'AUDIT_SIGNING_KEY';

/** Problems for loadEnv: a secret given both as a value and as a file (which one would win is a guess). */
export function secretsSetTwice(source: Record<string, string | undefined>): string[] {
  const set = (name: string) => source[name] !== undefined && source[name] !== '';
  return [...secretNames, 'AUDIT_SIGNING_KEY']
    .filter((name) => set(name) && set(`${name}_FILE`))
    .map((name) => `${name}: both ${name} and ${name}_FILE are set; set one`);
}
