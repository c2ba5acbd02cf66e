import { once } from 'node:events';
import { createReadStream, createWriteStream } from 'node:fs';
import { rename, rm } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import { finished } from 'node:stream/promises';
import { z } from 'zod';
import { type ChainedEvent, checkpointFields, eventFields, type SignedCheckpoint } from './chain.ts';
import type { PublicKeyRecord } from './signing.ts';
import type { ChainHead } from './verify.ts';

/**
 * The audit log's export (docs/audit.md, "Export format"): JSON lines, in this order — one head
 * line, then every public key, every checkpoint, every event by seq. Dates are ISO 8601 UTC with
 * milliseconds, the form the hashes cover, so reading a line back gives the exact values hashed.
 */

export const EXPORT_FORMAT = 'keyhold-audit-export';
export const EXPORT_VERSION = 1;

export interface ExportedKey extends PublicKeyRecord {
  createdAt: Date;
}

export const headLine = (head: ChainHead, exportedAt: Date): string =>
  JSON.stringify({
    kind: 'head',
    format: EXPORT_FORMAT,
    v: EXPORT_VERSION,
    exportedAt: exportedAt.toISOString(),
    lastEventSeq: head.lastEventSeq,
    hash: head.hash,
    prunedThroughSeq: head.prunedThroughSeq,
    prunedThroughHash: head.prunedThroughHash,
  });

export const keyLine = (key: ExportedKey): string =>
  JSON.stringify({
    kind: 'key',
    keyId: key.keyId,
    publicKey: key.publicKey,
    createdAt: key.createdAt.toISOString(),
  });

export const checkpointLine = (cp: SignedCheckpoint): string =>
  JSON.stringify({ kind: 'checkpoint', ...checkpointFields(cp), signature: cp.signature });

export const eventLine = (event: ChainedEvent): string =>
  JSON.stringify({ kind: 'event', ...eventFields(event), hash: event.hash });

/** Lines are written in chunks of about this many characters. */
const CHUNK = 1 << 20;

export interface ExportCounts {
  keys: number;
  checkpoints: number;
  events: number;
}

/**
 * Writes `log` to `path` as an export, streaming the events. The file appears under its name only
 * once complete (written beside it, then renamed); it holds IP addresses, so only its owner may
 * read it (mode 0600).
 */
export async function writeExport(
  log: {
    head: ChainHead;
    keys: readonly ExportedKey[];
    checkpoints: readonly SignedCheckpoint[];
    events: AsyncIterable<ChainedEvent>;
  },
  path: string,
  exportedAt: Date,
): Promise<ExportCounts> {
  const partial = `${path}.partial`;
  const out = createWriteStream(partial, { flags: 'w', mode: 0o600, encoding: 'utf8' });
  // An unwritable path fails here, before a single event is read.
  await once(out, 'open');
  let failure: unknown;
  out.on('error', (error) => {
    failure ??= error;
  });
  let chunk = '';
  const write = async (line: string) => {
    chunk += `${line}\n`;
    if (chunk.length < CHUNK) return;
    const full = chunk;
    chunk = '';
    if (failure) throw failure;
    // `once` rejects should the stream fail while we wait.
    if (!out.write(full)) await once(out, 'drain');
  };
  const counts: ExportCounts = { keys: log.keys.length, checkpoints: log.checkpoints.length, events: 0 };
  try {
    await write(headLine(log.head, exportedAt));
    for (const key of log.keys) await write(keyLine(key));
    for (const cp of log.checkpoints) await write(checkpointLine(cp));
    for await (const event of log.events) {
      await write(eventLine(event));
      counts.events += 1;
    }
    out.end(chunk);
    await finished(out);
    if (failure) throw failure;
    await rename(partial, path);
  } catch (error) {
    out.destroy();
    await rm(partial, { force: true });
    throw error;
  }
  return counts;
}

/** A line of an export that is not what the format says; `line` counts from 1. */
export class ExportFormatError extends Error {
  override readonly name = 'ExportFormatError';
  readonly code = 'BAD_EXPORT';
  constructor(
    readonly line: number,
    message: string,
  ) {
    super(`line ${line}: ${message}`);
  }
}

/**
 * Exactly the form `Date.prototype.toISOString` writes: any other spelling of the same instant
 * would hash differently from what the server hashed, so it is refused rather than normalised.
 */
const isoDate = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/, 'must be an ISO 8601 UTC time with milliseconds')
  // Date would read 2030-02-31 as March 3rd: only a date that writes back the same is one.
  .refine((text) => {
    const date = new Date(text);
    return !Number.isNaN(date.getTime()) && date.toISOString() === text;
  }, 'is not a valid date')
  .transform((text) => new Date(text));

const seq = z.number().int().min(1).max(Number.MAX_SAFE_INTEGER);
const count = z.number().int().min(0).max(Number.MAX_SAFE_INTEGER);
const nullableText = z.string().nullable();

