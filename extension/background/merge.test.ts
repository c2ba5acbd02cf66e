import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { ItemFields } from '../messaging/protocol.ts';
import { mergeFields } from './merge.ts';

const base: ItemFields = {
  title: 'Bank',
  username: 'ada',
  password: 'p0',
  uris: [{ url: 'https://bank.example', match: 'domain' }],
  totp: '',
  notes: '',
};

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
      uris: fc.constantFrom<ItemFields['uris']>(
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
      fc.property(fields, fields, fields, (b, mine, theirs) => {
        const { merged, collisions } = mergeFields(b, mine, theirs);
        for (const k of Object.keys(b) as (keyof ItemFields)[]) {
          const m = JSON.stringify(mine[k]);
          const t = JSON.stringify(theirs[k]);
          const got = JSON.stringify(merged[k]);
          // The server's change is always kept; this device's change is kept unless it collided.
          if (t !== JSON.stringify(b[k])) expect(got).toBe(t);
          else expect(got).toBe(m);
          if (collisions.includes(k)) expect(m).not.toBe(t);
        }
      }),
    );
  });
});
