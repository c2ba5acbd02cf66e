/**
 * Every type of audit event (docs/audit.md, "What is recorded"). Plain data so the extension can
 * import it (its activity screen words each one) without pulling in server code.
 */
export const auditEventTypes = [
  'account.created',
  'account.deleted',
  'account.locked',
  'login.succeeded',
  'login.failed',
  'rate.limited',
  'refresh.reused',
  'session.revoked',
  'token.expired',
  'push.refused',
  'push.conflict-storm',
  'recovery.key-created',
  'recovery.failed',
  'account.recovered',
  'password.changed',
  'kdf.upgraded',
  'key.rotation-started',
  'key.rotated',
  'vault.reset',
  'vault.exported',
  'database.restored',
] as const;
export type AuditEventType = (typeof auditEventTypes)[number];
