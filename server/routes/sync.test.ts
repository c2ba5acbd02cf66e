import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createTestApp, envelope } from '../test-support/app.ts';
import { createTestDatabase, type TestDatabase } from '../test-support/db.ts';
import { changesResponse, type ItemChange, pushResponse } from './sync-schema.ts';

let testDb: TestDatabase;
beforeAll(async () => {
  testDb = await createTestDatabase();
});
afterAll(() => testDb.dispose());
beforeEach(() => testDb.truncate());

async function setup() {
  const t = createTestApp(testDb.database);
  const user = await t.signUp();
  const push = async (changes: ItemChange[], token = user.accessToken) => {
    const res = await t.call('POST', '/v1/sync/push', { token, body: { changes } });
    expect(res.status).toBe(200);
    return pushResponse.parse(await res.json());
  };
  const pull = async (since: number, limit?: number, token = user.accessToken) => {
    const res = await t.call('GET', `/v1/sync/changes?since=${since}${limit ? `&limit=${limit}` : ''}`, {
      token,
    });
    expect(res.status).toBe(200);
    return changesResponse.parse(await res.json());
  };
  /** A second device session of the same account. */
  const login = async (account: { email: string; authKey: string }) => {
    const res = await t.call('POST', '/v1/sessions', {
      body: { email: account.email, authKey: account.authKey, deviceName: 'second device' },
    });
    expect(res.status).toBe(200);
    return (await res.json()) as { accessToken: string };
  };
  return { ...t, user, push, pull, login };
}

const change = (overrides: Partial<ItemChange> = {}): ItemChange => ({
  id: randomUUID(),
  baseRevision: 0,
  deleted: false,
  keyVersion: 1,
  ciphertext: envelope(),
  ...overrides,
});

