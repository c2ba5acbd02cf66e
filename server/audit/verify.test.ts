import canonicalize from 'canonicalize';
import { describe, expect, it } from 'vitest';
import {
  type ChainedEvent,
  chainEvent,
  checkpointHash,
  type EventInput,
  GENESIS_HASH,
  type SignedCheckpoint,
} from './chain.ts';
import { generateSigningKey, publicRecord, type SigningKey, signCheckpoint } from './signing.ts';
import { type ChainHead, verifyChain } from './verify.ts';

const A = '11111111-1111-4111-8111-111111111111';
const B = '22222222-2222-4222-8222-222222222222';

/** An in-memory log written the way the server writes one. */
function buildLog(count: number, options: { checkpointEvery?: number; keys?: SigningKey[] } = {}) {
  const keys = options.keys ?? [generateSigningKey()];
  const events: ChainedEvent[] = [];
  const checkpoints: SignedCheckpoint[] = [];
  const lastOf = new Map<string, ChainedEvent>();
  let head = { seq: 0, hash: GENESIS_HASH };
  for (let i = 0; i < count; i++) {
    const accountId = i % 3 === 2 ? null : i % 2 ? A : B;
    const input: EventInput = {
      at: new Date(Date.UTC(2030, 0, 1, 0, 0, i)),
      type: accountId ? 'login.succeeded' : 'login.failed',
      accountId,
      sessionId: null,
      requestId: `req-${i}`,
      ip: '127.0.0.1',
      payload: accountId ? { device: 'd' } : { reason: 'unknown-account' },
    };
    const last = accountId ? lastOf.get(accountId) : undefined;
    const event = chainEvent(
      input,
      head,
      last?.accountSeq ? { accountSeq: last.accountSeq, hash: last.hash } : null,
    );
    events.push(event);
    if (accountId) lastOf.set(accountId, event);
    head = { seq: event.seq, hash: event.hash };
    const every = options.checkpointEvery ?? 10;
    if (event.seq % every === 0) {
      const previous = checkpoints.at(-1);
      const key = keys[
        Math.min(keys.length - 1, Math.floor((checkpoints.length * keys.length) / (count / every)))
      ] as SigningKey;
      checkpoints.push(
        signCheckpoint(key, {
          seq: checkpoints.length + 1,
          at: input.at,
          lastEventSeq: event.seq,
          headHash: event.hash,
          prevCheckpointHash: previous ? checkpointHash(withoutSignature(previous)) : GENESIS_HASH,
        }),
      );
    }
  }
  const chainHead: ChainHead = {
    lastEventSeq: head.seq,
    hash: head.hash,
    prunedThroughSeq: 0,
    prunedThroughHash: GENESIS_HASH,
  };
  return { events, checkpoints, head: chainHead, keys: keys.map(publicRecord) };
}

const withoutSignature = ({ signature: _s, ...body }: SignedCheckpoint) => body;

async function* stream(events: ChainedEvent[]) {
  yield* events;
}

const verify = (log: ReturnType<typeof buildLog>) =>
  verifyChain({ keys: log.keys, checkpoints: log.checkpoints, head: log.head, events: stream(log.events) });

