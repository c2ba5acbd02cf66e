import type { Logger } from 'pino';
import type { Db } from './db/client.ts';
import type { ServerPolicy } from './policy.ts';
import type { PushHub } from './push/hub.ts';
import type { Scope } from './tokens.ts';

export interface AppDeps {
  db: Db;
  /** Resolves when the database answers; used by /health/ready. */
  ping: () => Promise<void>;
  logger: Logger;
  /** HMAC key for fake pre-login salts (see server-secret.ts). */
  secret: string;
  now?: () => Date;
  accessTokenTtlSeconds?: number;
  /** Per-IP fixed window on the unauthenticated auth routes. */
  authRateLimit?: { limit: number; windowMs: number };
  /** This process's push hub (started); without it GET /v1/sync/events answers 503 NOT_READY. */
  push?: PushHub;
  /** Told after every committed audit event (the checkpoint writer counts them). */
  onAuditEvent?: () => void;
  /** The password policy (published in GET /v1/meta; its KDF floor enforced); default DEFAULT_POLICY. */
  policy?: ServerPolicy;
}

export type ResolvedDeps = Required<Omit<AppDeps, 'authRateLimit' | 'push' | 'onAuditEvent'>> &
  Pick<AppDeps, 'push' | 'onAuditEvent'>;

export interface AuthContext {
  accountId: string;
  sessionId: string;
  scopes: readonly Scope[];
  /** When the presented access token expires (an event stream is closed then). */
  expiresAt: Date;
  /**
   * The account's revision read in the same statement as the token: a "nothing changed" poll
   * answers from it without a second query.
   */
  accountRevision: number;
}

export type AppEnv = {
  Variables: { deps: ResolvedDeps; auth: AuthContext; requestId: string };
};