describe('sync push and pull', () => {
  it('applies new items with strictly increasing revisions and pulls them back', async () => {
    const { push, pull } = await setup();
    const a = change();
    const b = change();
    const first = await push([a, b]);
    expect(first).toEqual({
      revision: 2,
      results: [
        { id: a.id, status: 'applied', revision: 1 },
        { id: b.id, status: 'applied', revision: 2 },
      ],
    });
    const c = change();
    expect((await push([c])).revision).toBe(3);
    const all = await pull(0);
    expect(all.revision).toBe(3);
    expect(all.hasMore).toBe(false);
    expect(all.items.map((i) => [i.id, i.revision, i.ciphertext])).toEqual([
      [a.id, 1, a.ciphertext],
      [b.id, 2, b.ciphertext],
      [c.id, 3, c.ciphertext],
    ]);
  });

  it('pull since R returns only newer changes; nothing changed → empty', async () => {
    const { push, pull } = await setup();
    const a = change();
    await push([a, change()]);
    await push([{ ...a, baseRevision: 1, ciphertext: envelope() }]);
    const since2 = await pull(2);
    expect(since2.items.map((i) => [i.id, i.revision])).toEqual([[a.id, 3]]);
    expect(await pull(3)).toEqual({ revision: 3, items: [], hasMore: false });
    expect(await pull(99)).toEqual({ revision: 3, items: [], hasMore: false });
  });

  it('pages with limit and hasMore', async () => {
    const { push, pull } = await setup();
    await push(Array.from({ length: 5 }, () => change()));
    const page1 = await pull(0, 2);
    expect(page1.items.map((i) => i.revision)).toEqual([1, 2]);
    expect(page1.hasMore).toBe(true);
    const page3 = await pull(4, 2);
    expect(page3.items.map((i) => i.revision)).toEqual([5]);
    expect(page3.hasMore).toBe(false);
  });

  it('reports a stale base as a conflict carrying the current copy, and changes nothing', async () => {
    const { push, pull } = await setup();
    const item = change();
    await push([item]);
    const newer = { ...item, baseRevision: 1, ciphertext: envelope() };
    await push([newer]);
    const stale = { ...item, baseRevision: 1, ciphertext: envelope() };
    const res = await push([stale]);
    expect(res.revision).toBe(2);
    expect(res.results).toEqual([
      {
        id: item.id,
        status: 'conflict',
        current: expect.objectContaining({
          id: item.id,
          revision: 2,
          ciphertext: newer.ciphertext,
          deleted: false,
        }),
      },
    ]);
    expect((await pull(0)).items.map((i) => i.ciphertext)).toEqual([newer.ciphertext]);
  });

  it('treats a non-zero base for an unknown item as a conflict with current null', async () => {
    const { push } = await setup();
    const item = change({ baseRevision: 7 });
    expect((await push([item])).results).toEqual([{ id: item.id, status: 'conflict', current: null }]);
  });

  it('is idempotent: re-pushing an applied change reports its revision and does not bump', async () => {
    const { push, pull } = await setup();
    const item = change();
    await push([item]);
    const retry = await push([item]);
    expect(retry).toEqual({ revision: 1, results: [{ id: item.id, status: 'applied', revision: 1 }] });
    const edit = { ...item, baseRevision: 1, ciphertext: envelope() };
    await push([edit]);
    expect((await push([edit])).results).toEqual([{ id: item.id, status: 'applied', revision: 2 }]);
    expect((await pull(0)).items).toHaveLength(1);
  });

  it('keeps tombstones: a delete is a new revision with null ciphertext', async () => {
    const { push, pull } = await setup();
    const item = change();
    await push([item]);
    const del = await push([{ ...item, baseRevision: 1, deleted: true, ciphertext: null }]);
    expect(del.results).toEqual([{ id: item.id, status: 'applied', revision: 2 }]);
    const pulled = await pull(1);
    expect(pulled.items).toEqual([
      expect.objectContaining({ id: item.id, revision: 2, deleted: true, ciphertext: null }),
    ]);
  });

  it('isolates accounts: the same item id under B is a different item; B never sees A', async () => {
    const { push, pull, signUp } = await setup();
    const b = await signUp();
    const item = change();
    await push([item]);
    // B pushing the same id with base 0 creates B's own item; A's copy is untouched.
    const bCopy = { ...item, ciphertext: envelope() };
    expect((await push([bCopy], b.accessToken)).results).toEqual([
      { id: item.id, status: 'applied', revision: 1 },
    ]);
    const bPull = await pull(0, undefined, b.accessToken);
    expect(bPull.items.map((i) => i.ciphertext)).toEqual([bCopy.ciphertext]);
    const aPull = await pull(0);
    expect(aPull.items.map((i) => i.ciphertext)).toEqual([item.ciphertext]);
    // B's stale overwrite attempt on "A's" id only ever conflicts with B's own copy.
    const attack = await push([{ ...item, baseRevision: 0, ciphertext: envelope() }], b.accessToken);
    expect(attack.results[0]).toMatchObject({
      status: 'conflict',
      current: { ciphertext: bCopy.ciphertext },
    });
  });

  it('serialises concurrent pushes: revisions stay unique and gap-free', async () => {
    const { push, pull } = await setup();
    await Promise.all(Array.from({ length: 5 }, () => push([change(), change()])));
    const all = await pull(0);
    expect(all.items.map((i) => i.revision)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
  });
});

describe('sync input validation', () => {
  it('names the bad field in a push', async () => {
    const { call, user } = await setup();
    const send = async (changes: unknown) =>
      (await call('POST', '/v1/sync/push', { token: user.accessToken, body: { changes } })).json();
    expect(await send([change({ ciphertext: null })])).toMatchObject({
      error: { code: 'VALIDATION', field: 'changes.0.ciphertext' },
    });
    expect(await send([change({ deleted: true })])).toMatchObject({
      error: { field: 'changes.0.ciphertext' },
    });
    expect(await send([change(), { ...change(), id: 'not-a-uuid' }])).toMatchObject({
      error: { field: 'changes.1.id' },
    });
    const { baseRevision: _b, ...noBase } = change();
    expect(await send([noBase])).toMatchObject({ error: { field: 'changes.0.baseRevision' } });
    expect(await send([])).toMatchObject({ error: { field: 'changes' } });
    expect(await send(Array.from({ length: 1001 }, () => change({ ciphertext: 'k1.AA' })))).toMatchObject({
      error: { field: 'changes' },
    });
    expect(await send([change({ ciphertext: `k1.${'A'.repeat(256 * 1024)}` })])).toMatchObject({
      error: { field: 'changes.0.ciphertext' },
    });
  });

  it('a refused push applies none of its changes: the vault is exactly as before', async () => {
    const { call, user, push, pull } = await setup();
    const kept = change();
    await push([kept]);
    const before = await pull(0);
    const edit = { ...kept, baseRevision: 1, ciphertext: envelope() };
    const refused = [
      // a malformed item after a valid edit
      { changes: [edit, { ...change(), keyVersion: 0 }] },
      // a batch over the count limit
      { changes: [edit, ...Array.from({ length: 1000 }, () => change())] },
      // over the byte limit
      {
        changes: [
          edit,
          ...Array.from({ length: 17 }, () => change({ ciphertext: `k1.${'A'.repeat(250 * 1024)}` })),
        ],
      },
    ];
    for (const body of refused) {
      const res = await call('POST', '/v1/sync/push', { token: user.accessToken, body });
      expect([400, 413]).toContain(res.status);
      expect(await pull(0)).toEqual(before);
    }
    // The same edit on its own is then applied normally.
    expect((await push([edit])).results).toEqual([{ id: kept.id, status: 'applied', revision: 2 }]);
  });

  it('refuses an item id that is not lower case, naming the field; the stored item is untouched', async () => {
    const { call, user, push, pull, login } = await setup();
    const item = change();
    await push([item]);
    const before = await pull(0);
    // Another device of the account spells the same id in upper case: it must neither overwrite the
    // item past conflict detection nor re-apply an identical retry under a new revision.
    const other = await login(user);
    const upper = item.id.toUpperCase();
    for (const changes of [
      [{ ...item, id: upper, ciphertext: envelope() }],
      [{ ...item, id: upper }],
      [change(), change(), change(), { ...item, id: upper, ciphertext: envelope() }],
      [change({ id: randomUUID().toUpperCase() })],
    ]) {
      const res = await call('POST', '/v1/sync/push', { token: other.accessToken, body: { changes } });
      expect(res.status).toBe(400);
      expect(await res.json()).toEqual({
        error: {
          code: 'VALIDATION',
          field: `changes.${changes.length - 1}.id`,
          message: `changes.${changes.length - 1}.id: must be a lower-case UUID`,
        },
      });
      expect(await pull(0)).toEqual(before);
    }
  });

  it('refuses the same id twice in one push, naming the second occurrence; nothing is applied', async () => {
    const { call, user, push, pull } = await setup();
    const kept = change();
    await push([kept]);
    const before = await pull(0);
    const send = (changes: ItemChange[]) =>
      call('POST', '/v1/sync/push', { token: user.accessToken, body: { changes } });

    const item = change();
    const twice = await send([item, change(), { ...item, baseRevision: 1, ciphertext: envelope() }]);
    expect(twice.status).toBe(400);
    expect(await twice.json()).toEqual({
      error: {
        code: 'VALIDATION',
        field: 'changes.2.id',
        message: 'changes.2.id: repeats changes.0.id; send one change per item',
      },
    });
    // An identical repeat and an edit of a stored item are refused alike.
    for (const changes of [
      [item, item],
      [
        { ...kept, baseRevision: 1, ciphertext: envelope() },
        { ...kept, baseRevision: 1, deleted: true, ciphertext: null },
      ],
    ]) {
      const res = await send(changes);
      expect(res.status).toBe(400);
      expect(await res.json()).toMatchObject({ error: { code: 'VALIDATION', field: 'changes.1.id' } });
    }
    // The same id in two letter cases is a 400 too (it named one row twice and failed with a 500).
    const mixed = await send([item, { ...item, id: item.id.toUpperCase() }]);
    expect(mixed.status).toBe(400);
    expect(await mixed.json()).toMatchObject({ error: { code: 'VALIDATION', field: 'changes.1.id' } });
    expect(await pull(0)).toEqual(before);
  });

  it('answers 413 for a push body above 4 MiB, and accepts one above 64 KiB', async () => {
    const { call, user } = await setup();
    const big = Array.from({ length: 17 }, () => change({ ciphertext: `k1.${'A'.repeat(250 * 1024)}` }));
    const res = await call('POST', '/v1/sync/push', { token: user.accessToken, body: { changes: big } });
    expect(res.status).toBe(413);
    expect(await res.json()).toMatchObject({ error: { code: 'PAYLOAD_TOO_LARGE' } });
    const ok = await call('POST', '/v1/sync/push', {
      token: user.accessToken,
      body: { changes: big.slice(0, 2) },
    });
    expect(ok.status).toBe(200);
  });

  it('rejects malformed JSON and bad query parameters', async () => {
    const { call, user } = await setup();
    const bad = await call('POST', '/v1/sync/push', { token: user.accessToken, body: '{"changes": [' });
    expect(await bad.json()).toMatchObject({ error: { code: 'MALFORMED_JSON' } });
    for (const [q, field] of [
      ['since=-1', 'since'],
      ['since=abc', 'since'],
      ['limit=0', 'limit'],
      ['limit=1001', 'limit'],
    ]) {
      const res = await call('GET', `/v1/sync/changes?${q}`, { token: user.accessToken });
      expect(res.status).toBe(400);
      expect(await res.json()).toMatchObject({ error: { code: 'VALIDATION', field } });
    }
  });
});
