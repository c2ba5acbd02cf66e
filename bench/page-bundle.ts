import path from 'node:path';
import { build } from 'vite';

/**
 * One TypeScript entry (and what it imports) as one classic script for a plain web page, built by
 * vite in memory: the benches that time extension code inside Chromium load it with a <script>.
 */
export async function bundleForPage(entry: string, options: { minify: boolean }): Promise<string> {
  const out = await build({
    configFile: false,
    envFile: false,
    publicDir: false,
    logLevel: 'silent',
    root: path.resolve(import.meta.dirname, '..'),
    build: {
      write: false,
      minify: options.minify,
      target: 'es2022',
      lib: { entry, formats: ['iife'], name: 'KeyholdBench' },
    },
  });
  for (const o of Array.isArray(out) ? out : [out]) {
    if (!('output' in o)) continue;
    const chunk = o.output.find((c) => c.type === 'chunk');
    if (chunk && chunk.type === 'chunk') return chunk.code;
  }
  throw new Error(`vite produced no chunk for ${path.basename(entry)}`);
}
