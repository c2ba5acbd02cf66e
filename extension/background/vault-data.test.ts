import { describe, expect, it } from 'vitest';
import { emptyVault, itemsOf, type LocalItem } from './vault-data.ts';

const item = (id: string) => ({ id, revision: 0, dirty: false }) as unknown as LocalItem;

describe('itemsOf', () => {
  it("lists a vault's items as Object.values does, in the same order", () => {
    const data = emptyVault();
    // Integer-like keys come first in property order: the walk must keep that order too.
    for (const id of [crypto.randomUUID(), '7', crypto.randomUUID(), '3', crypto.randomUUID()])
      data.items[id] = item(id);
    expect(itemsOf(data)).toEqual(Object.values(data.items));
    expect(
      itemsOf(data)
        .map((i) => i.id)
        .slice(0, 2),
    ).toEqual(['3', '7']);
  });

  it('lists a large vault (a dictionary-mode record) whole, and an empty one as nothing', () => {
    const data = emptyVault();
    for (let n = 0; n < 5000; n++) {
      const id = crypto.randomUUID();
      data.items[id] = item(id);
    }
    delete data.items[Object.keys(data.items)[10] as string];
    expect(itemsOf(data)).toEqual(Object.values(data.items));
    expect(itemsOf(data)).toHaveLength(4999);
    expect(itemsOf(emptyVault())).toEqual([]);
  });
});
