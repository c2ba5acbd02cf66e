import { readFile, stat } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';

/** Directory with the static test pages (see e2e/sites/README.md). */
export const SITES_DIR = path.resolve(import.meta.dirname, '../sites');

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
};

export interface Sites {
  port: number;
  /** `url('bank.test', '/simple.html')` → `http://bank.test:PORT/simple.html`. */
  url(host: string, path: string): string;
  close(): Promise<void>;
}

/** Resolves a request path to a file under SITES_DIR, or null when it is not servable. */
async function resolveFile(rawUrl: string): Promise<string | null> {
  const pathname = rawUrl.split(/[?#]/, 1)[0] ?? '';
  let decoded: string;
  try {
    decoded = decodeURIComponent(pathname);
  } catch {
    return null;
  }
  if (decoded.includes('\0')) return null;
  const file = path.resolve(SITES_DIR, `.${path.posix.sep}${decoded}`);
  if (!file.startsWith(SITES_DIR + path.sep)) return null;
  if (!(path.extname(file) in CONTENT_TYPES)) return null;
  try {
    return (await stat(file)).isFile() ? file : null;
  } catch {
    return null;
  }
}

/**
 * Serves e2e/sites on 127.0.0.1 on a free port. Answers for any Host header: the browser maps
 * `*.test` to 127.0.0.1, so bank.test, accounts.bank.test, other.test… all reach this server.
 */
export async function startSites(): Promise<Sites> {
  const server = createServer((req, res) => {
    void (async () => {
      const file = req.method === 'GET' || req.method === 'HEAD' ? await resolveFile(req.url ?? '/') : null;
      const headers = { 'Cache-Control': 'no-store' };
      if (!file) {
        res.writeHead(404, { ...headers, 'Content-Type': 'text/plain; charset=utf-8' });
        res.end('Not found');
        return;
      }
      const body = await readFile(file);
      res.writeHead(200, {
        ...headers,
        'Content-Type': CONTENT_TYPES[path.extname(file)] ?? 'application/octet-stream',
        'Content-Length': body.length,
      });
      res.end(req.method === 'HEAD' ? undefined : body);
    })().catch(() => {
      if (!res.headersSent) res.writeHead(500, { 'Cache-Control': 'no-store' });
      res.end();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  return {
    port,
    url: (host, p) => `http://${host}:${port}${p.startsWith('/') ? p : `/${p}`}`,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((err) => (err ? reject(err) : resolve()));
      }),
  };
}
