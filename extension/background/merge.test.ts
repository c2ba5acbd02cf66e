import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type LoginFields, loginFields, normalizeFields } from '../messaging/item-schema.ts';
import { mergeFields } from './merge.ts';

const base = loginFields({
  title: 'Bank',
  username: 'ada',
  password: 'p0',
  uris: [{ url: 'https://bank.example', match: 'domain' }],
  totp: '',
  notes: '',
});

describe('mergeFields', () => {
  it('keeps changes to different fields from both sides', () => {
    const mine = { ...base, title: 'Bank (personal)' };
    const theirs = { ...base, password: 'p1' };
    expect(mergeFields(base, mine, theirs)).toEqual({
      merged: { ...base, title: 'Bank (personal)', password: 'p1' },
      collisions: [],
    });
  });

  it('resolves a field changed on both sides to the server value and reports it', () => {
    const mine = { ...base, password: 'mine', notes: 'n' };
    const theirs = { ...base, password: 'theirs' };
    expect(mergeFields(base, mine, theirs)).toEqual({
      merged: { ...base, password: 'theirs', notes: 'n' },
      collisions: ['password'],
    });
  });

  it('is not a collision when both made the same change', () => {
    const both = { ...base, uris: [...base.uris, { url: 'https://m.bank.example', match: 'host' as const }] };
    expect(mergeFields(base, both, { ...both })).toEqual({ merged: both, collisions: [] });
  });

  it('treats every difference as a collision without a base', () => {
    expect(mergeFields(null, { ...base, notes: 'a' }, base).collisions).toEqual(['notes']);
  });

  it('never loses a value: each side’s change is in the merge or reported as a collision', () => {
    const fields = fc.record({
      title: fc.constantFrom('Bank', 'Bank 2', 'Mail'),
      username: fc.constantFrom('ada', 'grace'),
      password: fc.constantFrom('p0', 'p1', 'p2'),
      uris: fc.constantFrom<LoginFields['uris']>(
        [],
        [{ url: 'https://bank.example', match: 'domain' }],
        [{ url: 'https://bank.example', match: 'exact' }],
        [
          { url: 'https://a.example', match: 'domain' },
          { url: 'https://b.example', match: 'host' },
        ],
      ),
      notes: fc.constantFrom('', 'x'),
      totp: fc.constantFrom('', 'JBSWY3DPEHPK3PXP'),
    });
    fc.assert(
      fc.property(
        fields.map(loginFields),
        fields.map(loginFields),
        fields.map(loginFields),
        (b, mine, theirs) => {
          const { merged, collisions } = mergeFields(b, mine, theirs);
          for (const k of Object.keys(b) as (keyof LoginFields)[]) {
            if (k === 'passwordHistory') continue;
            const m = JSON.stringify(mine[k]);
            const t = JSON.stringify(theirs[k]);
            const got = JSON.stringify((merged as LoginFields)[k]);
            // The server's change is always kept; this device's change is kept unless it collided.
            if (t !== JSON.stringify(b[k])) expect(got).toBe(t);
            else expect(got).toBe(m);
            if (collisions.includes(k)) expect(m).not.toBe(t);
          }
        },
      ),
    );
  });
});

describe('mergeFields over item types, history and the trash', () => {
  it('keeps both devices’ replaced passwords, newest first, without a collision', () => {
    const b = { ...base, passwordHistory: [{ password: 'p-old', replacedAt: '2026-01-01T00:00:00.000Z' }] };
    const mine = {
      ...b,
      notes: 'mine',
      passwordHistory: [{ password: 'p-mine', replacedAt: '2026-03-01T00:00:00.000Z' }, ...b.passwordHistory],
    };
    const theirs = {
      ...b,
      password: 'p-new',
      passwordHistory: [{ password: 'p0', replacedAt: '2026-02-01T00:00:00.000Z' }, ...b.passwordHistory],
    };
    const { merged, collisions } = mergeFields(b, mine, theirs);
    expect(collisions).toEqual([]);
    expect(merged.passwordHistory.map((h) => h.password)).toEqual(['p-mine', 'p0', 'p-old']);
    expect(merged).toMatchObject({ notes: 'mine', password: 'p-new' });
  });

  it('restores on one device while the other edits: restored and edited, no conflict copy', () => {
    const trashed = { ...base, trashedAt: '2026-05-01T00:00:00.000Z' };
    const restored = { ...trashed, trashedAt: null };
    const edited = { ...trashed, username: 'grace' };
    expect(mergeFields(trashed, restored, edited)).toEqual({
      merged: { ...edited, trashedAt: null },
      collisions: [],
    });
  });

  it('trashed on both devices is one trashing, the earlier', () => {
    const a = { ...base, trashedAt: '2026-05-02T00:00:00.000Z' };
    const b = { ...base, trashedAt: '2026-05-01T00:00:00.000Z' };
    expect(mergeFields(base, a, b).merged.trashedAt).toBe('2026-05-01T00:00:00.000Z');
    expect(mergeFields(base, b, a)).toMatchObject({
      merged: { trashedAt: '2026-05-01T00:00:00.000Z' },
      collisions: [],
    });
  });

  it('merges fields of other types and keys it does not know', () => {
    const card = normalizeFields({ type: 'card', title: 'Visa', number: '4111111111111111', code: '' });
    const mine = { ...card, code: '123' };
    const theirs = { ...card, title: 'Visa (work)', futureField: 'kept' } as unknown as typeof card;
    expect(mergeFields(card, mine, theirs)).toEqual({
      merged: { ...card, code: '123', title: 'Visa (work)', futureField: 'kept' },
      collisions: [],
    });
  });
});
