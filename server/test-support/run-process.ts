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

export interface ServerProcess {
  /** `http://127.0.0.1:<port>`, as the process logged it. */
  url: string;
  /** Every line it has written so far (stdout and stderr). */
  lines: string[];
  /** SIGTERM, then waits for the exit. */
  stop(): Promise<void>;
}

/** Starts `server/main.ts` with `env` on top of the same defaults as runEntry and waits until it listens. */
export function startServerProcess(
  env: Record<string, string | undefined>,
  timeoutMs = 60_000,
): Promise<ServerProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'server/main.ts'], {
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
  const lines: string[] = [];
  const collect = (pending: { text: string }) => (chunk: Buffer) => {
    pending.text += chunk.toString();
    const complete = pending.text.split('\n');
    pending.text = complete.pop() ?? '';
    lines.push(...complete.filter((line) => line.trim() !== ''));
  };
  child.stdout.on('data', collect({ text: '' }));
  child.stderr.on('data', collect({ text: '' }));
  const exited = new Promise<void>((resolve) => child.once('close', () => resolve()));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`server did not listen in ${timeoutMs} ms: ${lines.join('\n')}`));
    }, timeoutMs);
    const watch = setInterval(() => {
      for (const line of lines) {
        try {
          const entry = JSON.parse(line) as { msg?: unknown; url?: unknown };
          if (entry.msg === 'listening' && typeof entry.url === 'string') {
            clearTimeout(timer);
            clearInterval(watch);
            const url = entry.url;
            resolve({
              url,
              lines,
              stop: async () => {
                if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
                await exited;
              },
            });
            return;
          }
        } catch {
          // not a JSON line
        }
      }
    }, 20);
    void exited.then(() => {
      clearTimeout(timer);
      clearInterval(watch);
      reject(new Error(`server exited before listening: ${lines.join('\n')}`));
    });
  });
}

/** A running server process (the DPoP tests' name for startServerProcess). */
export type RunningServer = ServerProcess;
export const startServer = startServerProcess;
