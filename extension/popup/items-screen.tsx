import { useCallback, useEffect, useState } from 'preact/hooks';
import type { ItemSummary, VaultState } from '../messaging/protocol.ts';
import { vaultCacheItem } from '../storage/items.ts';
import { type Editing, ItemEditor } from './item-editor.tsx';
import { send } from './send.ts';
import { TabMatchesSection } from './tab-matches.tsx';
import { useAction } from './use-action.ts';

interface Props {
  state: VaultState;
  onState: (s: VaultState) => void;
}

/** Rows rendered at once: enough to scroll, few enough that a 10,000-item vault opens instantly. */
const MAX_ROWS = 200;

const syncLine = (s: VaultState) => {
  if (s.sync.error === 'SERVER_UNREACHABLE')
    return 'Offline: changes are saved on this device and sync later.';
  if (s.sync.error === 'SESSION_EXPIRED')
    return 'Signed out on the server: lock and unlock to sign in again.';
  if (s.sync.error) return 'Sync failed. Keyhold will retry.';
  if (s.sync.unreadable > 0)
    return `${s.sync.unreadable} item(s) from the server failed their integrity check and were not loaded.`;
  if (s.sync.pending > 0) return `${s.sync.pending} change(s) waiting to sync.`;
  return s.sync.lastSyncAt ? `Synced ${new Date(s.sync.lastSyncAt).toLocaleTimeString()}` : 'Not synced yet.';
};

export function ItemsScreen({ state, onState }: Props) {
  const [items, setItems] = useState<ItemSummary[] | null>(null);
  const [query, setQuery] = useState('');
  const [editing, setEditing] = useState<Editing | null>(null);
  const { busy, error, run } = useAction();

  const reload = useCallback(async () => {
    setItems(await send('listItems', {}));
    onState(await send('getState', {}));
  }, [onState]);

  useEffect(() => {
    void run(reload);
    // A sync in the service worker (alarm, push from another device) rewrites the sealed cache.
    return vaultCacheItem.watch(() => void reload().catch(() => undefined));
  }, []);

  if (editing) {
    return (
      <ItemEditor
        editing={editing}
        onClose={() => {
          setEditing(null);
          void run(reload);
        }}
      />
    );
  }

  const q = query.trim().toLowerCase();
  const shown = (items ?? []).filter(
    (i) =>
      !q ||
      i.title.toLowerCase().includes(q) ||
      i.username.toLowerCase().includes(q) ||
      i.uris.some((u) => u.url.toLowerCase().includes(q)),
  );

  return (
    <main aria-busy={busy}>
      <div class="row">
        <h1>Keyhold</h1>
        <span class="spacer" />
        <button
          type="button"
          disabled={busy}
          onClick={() =>
            void run(async () => {
              onState(await send('syncNow', {}));
              setItems(await send('listItems', {}));
            })
          }
        >
          Sync now
        </button>
        <button
          type="button"
          disabled={busy}
          onClick={() => void run(async () => onState(await send('lock', {})))}
        >
          Lock
        </button>
      </div>
      <p class="status" aria-live="polite">
        {syncLine(state)}
      </p>
      <TabMatchesSection />
      <div class="row">
        <input
          type="search"
          aria-label="Search logins"
          placeholder="Search"
          value={query}
          onInput={(e) => setQuery(e.currentTarget.value)}
        />
        <button type="button" class="primary" onClick={() => setEditing({ kind: 'new' })}>
          Add login
        </button>
      </div>
      {error && <p role="alert">{error}</p>}
      {items && shown.length === 0 && (
        <p class="empty">{items.length === 0 ? 'No logins yet.' : 'Nothing matches.'}</p>
      )}
      {shown.length > MAX_ROWS && (
        <p class="status">
          Showing {MAX_ROWS} of {shown.length} logins. Type to search.
        </p>
      )}
      <ul class="items" aria-label="Logins">
        {shown.slice(0, MAX_ROWS).map((i) => (
          <li key={i.id}>
            <button
              type="button"
              aria-label={i.title}
              onClick={() =>
                void run(async () =>
                  setEditing({ kind: 'existing', item: await send('getItem', { id: i.id }) }),
                )
              }
            >
              <span>
                {i.title}
                {i.conflict && <span class="badge">conflict copy</span>}
                {i.pending && <span class="badge">pending</span>}
              </span>
              <span class="sub">{i.username}</span>
            </button>
          </li>
        ))}
      </ul>
    </main>
  );
}