/*
 * Hashes and signatures are checked by the verifier, not here: a log whose hash was edited is a
 * broken chain to be named, not a malformed file. Types and shapes are checked here, strictly —
 * a field the hash does not cover has no place in the file.
 */
const headRecord = z.strictObject({
  kind: z.literal('head'),
  format: z.literal(EXPORT_FORMAT),
  v: z.literal(EXPORT_VERSION),
  exportedAt: isoDate,
  lastEventSeq: count,
  hash: z.string(),
  prunedThroughSeq: count,
  prunedThroughHash: z.string(),
});

const keyRecord = z.strictObject({
  kind: z.literal('key'),
  keyId: z.string(),
  publicKey: z.string(),
  createdAt: isoDate,
});

const checkpointRecord = z.strictObject({
  kind: z.literal('checkpoint'),
  seq,
  at: isoDate,
  lastEventSeq: count,
  headHash: z.string(),
  prevCheckpointHash: z.string(),
  keyId: z.string(),
  signature: z.string(),
});

const eventRecord = z.strictObject({
  kind: z.literal('event'),
  seq,
  at: isoDate,
  type: z.string(),
  accountId: nullableText,
  sessionId: nullableText,
  requestId: nullableText,
  ip: nullableText,
  payload: z.record(z.string(), z.union([z.string(), z.number(), z.boolean(), z.null()])),
  accountSeq: seq.nullable(),
  accountPrevHash: nullableText,
  prevHash: z.string(),
  hash: z.string(),
});

const record = z.discriminatedUnion('kind', [headRecord, keyRecord, checkpointRecord, eventRecord]);
type ExportRecord = z.output<typeof record>;

/** Where each kind of line may appear: the order of this list. */
const order = ['head', 'key', 'checkpoint', 'event'] as const;

function parseLine(text: string, line: number): ExportRecord {
  if (text.trim() === '') throw new ExportFormatError(line, 'empty line');
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new ExportFormatError(line, 'not JSON');
  }
  const result = record.safeParse(json);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  // Names the field and what is wrong with it; never echoes the value.
  const where = issue?.path.length ? issue.path.join('.') : 'record';
  throw new ExportFormatError(line, `${where} ${issue?.message ?? 'is invalid'}`);
}

export interface ExportedLog {
  head: ChainHead;
  exportedAt: Date;
  keys: ExportedKey[];
  checkpoints: SignedCheckpoint[];
  /** Read from the file as they are consumed; one pass only. */
  events: AsyncIterable<ChainedEvent>;
}

/**
 * Reads an export: the head, keys and checkpoints now, the events as a stream. Throws
 * ExportFormatError for a line out of place or not in the format; the caller must consume
 * `events` before calling `close`.
 */
export async function openExport(path: string): Promise<ExportedLog & { close(): void }> {
  const input = createReadStream(path, { encoding: 'utf8' });
  // Surfaces ENOENT / EISDIR before any reading starts, instead of as an unhandled stream error.
  await new Promise<void>((resolve, reject) => {
    input.once('ready', () => resolve());
    input.once('error', reject);
  });
  const reader = createInterface({ input, crlfDelay: Number.POSITIVE_INFINITY });
  const lines = reader[Symbol.asyncIterator]();
  let lineNo = 0;
  let rank = -1;
  const next = async (): Promise<ExportRecord | null> => {
    const step = await lines.next();
    if (step.done) return null;
    lineNo += 1;
    const parsed = parseLine(step.value, lineNo);
    const at = order.indexOf(parsed.kind);
    if (parsed.kind === 'head' ? lineNo !== 1 : lineNo === 1)
      throw new ExportFormatError(lineNo, 'the head line must be the first line, and only it');
    if (at < rank)
      throw new ExportFormatError(lineNo, `a ${parsed.kind} line after the ${order[rank]} lines`);
    rank = at;
    return parsed;
  };

  const first = await next();
  if (!first) throw new ExportFormatError(1, 'the file is empty: an export starts with its head line');
  if (first.kind !== 'head') throw new ExportFormatError(1, 'the head line must be the first line');
  const { kind: _h, format: _f, v: _v, exportedAt, ...head } = first;
  const keys: ExportedKey[] = [];
  const checkpoints: SignedCheckpoint[] = [];
  let pending: ExportRecord | null = await next();
  for (; pending && pending.kind !== 'event'; pending = await next()) {
    if (pending.kind === 'key') {
      const { kind: _k, ...key } = pending;
      keys.push(key);
    } else if (pending.kind === 'checkpoint') {
      const { kind: _c, ...cp } = pending;
      checkpoints.push(cp);
    }
  }
  const firstEvent = pending;
  async function* events(): AsyncGenerator<ChainedEvent> {
    for (let r: ExportRecord | null = firstEvent; r; r = await next()) {
      // `next` lets nothing but events through once the first event was read.
      if (r.kind !== 'event') continue;
      const { kind: _e, ...event } = r;
      yield event;
    }
  }
  return {
    head,
    exportedAt,
    keys,
    checkpoints,
    events: events(),
    close: () => {
      reader.close();
      input.destroy();
    },
  };
}
