import { IncomingMessage } from 'node:http';

/**
 * How a client spoiled its own request body: `malformed` framing (a bad chunk size: Node has
 * already answered 400 and closed the connection) or `abandoned` (the connection ended before the
 * body did, so no answer can reach anyone).
 */
export type ClientBodyFailure = 'malformed' | 'abandoned';

/** The status a request log shows for an abandoned body (nginx's "client closed request"). */
export const CLIENT_CLOSED_REQUEST = 499;

/**
 * Whether `error` is the request body failing by the client's doing, read from the Node request
 * behind it (`c.env.incoming` under @hono/node-server): its body did not arrive in full and `error`
 * is, or was caused by, the stream error Node gave it. Anything else — a database error that merely
 * coincides with a dropped connection included — is undefined: a server error stays one.
 */
export function clientBodyFailure(env: unknown, error: unknown): ClientBodyFailure | undefined {
  const incoming = (env as { incoming?: unknown } | undefined)?.incoming;
  if (!(incoming instanceof IncomingMessage) || incoming.complete || !incoming.errored) return undefined;
  if (!causedBy(error, incoming.errored)) return undefined;
  // Node parses the framing; when it gives up on it, the socket keeps the parser's error (HPE_*).
  // HPE_INVALID_EOF_STATE is the connection ending mid-body: abandoned, not malformed.
  const code = (incoming.socket?.errored as NodeJS.ErrnoException | null | undefined)?.code;
  return code?.startsWith('HPE_') && code !== 'HPE_INVALID_EOF_STATE' ? 'malformed' : 'abandoned';
}

function causedBy(error: unknown, cause: Error): boolean {
  for (let e: unknown = error, depth = 0; e instanceof Error && depth < 5; e = e.cause, depth++) {
    if (e === cause) return true;
  }
  return false;
}
