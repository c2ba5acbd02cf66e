import type { Logger } from 'pino';
import type { Db } from './db/client.ts';
import type { AuthLimits } from './limits/auth-limits.ts';
import type { Metrics } from './metrics.ts';
import type { TrustedProxies } from './middleware/client-ip.ts';
import type { ServerPolicy } from './policy.ts';
import type { PushHub } from './push/hub.ts';
import type { Keyring, TokenHasher } from './secrets/keyring.ts';
import type { SessionLimits } from './session-limits.ts';
import type { Scope } from './tokens.ts';

export interface AppDeps {
  db: Db;
  /** Resolves when the database answers; used by /health/ready. */
  ping: () => Promise<void>;
  logger: Logger;
  /** The pre-login seed: HMAC key of fake pre-login salts; never rotates (see server-secret.ts). */
  secret: string;
  /** SERVER_SECRET (+ previous): sign/verify MACs the server checks itself (secrets/keyring.ts). */
  keyring: Keyring;
  /** TOKEN_PEPPER (+ previous): how tokens are stored and looked up (tokens.ts lookupToken). */
  tokenHasher: TokenHasher;
  now?: () => Date;
  accessTokenTtlSeconds?: number;
  /** Per-IP requests per window on the auth routes (used when `limits` is not given). */
  authRateLimit?: { limit: number; windowMs: number };
  /** The limits and their shared store (server/limits); default: DEFAULT_LIMITS on `db` itself. */
  limits?: AuthLimits;
  /** TRUST_PROXY: proxies (addresses, CIDR ranges) whose X-Forwarded-For is believed; default none. */
  trustProxy?: readonly string[];
  /** This process's push hub (started); without it GET /v1/sync/events answers 503 NOT_READY. */
  push?: PushHub;
  /** Told after every committed audit event (the checkpoint writer counts them). */
  onAuditEvent?: () => void;
  /** The password policy (published in GET /v1/meta; its KDF floor enforced); default DEFAULT_POLICY. */
  policy?: ServerPolicy;
  /** Idle and absolute session limits and the per-account cap; default DEFAULT_SESSION_LIMITS. */
  sessionLimits?: SessionLimits;
  /**
   * The external origin (and path prefix) clients address, e.g. behind a reverse proxy: DPoP proofs'
   * `htu` is checked against it. Unset: the request's own scheme and host.
   */
  publicUrl?: string;
  /** Require a server nonce in DPoP proofs (RFC 9449 §8); default off. */
  dpopRequireNonce?: boolean;
  /** Where the app counts what it does (server/metrics.ts); without it nothing is counted. */
  metrics?: Metrics;
}

export type ResolvedDeps = Required<
  Omit<AppDeps, 'authRateLimit' | 'push' | 'onAuditEvent' | 'publicUrl' | 'limits' | 'trustProxy' | 'metrics'>
> &
  Pick<AppDeps, 'push' | 'onAuditEvent' | 'publicUrl' | 'metrics'> & {
    limits: AuthLimits;
    trustedProxies: TrustedProxies;
  };

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