describe('audit chain verification', () => {
  it('uses RFC 8785 canonical JSON (sorted keys, ES number forms, minimal escapes)', () => {
    expect(canonicalize({ b: 1, a: [1e21, 0.1, -0], c: '\u20ac\n' })).toBe(
      '{"a":[1e+21,0.1,0],"b":1,"c":"€\\n"}',
    );
  });

  it('accepts an intact log, and an empty one', async () => {
    const report = await verify(buildLog(95));
    expect(report).toMatchObject({
      ok: true,
      events: 95,
      accounts: 2,
      checkpoints: 9,
      unsignedTail: 5,
      problem: null,
    });
    expect(await verify(buildLog(0))).toMatchObject({ ok: true, events: 0 });
  });

  it('finds an edited event and names it', async () => {
    const log = buildLog(40);
    log.events[16] = { ...(log.events[16] as ChainedEvent), ip: '10.0.0.9' };
    const report = await verify(log);
    expect(report.ok).toBe(false);
    expect(report.problem).toMatchObject({ eventSeq: 17 });
    expect(report.problem?.message).toContain('event 17 (login.succeeded) was altered');
  });

  it('finds an edited event whose hash was recomputed too: the next link breaks', async () => {
    const log = buildLog(40);
    const original = log.events[16] as ChainedEvent;
    const { hash: _h, ...rest } = original;
    const forged = chainEvent(
      { ...rest, payload: { device: 'forged' } },
      { seq: 16, hash: original.prevHash },
      null,
    );
    log.events[16] = {
      ...forged,
      accountSeq: original.accountSeq,
      accountPrevHash: original.accountPrevHash,
    };
    const { hash: _f, ...forgedBody } = log.events[16] as ChainedEvent;
    const { eventHash } = await import('./chain.ts');
    (log.events[16] as ChainedEvent).hash = eventHash(forgedBody);
    const report = await verify(log);
    expect(report.problem?.eventSeq).toBe(18);
    expect(report.problem?.message).toContain('does not follow event 17');
  });

  it('finds an event deleted from the middle', async () => {
    const log = buildLog(40);
    log.events.splice(21, 1);
    const report = await verify(log);
    expect(report.problem).toMatchObject({ eventSeq: 23 });
    expect(report.problem?.message).toContain('event 22 is missing');
  });

  it('finds events removed from the end after the last checkpoint (the head remembers)', async () => {
    const log = buildLog(45);
    log.events.length = 42;
    const report = await verify(log);
    expect(report.problem?.message).toContain('ends at event 42, but its head records event 45');
  });

  it('finds events removed from the end back past a checkpoint even when the head was rewritten', async () => {
    const log = buildLog(45);
    log.events.length = 35;
    const last = log.events.at(-1) as ChainedEvent;
    log.head = { ...log.head, lastEventSeq: last.seq, hash: last.hash };
    const report = await verify(log);
    expect(report.problem?.message).toContain('checkpoint 4 signed events up to 40');
  });

  it('still verifies checkpoints made before the signing key was rotated', async () => {
    const log = buildLog(100, { keys: [generateSigningKey(), generateSigningKey(), generateSigningKey()] });
    expect(new Set(log.checkpoints.map((c) => c.keyId)).size).toBe(3);
    expect(await verify(log)).toMatchObject({ ok: true, checkpoints: 10 });
    // …but not without the retired key.
    const withoutOld = { ...log, keys: log.keys.slice(1) };
    expect((await verify(withoutOld)).problem?.message).toMatch(/checkpoint 1 is signed by unknown key/);
  });

  it('refuses a checkpoint whose signature does not match, or that was dropped', async () => {
    const log = buildLog(50);
    log.checkpoints[2] = { ...(log.checkpoints[2] as SignedCheckpoint), lastEventSeq: 31 };
    expect((await verify(log)).problem?.message).toBe(
      'checkpoint 3: the signature does not match its contents',
    );
    const dropped = buildLog(50);
    dropped.checkpoints.splice(1, 1);
    expect((await verify(dropped)).problem?.message).toContain('checkpoints are missing');
  });

  it('verifies what remains after pruning up to a checkpoint, and only then', async () => {
    const log = buildLog(60);
    const anchor = log.checkpoints[2] as SignedCheckpoint; // through event 30
    const pruned = {
      ...log,
      events: log.events.slice(30),
      head: { ...log.head, prunedThroughSeq: 30, prunedThroughHash: anchor.headHash },
    };
    expect(await verify(pruned)).toMatchObject({ ok: true, events: 30 });
    const unanchored = {
      ...log,
      events: log.events.slice(25),
      head: { ...log.head, prunedThroughSeq: 25, prunedThroughHash: (log.events[24] as ChainedEvent).hash },
    };
    expect((await verify(unanchored)).problem?.message).toContain('no signed checkpoint vouches');
  });
});
