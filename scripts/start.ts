/**
 * `npm start`: build the extension, start the server on the embedded database, and tell the
 * user what to click. Stops the server cleanly on Ctrl+C.
 */
import { spawn, spawnSync } from 'node:child_process';
import path from 'node:path';
import { createInterface } from 'node:readline';

const root = path.resolve(import.meta.dirname, '..');
const build = spawnSync('npx', ['wxt', 'build'], { cwd: root, stdio: 'inherit' });
if (build.status !== 0) process.exit(build.status ?? 1);

const server = spawn(process.execPath, ['--import', 'tsx', 'server/main.ts'], {
  cwd: root,
  stdio: ['ignore', 'pipe', 'inherit'],
  env: process.env,
});
const lines = createInterface({ input: server.stdout as NodeJS.ReadableStream });
lines.on('line', (line) => {
  process.stdout.write(`${line}\n`);
  try {
    const entry = JSON.parse(line) as { msg?: string; url?: string };
    if (entry.msg !== 'listening' || !entry.url) return;
    process.stdout.write(
      [
        '',
        'Keyhold is running.',
        `  Server:    ${entry.url}  (embedded database in ${process.env.DATA_DIR ?? '.data/pglite'})`,
        `  Extension: ${path.join(root, '.output/chrome-mv3')}`,
        '',
        'To use it:',
        '  1. Open chrome://extensions, turn on "Developer mode", click "Load unpacked" and pick the Extension folder above.',
        '  2. Click the Keyhold icon in the toolbar (pin it from the puzzle-piece menu).',
        `  3. "Create account" with server address ${entry.url}, then "Add login".`,
        '  4. On a second browser profile, load the extension again and "Log in" with the same email.',
        'Press Ctrl+C to stop the server.',
        '',
      ].join('\n'),
    );
  } catch {
    // not a log line
  }
});
for (const sig of ['SIGINT', 'SIGTERM'] as const) process.on(sig, () => server.kill('SIGTERM'));
server.on('exit', (code) => process.exit(code ?? 0));
