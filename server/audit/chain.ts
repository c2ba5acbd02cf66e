import { createHash } from 'node:crypto';
import canonicalize from 'canonicalize';

/**
 * The audit log's hash chain (docs/audit.md). Every event is hashed over its RFC 8785 canonical
 * JSON, which includes the hash of the previous event in the server-wide chain and of the previous
 * event of the same account: editing, deleting or reordering any event breaks both chains.
 */

export const CHAIN_VERSION = 1;
/** The "previous hash" of the first event of a chain. */
export const GENESIS_HASH = '0'.repeat(64);

export type AuditPayload = Record<string, string | number | boolean | null>;

/** An event as it is stored and exported. `seq` numbers the server-wide chain from 1 without gaps. */
export interface ChainedEvent {
  seq: number;
  at: Date;
  type: string;
  accountId: string | null;
  sessionId: string | null;
  requestId: string | null;
  ip: string | null;
  payload: AuditPayload;
  /** Position in the account's chain (from 1), null for events without an account. */
  accountSeq: number | null;
  /** Hash of the account's previous event (GENESIS_HASH for its first), null without an account. */
  accountPrevHash: string | null;
  /** Hash of the previous event in the server-wide chain. */
  prevHash: string;
  hash: string;
}

export type UnhashedEvent = Omit<ChainedEvent, 'hash'>;

const sha256Hex = (text: string) => createHash('sha256').update(text, 'utf8').digest('hex');

/**
 * An event's hashed fields in their JSON form (dates as ISO 8601 with milliseconds): what
 * `canonicalEvent` hashes and what an export line carries, so the two can never drift apart.
 */
export const eventFields = (event: UnhashedEvent) => ({
  seq: event.seq,
  at: event.at.toISOString(),
  type: event.type,
  accountId: event.accountId,
  sessionId: event.sessionId,
  requestId: event.requestId,
  ip: event.ip,
  payload: event.payload,
  accountSeq: event.accountSeq,
  accountPrevHash: event.accountPrevHash,
  prevHash: event.prevHash,
});

/** A checkpoint's signed fields in their JSON form, likewise shared by signing and export. */
export const checkpointFields = (body: CheckpointBody) => ({
  seq: body.seq,
  at: body.at.toISOString(),
  lastEventSeq: body.lastEventSeq,
  headHash: body.headHash,
  prevCheckpointHash: body.prevCheckpointHash,
  keyId: body.keyId,
});

/** RFC 8785 canonical JSON of `value`. */
function canonical(value: object, what: string): string {
  const text = canonicalize(value);
  if (text === undefined) throw new TypeError(`${what} is not serialisable`);
  return text;
}

/** The exact bytes that are hashed: canonical JSON of every field but the hash itself. */
export const canonicalEvent = (event: UnhashedEvent): string =>
  canonical({ v: CHAIN_VERSION, ...eventFields(event) }, 'audit event');

export const eventHash = (event: UnhashedEvent): string => sha256Hex(canonicalEvent(event));

/** What a checkpoint signs: the server-wide chain's head at one moment, linked to the checkpoint before. */
export interface CheckpointBody {
  /** Numbers checkpoints from 1 without gaps. */
  seq: number;
  at: Date;
  /** The last event covered (0 when the log was empty) and its hash. */
  lastEventSeq: number;
  headHash: string;
  /** Hash of the previous checkpoint's canonical body (GENESIS_HASH for the first). */
  prevCheckpointHash: string;
  keyId: string;
}

export interface SignedCheckpoint extends CheckpointBody {
  /** Ed25519 signature over canonicalCheckpoint(body), base64url. */
  signature: string;
}

export const canonicalCheckpoint = (body: CheckpointBody): string =>
  canonical(
    { v: CHAIN_VERSION, kind: 'keyhold-audit-checkpoint', ...checkpointFields(body) },
    'audit checkpoint',
  );

export const checkpointHash = (body: CheckpointBody): string => sha256Hex(canonicalCheckpoint(body));

/** What the caller of the audit log says about an event; the chain fields are filled in by `chainEvent`. */
export interface EventInput {
  at: Date;
  type: string;
  accountId: string | null;
  sessionId: string | null;
  requestId: string | null;
  ip: string | null;
  payload: AuditPayload;
}

/**
 * The next event of the chain, given the server-wide head (seq 0 and GENESIS_HASH when empty)
 * and, for an account's event, that account's last event (null for its first).
 */
export function chainEvent(
  input: EventInput,
  head: { seq: number; hash: string },
  accountLast: { accountSeq: number; hash: string } | null,
): ChainedEvent {
  const unhashed: UnhashedEvent = {
    seq: head.seq + 1,
    ...input,
    accountSeq: input.accountId === null ? null : (accountLast?.accountSeq ?? 0) + 1,
    accountPrevHash: input.accountId === null ? null : (accountLast?.hash ?? GENESIS_HASH),
    prevHash: head.hash,
  };
  return { ...unhashed, hash: eventHash(unhashed) };
}
