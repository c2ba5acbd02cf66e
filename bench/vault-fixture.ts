import type { LocalItem, VaultData } from '../extension/background/vault-data.ts';
import { type ItemFields, loginFields, normalizeFields } from '../extension/messaging/item-schema.ts';

/**
 * The benches' vault contents, on no Node API: bench/pages bundles it for Chromium too
 * (bench/fixtures.ts re-exports it for the Node benches).
 */

/** A vault of mixed types: of every ten items one card, one note, one identity, seven logins. */
function makeFields(n: number, stamp: string): ItemFields {
  const common = {
    folder: n % 4 === 0 ? `Work/Team ${n % 7}` : '',
    favorite: n % 50 === 0,
    customFields: [],
  };
  const meta = { passwordHistory: [], trashedAt: null };
  switch (n % 10) {
    case 3:
      return {
        type: 'card',
        ...common,
        ...meta,
        title: `Card ${n}`,
        notes: '',
        cardholder: `Holder ${n}`,
        brand: 'Visa',
        number: '4111111111111111',
        expMonth: '12',
        expYear: '2031',
        code: '123',
      };
    case 6:
      return {
        type: 'note',
        ...common,
        ...meta,
        title: `Note ${n}`,
        notes: `Door code ${n}; wifi pass ${stamp}`,
      };
    case 9:
      return normalizeFields({
        type: 'identity',
        ...common,
        title: `Identity ${n}`,
        firstName: 'Ada',
        lastName: `L${n}`,
      });
    default:
      return loginFields({
        ...common,
        title: `Account ${n} at service-${n % 977}.example`,
        username: `user${n}@mail.example`,
        password: `pw-${n.toString(36)}-${'x'.repeat(16)}`,
        uris: [{ url: `https://login.service-${n % 977}.example/signin`, match: 'domain' }],
        totp: '',
        notes: n % 5 === 0 ? `Recovery codes kept offline; rotated ${stamp}` : '',
      });
  }
}

/** A realistic item: ~400 bytes of plaintext like DESIGN.md's measured items (see makeFields). */
export function makeItem(id: string, n: number, revision: number): LocalItem {
  const stamp = new Date(Date.UTC(2025, 0, 1) + n * 60_000).toISOString();
  return {
    id,
    revision,
    fields: makeFields(n, stamp),
    createdAt: stamp,
    updatedAt: stamp,
    conflictOf: null,
    dirty: false,
    deleted: false,
  };
}

export const uuidFor = (n: number) => `00000000-0000-4000-8000-${n.toString(16).padStart(12, '0')}`;

export function makeVault(count: number): VaultData {
  const items: Record<string, LocalItem> = {};
  for (let n = 0; n < count; n++) items[uuidFor(n)] = makeItem(uuidFor(n), n, n + 1);
  return { version: 1, revision: count, lastSyncAt: null, items };
}

export const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] ?? Number.NaN;
};
