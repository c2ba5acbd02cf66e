import type { z } from 'zod';
import type { DeleteAccountRequest, RegisterRequest } from '../../server/routes/accounts-schema.ts';
import type { DeviceSession } from '../../server/routes/devices-schema.ts';
import type {
  CompleteRotationRequest,
  StartRotationRequest,
} from '../../server/routes/key-rotation-schema.ts';
import type { ChangePasswordRequest } from '../../server/routes/password-schema.ts';
import { LINEAGE_HEADER, NO_LINEAGE, PROTOCOL_VERSION } from '../../server/routes/protocol-constants.ts';
import type {
  CompleteRecoveryRequest,
  RecoveryRequest,
  SetRecoveryKeyRequest,
} from '../../server/routes/recovery-schema.ts';
import type { LoginRequest } from '../../server/routes/sessions-schema.ts';
import type { Item, PushRequest } from '../../server/routes/sync-schema.ts';
import type { RecordExportRequest } from '../../server/routes/vault-export-schema.ts';
import type { VaultResetRequest } from '../../server/routes/vault-reset-schema.ts';
import type { ErrorDetail } from '../messaging/error-messages.ts';
import { once } from '../messaging/lazy-schemas.ts';
import type { PasswordPolicy } from '../messaging/password-policy.ts';
import { ErrorCode } from '../messaging/protocol.ts';
import { deviceTokenFor, rememberDeviceToken } from './device-token.ts';
import {
  createDpopKey,
  type DpopKey,
  type DpopKeys,
  dpopProof,
  isNonceChallenge,
  rememberDpopNonce,
  sessionDpopKeys,
} from './dpop-key.ts';
import { isTlsError, type NetErrorSource, netErrorLog } from './net-errors.ts';

/** The server's answer schemas (server-responses.ts), loaded with the first request. */
type Responses = typeof import('./server-responses.ts');
/** An answer schema, by its name in server-responses.ts. */
type ResponseName = Exclude<keyof Responses, 'errorResponse'>;
const responses = once(() => import('./server-responses.ts'));

/**
 * A failed call to the sync server, with the stable code the popup turns into words and what the
 * words may name (the server address, Retry-After, the browser's network error). Status 0: no
 * HTTP answer at all.
 */
export class ApiError extends Error {
  override readonly name = 'ApiError';
  constructor(
    readonly code: ErrorCode,
    readonly status: number,
    readonly serverCode?: string,
    readonly detail: ErrorDetail = {},
    /** The request field the server's error names (`error.field`), when it names one. */
    readonly serverField?: string,
  ) {
    super(`Keyhold server call failed: ${serverCode ?? code} (${status})`);
  }
}

export type ServerItem = Item;
export type ServerDeviceSession = DeviceSession;
export type ItemChange = PushRequest['changes'][number];

export type { AccountKeys } from '../../server/routes/accounts-schema.ts';
export type ServerRotation = StartRotationRequest;

const REQUEST_TIMEOUT_MS = 15_000;
const REFRESH_PATH = '/v1/sessions/refresh';
/** How long a failed fetch waits for the browser's webRequest error, which races its rejection. */
const NET_ERROR_GRACE_MS = 1_000;

/**
 * The protocol this extension speaks (the server code beside it is the same version) and the
 * oldest server protocol it can use; compared with `GET /v1/meta` before register and login.
 */
export const CLIENT_PROTOCOL = { version: PROTOCOL_VERSION, minServerVersion: 1 } as const;

/** What a client needs to know about a server before it creates or changes a master password. */
export interface ServerFacts {
  policy: PasswordPolicy;
}

/** Statuses a reverse proxy answers when the Keyhold server behind it is down or slow. */
const GATEWAY_STATUSES: ReadonlySet<number> = new Set([502, 503, 504]);

/** `Retry-After` as seconds: delta-seconds or an HTTP date (RFC 9110 §10.2.3); undefined when absent or unreadable. */
export function retryAfterSeconds(header: string | null, nowMs: number): number | undefined {
  if (header === null) return undefined;
  const text = header.trim();
  if (/^\d+$/.test(text)) return Number(text);
  const at = Date.parse(text);
  return Number.isNaN(at) ? undefined : Math.max(0, Math.ceil((at - nowMs) / 1000));
}

