/**
 * How long a device session lives and how many an account may hold (docs/sessions.md, "Devices and
 * expiry"). Plain data and pure functions: the routes and the auth middleware apply them.
 */

export interface SessionLimits {
  /** A session unused for this many days ends (reason `idle`). */
  idleDays: number;
  /** A session ends this many days after sign-in whatever its use (reason `absolute`). */
  absoluteDays: number;
  /** Live sessions per account; a sign-in beyond it ends the least recently seen (`session-cap`). */
  maxPerAccount: number;
}

export const DEFAULT_SESSION_LIMITS: SessionLimits = { idleDays: 14, absoluteDays: 30, maxPerAccount: 5 };

/** Why a device session ended: stored in `device_sessions.revoked_reason` and told to that device. */
export const sessionEndReasons = [
  'logout',
  'remote-logout',
  'others-logged-out',
  'idle',
  'absolute',
  'session-cap',
  'password-change',
  'recovery',
  'key-rotation',
  'vault-reset',
  'refresh-reuse',
  'account-deleted',
  'operator',
] as const;
export type SessionEndReason = (typeof sessionEndReasons)[number];

export const isSessionEndReason = (value: unknown): value is SessionEndReason =>
  typeof value === 'string' && (sessionEndReasons as readonly string[]).includes(value);

/** `last_seen_at` is written at most this often per session, so the auth path stays read-only. */
export const LAST_SEEN_RESOLUTION_MS = 60_000;

/**
 * How long after a refresh token was used the same token is still accepted once more (a retry whose
 * answer was lost, or a second refresh sent at the same instant): docs/sessions.md.
 */
export const REFRESH_GRACE_MS = 30_000;

const DAY_MS = 24 * 60 * 60 * 1000;

export interface SessionTimes {
  createdAt: Date;
  lastSeenAt: Date;
}

/** When the session ends unless it is used meanwhile: the earlier of its idle and absolute limits. */
export function sessionExpiresAt(limits: SessionLimits, session: SessionTimes): Date {
  return new Date(Math.min(idleEnd(limits, session), absoluteEnd(limits, session.createdAt).getTime()));
}

/** The moment the absolute limit ends a session begun at `createdAt` (no token outlives it). */
export const absoluteEnd = (limits: SessionLimits, createdAt: Date) =>
  new Date(createdAt.getTime() + limits.absoluteDays * DAY_MS);

const idleEnd = (limits: SessionLimits, session: SessionTimes) =>
  session.lastSeenAt.getTime() + limits.idleDays * DAY_MS;

/** The limit a use at `at` finds exceeded, or null while the session may be used. */
export function limitExceeded(
  limits: SessionLimits,
  session: SessionTimes,
  at: Date,
): 'idle' | 'absolute' | null {
  if (absoluteEnd(limits, session.createdAt).getTime() <= at.getTime()) return 'absolute';
  if (idleEnd(limits, session) <= at.getTime()) return 'idle';
  return null;
}

/** Whether a use at `at` should record itself in `last_seen_at` (stale by a minute or more). */
export const lastSeenStale = (lastSeenAt: Date, at: Date) =>
  at.getTime() - lastSeenAt.getTime() >= LAST_SEEN_RESOLUTION_MS;

/**
 * When a use at `at` is written to `last_seen_at`, as a database condition (keyhold_authorize): the
 * stored value is at least a minute old (lastSeenStale) and the session is within both its limits
 * (limitExceeded is null) — a session past one is ended instead, never touched.
 */
export function touchWindow(limits: SessionLimits, at: Date) {
  return {
    until: new Date(at.getTime() - LAST_SEEN_RESOLUTION_MS),
    idleAfter: new Date(at.getTime() - limits.idleDays * DAY_MS),
    absoluteAfter: new Date(at.getTime() - limits.absoluteDays * DAY_MS),
  };
}
