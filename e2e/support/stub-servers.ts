import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { createServer as createHttpServer, type RequestListener, type Server } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

/** A local web server that is not Keyhold (or pretends to be one), on a free port of 127.0.0.1. */
export interface StubServer {
  url: string;
  close(): Promise<void>;
}

async function listen(server: Server, scheme: 'http' | 'https'): Promise<StubServer> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `${scheme}://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

export const startStub = (handler: RequestListener) => listen(createHttpServer(handler), 'http');

/**
 * An https server with a self-signed certificate made by openssl for this run: Chromium refuses it
 * (net::ERR_CERT_AUTHORITY_INVALID), as it would a server whose certificate it does not trust.
 */
export async function startSelfSignedStub(handler: RequestListener): Promise<StubServer> {
  const dir = await mkdtemp(path.join(tmpdir(), 'keyhold-e2e-tls-'));
  try {
    const key = path.join(dir, 'key.pem');
    const cert = path.join(dir, 'cert.pem');
    await promisify(execFile)('openssl', [
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:prime256v1',
      '-nodes',
      '-keyout',
      key,
      '-out',
      cert,
      '-days',
      '1',
      '-subj',
      '/CN=127.0.0.1',
      '-addext',
      'subjectAltName=IP:127.0.0.1',
    ]);
    const server = createHttpsServer({ key: await readFile(key), cert: await readFile(cert) }, handler);
    return await listen(server, 'https');
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** An address where nothing listens: a port that was free a moment ago, closed again. */
export async function closedPortUrl(): Promise<string> {
  const stub = await startStub((_req, res) => res.end());
  await stub.close();
  return stub.url;
}