/** Server codes the extension knows by the same name (docs/protocol.md): passed through as they are. */
const SHARED_CODES: ReadonlySet<string> = new Set<ErrorCode>([
  ErrorCode.InvalidCredentials,
  ErrorCode.AccountExists,
  ErrorCode.KdfTooWeak,
  ErrorCode.KeyVersionStale,
  ErrorCode.RotationPending,
  ErrorCode.RotationIncomplete,
  ErrorCode.NoRotation,
  ErrorCode.CredentialsChanged,
  ErrorCode.InvalidRecoveryKey,
  ErrorCode.SessionEnded,
]);

const statusToCode = (status: number, serverCode: string | undefined): ErrorCode => {
  if (serverCode !== undefined && SHARED_CODES.has(serverCode)) return serverCode as ErrorCode;
  if (status === 401) return ErrorCode.SessionExpired;
  if (status === 403) return ErrorCode.Forbidden;
  if (status === 429) return ErrorCode.RateLimited;
  if (status === 400 || status === 413) return ErrorCode.Validation;
  if (status === 404) return ErrorCode.NotFound;
  return ErrorCode.ServerError;
};

/**
 * Thin typed wrapper over the wire protocol in docs/protocol.md. Tokens go only in Authorization,
 * as `DPoP <token>` with a proof by this device session's key (dpop-key.ts).
 */
export class ApiClient {
  constructor(
    readonly baseUrl: string,
    private readonly fetchImpl: typeof fetch = (...args) => globalThis.fetch(...args),
    private readonly netErrors: NetErrorSource = netErrorLog,
    /** This device session's DPoP key. */
    private readonly dpopKeys: DpopKeys = sessionDpopKeys,
  ) {}

  private fail(
    code: ErrorCode,
    status: number,
    serverCode?: string,
    detail: ErrorDetail = {},
    serverField?: string,
  ) {
    return new ApiError(code, status, serverCode, { serverUrl: this.baseUrl, ...detail }, serverField);
  }

  /** One request; a reply that does not match `schema` is a server error (the server is not trusted). */
  private async call<K extends ResponseName>(
    schema: K | null,
    method: string,
    path: string,
    body?: unknown,
    token?: string,
    /** The key a sign-in binds its session to; otherwise the session's own for calls with a token. */
    signIn?: DpopKey,
    extraHeaders: Record<string, string> = {},
  ): Promise<z.output<Responses[K]>> {
    const url = `${this.baseUrl}${path}`;
    const schemas = responses();
    const dpop = signIn ?? (token || path === REFRESH_PATH ? await this.dpopKeys.current() : null);
    const attempt = async () => {
      const headers: Record<string, string> = { ...extraHeaders, accept: 'application/json' };
      if (body !== undefined) headers['content-type'] = 'application/json';
      if (token) headers.authorization = `DPoP ${token}`;
      if (dpop) headers.dpop = await dpopProof(dpop, method, url, token);
      const startedAt = Date.now();
      try {
        const answer = await this.fetchImpl(url, {
          method,
          headers,
          body: body === undefined ? undefined : JSON.stringify(body),
          credentials: 'omit',
          cache: 'no-store',
          signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
        });
        rememberDpopNonce(url, answer);
        return answer;
      } catch (e) {
        throw await this.networkFailure(url, startedAt, e);
      }
    };
    let res = await attempt();
    // The server wants a fresher proof: once more, signed with the nonce it just gave.
    if (dpop && isNonceChallenge(res)) res = await attempt();
    let json: unknown = null;
    try {
      json = await res.json();
    } catch {
      json = null;
    }
    if (!res.ok) {
      // Only a Keyhold server answers with its error shape; anything else at this address (a web
      // server's 404 page, a captive portal) is not one, whatever the status says.
      const error = (await schemas).errorResponse.safeParse(json);
      if (!error.success) {
        throw this.fail(
          GATEWAY_STATUSES.has(res.status) ? ErrorCode.ServerUnreachable : ErrorCode.NotKeyhold,
          res.status,
        );
      }
      const serverCode = error.data.error.code;
      const reason = error.data.error.reason;
      throw this.fail(
        statusToCode(res.status, serverCode),
        res.status,
        serverCode,
        {
          retryAfterSeconds: retryAfterSeconds(res.headers.get('retry-after'), Date.now()),
          // Why the server ended this device's session (SESSION_ENDED): words, never a secret.
          ...(reason !== undefined && /^[a-z-]{1,40}$/.test(reason) ? { endReason: reason } : {}),
        },
        error.data.error.field,
      );
    }
    if (schema === null) return null as z.output<Responses[K]>;
    // The name picks the schema; TypeScript cannot relate a generic key's entry to its output.
    const check = (await schemas)[schema] as unknown as z.ZodType<z.output<Responses[K]>>;
    const parsed = check.safeParse(json);
    if (!parsed.success) throw this.fail(ErrorCode.NotKeyhold, res.status, 'BAD_REPLY');
    return parsed.data;
  }

