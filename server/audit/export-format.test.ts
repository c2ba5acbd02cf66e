import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ChainedEvent, chainEvent, GENESIS_HASH } from './chain.ts';
import {
  checkpointLine,
  EXPORT_FORMAT,
  ExportFormatError,
  eventLine,
  headLine,
  keyLine,
  openExport,
  writeExport,
} from './export-format.ts';
import { generateSigningKey, publicRecord, signCheckpoint } from './signing.ts';
import { verifyChain } from './verify.ts';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'keyhold-export-format-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

const ACCOUNT = '11111111-1111-4111-8111-111111111111';

/** Three events (one without an account, payload values of every kind) and a checkpoint over them. */
function smallLog() {
  const key = generateSigningKey();
  const events: ChainedEvent[] = [];
  let head = { seq: 0, hash: GENESIS_HASH };
  let last: { accountSeq: number; hash: string } | null = null;
  for (let i = 0; i < 3; i++) {
    const accountId = i === 1 ? null : ACCOUNT;
    const event = chainEvent(
      {
        at: new Date(Date.UTC(2030, 0, 1, 12, 0, i, 7)),
        type: i === 1 ? 'login.failed' : 'login.succeeded',
        accountId,
        sessionId: null,
        requestId: `req-${i}`,
        ip: i === 2 ? '2001:db8::1' : null,
        payload: { count: i, ratio: 0.1 * i, ok: i !== 1, note: 'é"\\\n', none: null },
      },
      head,
      accountId ? last : null,
    );
    events.push(event);
    head = { seq: event.seq, hash: event.hash };
    if (accountId) last = { accountSeq: event.accountSeq ?? 0, hash: event.hash };
  }
  const checkpoint = signCheckpoint(key, {
    seq: 1,
    at: new Date(Date.UTC(2030, 0, 1, 12, 1)),
    lastEventSeq: 3,
    headHash: head.hash,
    prevCheckpointHash: GENESIS_HASH,
  });
  return {
    head: { lastEventSeq: 3, hash: head.hash, prunedThroughSeq: 0, prunedThroughHash: GENESIS_HASH },
    keys: [{ ...publicRecord(key), createdAt: new Date(Date.UTC(2029, 11, 31)) }],
    checkpoints: [checkpoint],
    events,
  };
}

async function* stream<T>(items: readonly T[]) {
  yield* items;
}

const lines = (log: ReturnType<typeof smallLog>) => [
  headLine(log.head, new Date(Date.UTC(2030, 0, 2))),
  ...log.keys.map(keyLine),
  ...log.checkpoints.map(checkpointLine),
  ...log.events.map(eventLine),
];

/** Writes `text` to a file and reads it as an export, to the last event. */
async function read(text: string) {
  const path = join(dir, `case-${Math.random().toString(36).slice(2)}.jsonl`);
  await writeFile(path, text);
  const log = await openExport(path);
  try {
    const events: ChainedEvent[] = [];
    for await (const event of log.events) events.push(event);
    return { ...log, events };
  } finally {
    log.close();
  }
}

const refusal = (text: string) =>
  read(text).then(
    () => 'accepted',
    (error: unknown) => (error instanceof ExportFormatError ? error.message : `other: ${String(error)}`),
  );

