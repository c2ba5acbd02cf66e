import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exportSigningKey, generateSigningKey } from '../audit/signing.ts';
import { messageOf, type ProcessOutcome, runEntry } from '../test-support/run-process.ts';

/** server/main.ts as a process (embedded database): how it takes its secrets, and how it refuses them. */
let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'keyhold-secrets-start-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

const strong = () => randomBytes(32).toString('base64url');
let files = 0;
const secretFile = async (contents: string) => {
  const file = path.join(dir, `secret-${files++}`);
  await writeFile(file, contents, { mode: 0o600 });
  return file;
};
const start = async (env: Record<string, string>) =>
  runEntry('server/main.ts', { DATA_DIR: await mkdtemp(path.join(dir, 'data-')), ...env }, 60_000);

/** Exit 1, one line, naming `setting`; no stack frames, none of `values`. */
function expectRefused(outcome: ProcessOutcome, setting: string, message: RegExp, values: string[]) {
  expect(outcome.code, outcome.output).toBe(1);
  expect(outcome.lines, outcome.output).toHaveLength(1);
  const line = outcome.lines[0] ?? '';
  expect(messageOf(line)).toMatch(message);
  if (line.startsWith('{')) expect(JSON.parse(line)).toMatchObject({ setting });
  expect(outcome.output).not.toMatch(/^\s+at |"frames"|"stack"/m);
  for (const value of values) expect(outcome.output).not.toContain(value);
}

describe('server start: secrets', () => {
  it('refuses weak, unreadable and doubly set secrets in one line naming the variable', async () => {
    const dictionary = 'keyhold-production-server-secret-2024';
    const phrase = 'correct horse battery staple correct horse';
    const [weakFile, doubled] = await Promise.all([secretFile(`${dictionary}\n`), secretFile(strong())]);
    const doubledValue = strong();
    // One after another: five embedded databases starting at once crowd a small machine.
    const fromFile = await start({ SERVER_SECRET_FILE: weakFile });
    const fromEnv = await start({ TOKEN_PEPPER: phrase });
    const missing = await start({ PRELOGIN_SEED_FILE: path.join(dir, 'no-such-file') });
    const twice = await start({
      TOKEN_PEPPER_PREVIOUS: doubledValue,
      TOKEN_PEPPER_PREVIOUS_FILE: doubled,
      TOKEN_PEPPER: strong(),
    });
    const short = await start({ SERVER_SECRET_PREVIOUS: 'tiny-secret', SERVER_SECRET: strong() });
    expectRefused(fromFile, 'SERVER_SECRET_FILE', /^SERVER_SECRET_FILE: weak secret, too guessable/, [
      dictionary,
    ]);
    expectRefused(fromEnv, 'TOKEN_PEPPER', /^TOKEN_PEPPER: weak secret, too guessable/, [phrase, 'horse']);
    expectRefused(missing, 'PRELOGIN_SEED_FILE', /^PRELOGIN_SEED_FILE: cannot read the file \(ENOENT\)$/, []);
    expectRefused(
      twice,
      'TOKEN_PEPPER_PREVIOUS',
      /^Invalid environment variable\(s\): TOKEN_PEPPER_PREVIOUS: both TOKEN_PEPPER_PREVIOUS and TOKEN_PEPPER_PREVIOUS_FILE are set; set one$/,
      [doubledValue],
    );
    expectRefused(short, 'SERVER_SECRET_PREVIOUS', /^SERVER_SECRET_PREVIOUS: weak secret, shorter than 32/, [
      'tiny-secret',
    ]);
  }, 300_000);

  it('starts with every secret from files and the audit key as PEM in the environment, printing none', async () => {
    const values = { SERVER_SECRET: strong(), TOKEN_PEPPER: strong(), PRELOGIN_SEED: strong() };
    const pem = exportSigningKey(generateSigningKey());
    const outcome = await start({
      SERVER_SECRET_FILE: await secretFile(`${values.SERVER_SECRET}\n`),
      TOKEN_PEPPER_FILE: await secretFile(values.TOKEN_PEPPER),
      PRELOGIN_SEED_FILE: await secretFile(`\n${values.PRELOGIN_SEED}\n`),
      AUDIT_SIGNING_KEY: pem,
    });
    expect(outcome.code, outcome.output).toBeNull(); // it listened (and was stopped)
    const listening = outcome.lines
      .map((line) => JSON.parse(line))
      .find((entry) => entry.msg === 'listening');
    expect(listening).toMatchObject({
      auditKey: { source: 'env' },
      secrets: { serverSecret: 'file', tokenPepper: 'file', preloginSeed: 'file', rotating: false },
    });
    for (const value of [...Object.values(values), pem.split('\n')[1] ?? pem]) {
      expect(outcome.output).not.toContain(value);
    }
  }, 60_000);

  it('refuses an audit signing key in the environment that is not one', async () => {
    const outcome = await start({ AUDIT_SIGNING_KEY: 'not-a-pem-key' });
    expectRefused(outcome, 'AUDIT_SIGNING_KEY', /^AUDIT_SIGNING_KEY: not an Ed25519 private key/, [
      'not-a-pem-key',
    ]);
  }, 60_000);
});