  /** No HTTP answer: a timeout, or what the browser's network stack says (TLS, or unreachable). */
  private async networkFailure(url: string, startedAt: number, e: unknown): Promise<ApiError> {
    if (e instanceof DOMException && e.name === 'TimeoutError')
      return this.fail(ErrorCode.ServerUnreachable, 0);
    const netError = await this.netErrors.find(url, startedAt, NET_ERROR_GRACE_MS);
    const detail = netError === null ? {} : { netError };
    return this.fail(
      netError !== null && isTlsError(netError) ? ErrorCode.TlsError : ErrorCode.ServerUnreachable,
      0,
      undefined,
      detail,
    );
  }

  /**
   * Is a Keyhold server answering at this address, and can we talk? Any 4xx (a Keyhold server
   * under another path answers its own NOT_FOUND) or a reply that is not a meta document is
   * NOT_KEYHOLD; a protocol out of range is SERVER_TOO_OLD / SERVER_TOO_NEW.
   */
  async checkServer(): Promise<ServerFacts> {
    let meta: z.output<Responses['metaResponse']>;
    try {
      meta = await this.call('metaResponse', 'GET', '/v1/meta');
    } catch (e) {
      if (e instanceof ApiError && e.status >= 400 && e.status < 500) {
        throw this.fail(ErrorCode.NotKeyhold, e.status, e.serverCode);
      }
      throw e;
    }
    const versions = { serverProtocol: meta.protocol, clientProtocol: CLIENT_PROTOCOL };
    if (meta.protocol.version < CLIENT_PROTOCOL.minServerVersion) {
      throw this.fail(ErrorCode.ServerTooOld, 200, undefined, versions);
    }
    if (meta.protocol.minClientVersion > CLIENT_PROTOCOL.version) {
      throw this.fail(ErrorCode.ServerTooNew, 200, undefined, versions);
    }
    // A server older than the policy publishes none: the schema's default stands in.
    return { policy: meta.policy };
  }

  prelogin(email: string) {
    return this.call('preloginResponse', 'POST', '/v1/accounts/prelogin', { email });
  }

  register(body: RegisterRequest) {
    return this.call('registerResponse', 'POST', '/v1/accounts', body);
  }

  /**
   * A new session, bound to a new DPoP key (kept once the server accepted it). Sends this device's
   * token for the email (lockout bypass) and keeps the new one it answers.
   */
  async login(body: LoginRequest) {
    const key = await createDpopKey();
    const deviceToken = body.deviceToken ?? (await deviceTokenFor(body.email));
    const reply = await this.call(
      'loginResponse',
      'POST',
      '/v1/sessions',
      { ...body, ...(deviceToken && { deviceToken }) },
      undefined,
      key,
    );
    await this.dpopKeys.adopt(key);
    await rememberDeviceToken(body.email, reply.deviceToken);
    return reply;
  }

  refresh(refreshToken: string) {
    return this.call('refreshResponse', 'POST', REFRESH_PATH, { refreshToken });
  }

  logout(accessToken: string) {
    return this.call(null, 'DELETE', '/v1/sessions/current', undefined, accessToken);
  }

  /** The account's live device sessions (names sealed by the devices), most recently seen first. */
  deviceSessions(accessToken: string) {
    return this.call('deviceSessionsResponse', 'GET', '/v1/sessions', undefined, accessToken);
  }

  /** Stores this device session's sealed name. */
  nameDeviceSession(accessToken: string, name: string) {
    return this.call(null, 'PUT', '/v1/sessions/current/name', { name }, accessToken);
  }

  /** Ends another device session of the account (remote logout). */
  endDeviceSession(accessToken: string, sessionId: string) {
    return this.call(null, 'DELETE', `/v1/sessions/${encodeURIComponent(sessionId)}`, undefined, accessToken);
  }

