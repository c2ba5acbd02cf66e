import type { z } from 'zod';
import {
  preloginResponse,
  type RegisterRequest,
  registerResponse,
} from '../../server/routes/accounts-schema.ts';
import { type LoginRequest, loginResponse, refreshResponse } from '../../server/routes/sessions-schema.ts';
import {
  changesResponse,
  type Item,
  type PushRequest,
  pushResponse,
} from '../../server/routes/sync-schema.ts';
import { ErrorCode } from '../messaging/protocol.ts';

/** A failed call to the sync server, with the stable code the popup turns into words. */
export class ApiError extends Error {
  override readonly name = 'ApiError';
  constructor(
    readonly code: ErrorCode,
    readonly status: number,
    readonly serverCode?: string,
  ) {
    super(`Keyhold server call failed: ${serverCode ?? code} (${status})`);
  }
}

export type ServerItem = Item;
export type ItemChange = PushRequest['changes'][number];

const REQUEST_TIMEOUT_MS = 15_000;

const statusToCode = (status: number, serverCode: string | undefined): ErrorCode => {
  if (serverCode === 'INVALID_CREDENTIALS') return ErrorCode.InvalidCredentials;
  if (serverCode === 'ACCOUNT_EXISTS') return ErrorCode.AccountExists;
  if (status === 401) return ErrorCode.SessionExpired;
  if (status === 403) return ErrorCode.Forbidden;
  if (status === 429) return ErrorCode.RateLimited;
  if (status === 400 || status === 413) return ErrorCode.Validation;
  if (status === 404) return ErrorCode.NotFound;
  return ErrorCode.ServerError;
};

/** Thin typed wrapper over the wire protocol in docs/protocol.md. Tokens go only in Authorization. */
export class ApiClient {
  constructor(
    readonly baseUrl: string,
    private readonly fetchImpl: typeof fetch = (...args) => globalThis.fetch(...args),
  ) {}

  /** One request; a reply that does not match `schema` is a server error (the server is not trusted). */
  private async call<S extends z.ZodType>(
    schema: S | null,
    method: string,
    path: string,
    body?: unknown,
    token?: string,
  ): Promise<z.output<S>> {
    const headers: Record<string, string> = { accept: 'application/json' };
    if (body !== undefined) headers['content-type'] = 'application/json';
    if (token) headers.authorization = `Bearer ${token}`;
    let res: Response;
    try {
      res = await this.fetchImpl(`${this.baseUrl}${path}`, {
        method,
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
        credentials: 'omit',
        cache: 'no-store',
        signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
      });
    } catch {
      throw new ApiError(ErrorCode.ServerUnreachable, 0);
    }
    let json: unknown = null;
    try {
      json = await res.json();
    } catch {
      json = null;
    }
    if (!res.ok) {
      const serverCode =
        typeof json === 'object' && json !== null && 'error' in json
          ? String((json as { error: { code?: unknown } }).error.code ?? '')
          : undefined;
      throw new ApiError(statusToCode(res.status, serverCode), res.status, serverCode);
    }
    if (schema === null) return null as z.output<S>;
    const parsed = schema.safeParse(json);
    if (!parsed.success) throw new ApiError(ErrorCode.ServerError, res.status, 'BAD_REPLY');
    return parsed.data;
  }

  prelogin(email: string) {
    return this.call(preloginResponse, 'POST', '/v1/accounts/prelogin', { email });
  }

  register(body: RegisterRequest) {
    return this.call(registerResponse, 'POST', '/v1/accounts', body);
  }

  login(body: LoginRequest) {
    return this.call(loginResponse, 'POST', '/v1/sessions', body);
  }

  refresh(refreshToken: string) {
    return this.call(refreshResponse, 'POST', '/v1/sessions/refresh', { refreshToken });
  }

  logout(accessToken: string) {
    return this.call(null, 'DELETE', '/v1/sessions/current', undefined, accessToken);
  }

  pull(accessToken: string, since: number, limit = 1000) {
    return this.call(
      changesResponse,
      'GET',
      `/v1/sync/changes?since=${since}&limit=${limit}`,
      undefined,
      accessToken,
    );
  }

  push(accessToken: string, changes: ItemChange[]) {
    return this.call(pushResponse, 'POST', '/v1/sync/push', { changes }, accessToken);
  }
}
