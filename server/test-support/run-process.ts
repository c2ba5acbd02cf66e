import { spawn } from 'node:child_process';
import path from 'node:path';

export interface ProcessOutcome {
  /** Exit code, or null when the process was still running at the deadline (it is then killed). */
  code: number | null;
  /** Every non-empty line of stdout and stderr, in arrival order per stream (stdout first). */
  lines: string[];
  output: string;
}

const root = path.resolve(import.meta.dirname, '../..');

/**
 * Runs a server entry (`server/main.ts`, `server/migrate.ts`, `server/audit-verify.ts`) as its own
 * process with `env` on top of defaults that touch nothing shared, and waits for it to exit. A process that starts listening is
 * stopped at once and reported with code null: these tests are about starts that must fail.
 */
export function runEntry(
  entry: string,
  env: Record<string, string | undefined>,
  timeoutMs = 30_000,
  args: readonly string[] = [],
): Promise<ProcessOutcome> {
  const child = spawn(process.execPath, ['--import', 'tsx', entry, ...args], {
    cwd: root,
    env: {
      ...process.env,
      DATABASE_URL: '',
      PORT: '0',
      HOST: '127.0.0.1',
      LOG_LEVEL: 'info',
      SERVER_SECRET: '',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  return new Promise((resolve, reject) => {
    let listening = false;
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${entry} did not exit in ${timeoutMs} ms: ${stdout}${stderr}`));
    }, timeoutMs);
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      if (!listening && stdout.includes('"msg":"listening"')) {
        listening = true;
        child.kill('SIGTERM');
      }
    });
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    child.once('error', reject);
    child.once('close', (code) => {
      clearTimeout(timer);
      const output = `${stdout}${stderr}`;
      resolve({
        code: listening ? null : code,
        lines: [...stdout.split('\n'), ...stderr.split('\n')].filter((line) => line.trim() !== ''),
        output,
      });
    });
  });
}

/** The message of a start-up failure line: pino's `msg` for a JSON line, the line itself otherwise. */
export function messageOf(line: string): string {
  try {
    const entry = JSON.parse(line) as { msg?: unknown };
    return typeof entry.msg === 'string' ? entry.msg : line;
  } catch {
    return line;
  }
}
