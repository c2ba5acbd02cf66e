import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';

/** The repository root, where package.json and package-lock.json are. */
export const ROOT = resolve(import.meta.dirname, '../..');

export interface NpmResult {
  stdout: string;
  stderr: string;
  /** npm's exit code: `npm audit` exits 1 when it finds advisories, so callers read the output. */
  code: number;
}

/** Runs npm in the repository root and collects its output whatever the exit code. */
export function runNpm(args: string[]): Promise<NpmResult> {
  return new Promise((resolvePromise, reject) => {
    execFile(
      'npm',
      args,
      { cwd: ROOT, maxBuffer: 256 * 1024 * 1024, encoding: 'utf8' },
      (error, stdout, stderr) => {
        if (error && typeof error.code !== 'number') {
          reject(new Error(`could not run npm ${args[0]}: ${error.message}`));
          return;
        }
        resolvePromise({ stdout, stderr, code: typeof error?.code === 'number' ? error.code : 0 });
      },
    );
  });
}

/** Reads a JSON file of the repository; a syntax error names the file. */
export async function readRepoJson(path: string): Promise<unknown> {
  const text = await readFile(join(ROOT, path), 'utf8');
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new Error(`${path} is not valid JSON: ${(error as Error).message}`);
  }
}
