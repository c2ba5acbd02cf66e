import { describe, expect, it } from 'vitest';
import { hasPendingChanges, pendingChanges } from './unsynced-changes.ts';
import { emptyVault, type LocalItem } from './vault-data.ts';

const item = (id: string, dirty: boolean) => ({ id, revision: 1, dirty }) as unknown as LocalItem;

describe('pending changes of an open vault', () => {
  it('counts the dirty items, and says whether there is any', () => {
    const data = emptyVault();
    expect(pendingChanges(data)).toBe(0);
    expect(hasPendingChanges(data)).toBe(false);
    for (let n = 0; n < 3000; n++) data.items[`id-${n}`] = item(`id-${n}`, n % 1000 === 999);
    expect(pendingChanges(data)).toBe(3);
    expect(hasPendingChanges(data)).toBe(true);
    for (const id of ['id-999', 'id-1999', 'id-2999']) data.items[id] = item(id, false);
    expect(pendingChanges(data)).toBe(0);
    expect(hasPendingChanges(data)).toBe(false);
  });
});