  /** Ends every device session of the account but this one. */
  endOtherDeviceSessions(accessToken: string) {
    return this.call('revokeOthersResponse', 'POST', '/v1/sessions/revoke-others', undefined, accessToken);
  }

  /** The account's keys as the server holds them: version, wrapped key, rotation, password history and age. */
  accountKeys(accessToken: string) {
    return this.call('accountKeysResponse', 'GET', '/v1/accounts/current', undefined, accessToken);
  }

  /** Swaps the master password's credentials (or only its KDF), proven by the current auth key. */
  changePassword(accessToken: string, body: ChangePasswordRequest) {
    return this.call('changePasswordResponse', 'POST', '/v1/accounts/current/password', body, accessToken);
  }

  /** Deletes every item and starts a fresh vault under new credentials and a new key version. */
  resetVault(accessToken: string, body: VaultResetRequest) {
    return this.call('vaultResetResponse', 'POST', '/v1/accounts/current/reset', body, accessToken);
  }

  /** Records an export this device made in the account's activity (format and item count only). */
  recordExport(accessToken: string, body: RecordExportRequest) {
    return this.call('recordExportResponse', 'POST', '/v1/accounts/current/exports', body, accessToken);
  }

  /** Deletes the account and everything of it; the auth key proves the master password again. */
  deleteAccount(accessToken: string, body: DeleteAccountRequest) {
    return this.call(null, 'DELETE', '/v1/accounts/current', body, accessToken);
  }

  pull(accessToken: string, since: number, limit = 1000) {
    return this.call(
      'changesResponse',
      'GET',
      `/v1/sync/changes?since=${since}&limit=${limit}`,
      undefined,
      accessToken,
    );
  }

  /**
   * `lineage`: the restore lineage the changes' base revisions come from (null: a database never
   * restored); the server refuses the push with LINEAGE_CHANGED when it has another. Omitted: not checked.
   */
  push(accessToken: string, changes: ItemChange[], lineage?: string | null) {
    const headers: Record<string, string> =
      lineage === undefined ? {} : { [LINEAGE_HEADER]: lineage ?? NO_LINEAGE };
    return this.call('pushResponse', 'POST', '/v1/sync/push', { changes }, accessToken, undefined, headers);
  }

  /** Records a pending rotation (201; 200 when the same one is already recorded). */
  startRotation(accessToken: string, body: StartRotationRequest) {
    return this.call('rotationResponse', 'POST', '/v1/accounts/current/rotation', body, accessToken);
  }

  /** Makes the pending rotation current; refused (409 ROTATION_INCOMPLETE) while items remain at older versions. */
  completeRotation(accessToken: string, body: CompleteRotationRequest) {
    return this.call('rotationResponse', 'POST', '/v1/accounts/current/rotation/complete', body, accessToken);
  }

  /** Stores a new recovery key's auth key and wrapped vault key, replacing any earlier one. */
  setRecoveryKey(accessToken: string, body: SetRecoveryKeyRequest) {
    return this.call(null, 'PUT', '/v1/accounts/current/recovery', body, accessToken);
  }

  /** Proves a recovery key (no session): the vault key wrapped by it. */
  recover(body: RecoveryRequest) {
    return this.call('recoveryResponse', 'POST', '/v1/accounts/recovery', body);
  }

  /** Sets a new master password with the recovery key's proof; answers like a login (a new session). */
  async completeRecovery(body: CompleteRecoveryRequest) {
    const key = await createDpopKey();
    const reply = await this.call(
      'loginResponse',
      'POST',
      '/v1/accounts/recovery/complete',
      body,
      undefined,
      key,
    );
    await this.dpopKeys.adopt(key);
    await rememberDeviceToken(body.email, reply.deviceToken);
    return reply;
  }

  /** One page of the account's own security events, newest first; `before` pages to older ones. */
  activity(accessToken: string, page: { before?: number | undefined; limit?: number | undefined } = {}) {
    const query = new URLSearchParams();
    if (page.before !== undefined) query.set('before', String(page.before));
    if (page.limit !== undefined) query.set('limit', String(page.limit));
    const search = query.toString();
    return this.call(
      'activityResponse',
      'GET',
      `/v1/activity${search ? `?${search}` : ''}`,
      undefined,
      accessToken,
    );
  }
}