describe('audit export format', () => {
  it('writes a file that reads back to the same values, and verifies', async () => {
    const log = smallLog();
    const path = join(dir, 'written.jsonl');
    const counts = await writeExport({ ...log, events: stream(log.events) }, path, new Date());
    expect(counts).toEqual({ keys: 1, checkpoints: 1, events: 3 });
    expect((await stat(path)).mode & 0o777).toBe(0o600);
    const text = await readFile(path, 'utf8');
    expect(text.endsWith('\n')).toBe(true);
    const back = await read(text);
    expect(back.head).toEqual(log.head);
    expect(back.keys).toEqual(log.keys);
    expect(back.checkpoints).toEqual(log.checkpoints);
    expect(back.events).toEqual(log.events);
    expect(await verifyChain({ ...back, events: stream(back.events), keys: back.keys })).toMatchObject({
      ok: true,
      events: 3,
      accounts: 1,
    });
  });

  it('leaves nothing under the name when writing fails', async () => {
    const log = smallLog();
    const path = join(dir, 'failed.jsonl');
    async function* failing() {
      yield log.events[0] as ChainedEvent;
      throw new Error('the database went away');
    }
    await expect(writeExport({ ...log, events: failing() }, path, new Date())).rejects.toThrow('went away');
    await expect(stat(path)).rejects.toMatchObject({ code: 'ENOENT' });
    await expect(stat(`${path}.partial`)).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('fails on an unwritable path before reading any event', async () => {
    const log = smallLog();
    let read = 0;
    async function* counted() {
      for (const event of log.events) {
        read += 1;
        yield event;
      }
    }
    const path = join(dir, 'no-such-directory', 'out.jsonl');
    await expect(writeExport({ ...log, events: counted() }, path, new Date())).rejects.toMatchObject({
      code: 'ENOENT',
    });
    expect(read).toBe(0);
  });

  it('reads an export of an empty log: the head line alone', async () => {
    const head = {
      lastEventSeq: 0,
      hash: GENESIS_HASH,
      prunedThroughSeq: 0,
      prunedThroughHash: GENESIS_HASH,
    };
    const back = await read(`${headLine(head, new Date())}\n`);
    expect(back).toMatchObject({ head, keys: [], checkpoints: [], events: [] });
  });

  it('refuses a file out of order or not in the format, naming the line', async () => {
    const good = lines(smallLog());
    const [head = '', key = '', checkpoint = '', event = ''] = good;
    const edit = (line: string, change: Record<string, unknown>) =>
      JSON.stringify({ ...JSON.parse(line), ...change });

    expect(await refusal('')).toBe('line 1: the file is empty: an export starts with its head line');
    expect(await refusal(`${key}\n${head}\n`)).toBe(
      'line 1: the head line must be the first line, and only it',
    );
    expect(await refusal(`${head}\n${head}\n`)).toBe(
      'line 2: the head line must be the first line, and only it',
    );
    expect(await refusal(`${head}\n${checkpoint}\n${key}\n`)).toBe(
      'line 3: a key line after the checkpoint lines',
    );
    expect(await refusal(`${head}\n${key}\n${event}\n${checkpoint}\n`)).toBe(
      'line 4: a checkpoint line after the event lines',
    );
    expect(await refusal(`${head}\n\n${key}\n`)).toBe('line 2: empty line');
    expect(await refusal(`${head}\n{"kind":"event",\n`)).toBe('line 2: not JSON');
    expect(await refusal(`${edit(head, { format: 'other' })}\n`)).toBe(
      `line 1: format Invalid input: expected "${EXPORT_FORMAT}"`,
    );
    expect(await refusal(`${edit(head, { v: 2 })}\n`)).toBe('line 1: v Invalid input: expected 1');
    expect(await refusal(`${head}\n${edit(event, { note: 'not hashed' })}\n`)).toBe(
      'line 2: record Unrecognized key: "note"',
    );
    expect(await refusal(`${head}\n${edit(event, { kind: 'comment' })}\n`)).toMatch(/^line 2: kind /);
    // Another spelling of the same instant would not hash to what the server hashed.
    expect(await refusal(`${head}\n${edit(event, { at: '2030-01-01T12:00:00.007+00:00' })}\n`)).toBe(
      'line 2: at must be an ISO 8601 UTC time with milliseconds',
    );
    expect(await refusal(`${head}\n${edit(event, { at: '2030-02-31T12:00:00.000Z' })}\n`)).toBe(
      'line 2: at is not a valid date',
    );
    expect(await refusal(`${head}\n${edit(event, { seq: 1.5 })}\n`)).toMatch(/^line 2: seq /);
    expect(await refusal(`${head}\n${edit(event, { payload: { nested: { a: 1 } } })}\n`)).toMatch(
      /^line 2: payload\.nested /,
    );
  });

  it('reads and verifies the example in docs/audit.md', async () => {
    const doc = await readFile(new URL('../../docs/audit.md', import.meta.url), 'utf8');
    const example = /```jsonl\n([\s\S]*?)```/.exec(doc)?.[1];
    expect(example).toBeDefined();
    const back = await read(example ?? '');
    expect(await verifyChain({ ...back, events: stream(back.events) })).toMatchObject({
      ok: true,
      events: 2,
      checkpoints: 1,
    });
  });

  it('takes CRLF line ends and a missing final newline', async () => {
    const log = smallLog();
    const back = await read(lines(log).join('\r\n'));
    expect(back.events).toEqual(log.events);
  });
});
