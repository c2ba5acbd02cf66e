import { createServer, request as forward } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One request that went through the proxy, with the status the server answered (null: none yet). */
export interface ProxiedRequest {
  method: string;
  path: string;
  status: number | null;
}

/**
 * A request the proxy is holding: it reached "the network" but not the server. `release` forwards
 * it (the server applies it; the answer goes nowhere if the client is gone).
 */
export interface HeldRequest {
  method: string;
  path: string;
  release(): Promise<number>;
}

/**
 * An HTTP proxy in front of a Keyhold server that can hold the next request matching a rule —
 * to stop a client while that request is in flight, deterministically and without sleeps.
 * Streams pass through (the push channel's event stream included).
 */
export interface GatedProxy {
  url: string;
  log: ProxiedRequest[];
  /** Holds the next request matching `method` and path prefix; resolves once it arrives. */
  holdNext(method: string, pathPrefix: string): Promise<HeldRequest>;
  /**
   * Answers every request matching `method` and path prefix with 503 (as a gateway whose server is
   * down) instead of forwarding it, until the returned function is called.
   */
  refuse(method: string, pathPrefix: string): () => void;
  close(): Promise<void>;
}

export async function startGatedProxy(target: string): Promise<GatedProxy> {
  const upstream = new URL(target);
  const log: ProxiedRequest[] = [];
  let gate: { method: string; prefix: string; arrived: (held: HeldRequest) => void } | null = null;
  const refusals = new Set<{ method: string; prefix: string }>();

  const send = (
    method: string,
    path: string,
    headers: Record<string, string | string[] | undefined>,
    body: Buffer,
    entry: ProxiedRequest,
    reply?: import('node:http').ServerResponse,
  ) =>
    new Promise<number>((resolve, reject) => {
      const out = forward(
        {
          host: upstream.hostname,
          port: upstream.port,
          method,
          path,
          // The client's Host passes through, as a reverse proxy keeps it: DPoP proofs name the URL
          // the client addressed (the proxy's), and the server checks them against that.
          headers,
        },
        (res) => {
          entry.status = res.statusCode ?? 0;
          resolve(entry.status);
          if (reply && !reply.destroyed) {
            reply.writeHead(res.statusCode ?? 502, res.headers);
            res.pipe(reply);
          } else {
            res.resume();
          }
        },
      );
      out.on('error', reject);
      out.end(body);
    });

  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const method = req.method ?? 'GET';
      const path = req.url ?? '/';
      const entry: ProxiedRequest = { method, path, status: null };
      log.push(entry);
      const body = Buffer.concat(chunks);
      for (const r of refusals) {
        if (method === r.method && path.startsWith(r.prefix)) {
          entry.status = 503;
          res.writeHead(503, { 'content-type': 'text/plain' }).end('Service Unavailable');
          return;
        }
      }
      const g = gate;
      if (g && method === g.method && path.startsWith(g.prefix)) {
        gate = null;
        g.arrived({ method, path, release: () => send(method, path, req.headers, body, entry, res) });
        return;
      }
      send(method, path, req.headers, body, entry, res).catch(() => res.destroy());
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    log,
    holdNext: (method, prefix) =>
      new Promise<HeldRequest>((arrived) => {
        gate = { method, prefix, arrived };
      }),
    refuse: (method, prefix) => {
      const rule = { method, prefix };
      refusals.add(rule);
      return () => {
        refusals.delete(rule);
      };
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
