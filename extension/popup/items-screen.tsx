import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import { errorMessage, errorMessages } from '../messaging/error-messages.ts';
import { ErrorCode, type ItemPage, type VaultState } from '../messaging/protocol.ts';
import { vaultCacheItem } from '../storage/items.ts';
import { ActivityScreen } from './activity-screen.tsx';
import { type Editing, ItemEditor } from './item-editor.tsx';
import { PasswordReminderBanner } from './password-reminder-banner.tsx';
import { RecoveryKeyBanner, RecoveryKeyScreen } from './recovery-screens.tsx';
import { SecurityScreen } from './security-screen.tsx';
import { send } from './send.ts';
import { SignInAgain } from './sign-in-again.tsx';
import { TabMatchesSection } from './tab-matches.tsx';
import { useAction } from './use-action.ts';

interface Props {
  state: VaultState;
  onState: (s: VaultState) => void;
}

/** Rows rendered at once: enough to scroll, few enough that a 10,000-item vault opens instantly. */
const MAX_ROWS = 200;

/** Sync errors that are about the server's address: the line names it, as the sign-in form does. */
const ADDRESS_ERRORS: ReadonlySet<string> = new Set([
  ErrorCode.NotKeyhold,
  ErrorCode.TlsError,
  ErrorCode.ServerTooOld,
  ErrorCode.ServerTooNew,
]);

const syncLine = (s: VaultState) => {
  if (s.sync.error && ADDRESS_ERRORS.has(s.sync.error))
    return `Sync failed. ${errorMessage(s.sync.error, { serverUrl: s.serverUrl })}`;
  if (s.sync.error === 'SERVER_UNREACHABLE')
    return 'Offline: changes are saved on this device and sync later.';
  if (s.sync.error === 'STORAGE_FAILED')
    return "This device's storage is full: changes cannot be saved here until space is freed.";
  if (s.sync.error === 'SESSION_EXPIRED')
    return 'Signed out on the server: lock and unlock to sign in again.';
  if (s.sync.error === 'PASSWORD_CHANGED_ELSEWHERE')
    return 'Not syncing until you log in again: changes are kept on this device.';
  if (s.sync.error === 'ROTATION_INCOMPLETE') return errorMessages[s.sync.error];
  if (s.sync.error) return 'Sync failed. Keyhold will retry.';
  if (s.sync.unreadable > 0)
    return `${s.sync.unreadable} item(s) from the server failed their integrity check and were not loaded.`;
  if (s.sync.pending > 0) return `${s.sync.pending} change(s) waiting to sync.`;
  return s.sync.lastSyncAt ? `Synced ${new Date(s.sync.lastSyncAt).toLocaleTimeString()}` : 'Not synced yet.';
};

export function ItemsScreen({ state, onState }: Props) {
  const [page, setPage] = useState<ItemPage | null>(null);
  const [query, setQuery] = useState('');
  const [editing, setEditing] = useState<Editing | null>(null);
  const [showActivity, setShowActivity] = useState(false);
  const [newRecoveryKey, setNewRecoveryKey] = useState(false);
  const [showSecurity, setShowSecurity] = useState(false);
  const { busy, error, run } = useAction();
  // The worker filters and pages; only the newest answer is shown when typing outruns it.
  const latestQuery = useRef('');
  const requests = useRef(0);

  const load = useCallback(async (q: string) => {
    const n = ++requests.current;
    const next = await send('listItems', { query: q, limit: MAX_ROWS });
    if (n === requests.current) setPage(next);
  }, []);

  const reload = useCallback(async () => {
    await load(latestQuery.current);
    onState(await send('getState', {}));
  }, [load, onState]);

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

  if (showActivity) {
    return (
      <ActivityScreen
        onBack={() => {
          setShowActivity(false);
          void run(reload);
        }}
      />
    );
  }

  if (newRecoveryKey) {
    const close = () => {
      setNewRecoveryKey(false);
      void run(reload);
    };
    return <RecoveryKeyScreen mode="create" onDone={close} onCancel={close} />;
  }

  if (showSecurity) {
    return (
      <SecurityScreen
        state={state}
        onState={onState}
        onBack={() => {
          setShowSecurity(false);
          void run(reload);
        }}
      />
    );
  }

  const shown = page?.items ?? [];

  return (
    <main aria-busy={busy}>
      <div class="row">
        <h1>Keyhold</h1>
        <span class="spacer" />
        <button type="button" onClick={() => setShowActivity(true)}>
          Activity
        </button>
        <button type="button" onClick={() => setShowSecurity(true)}>
          Security
        </button>
        <button
          type="button"
          disabled={busy}
          onClick={() =>
            void run(async () => {
              onState(await send('syncNow', {}));
              await load(latestQuery.current);
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
      {state.sync.error === ErrorCode.PasswordChangedElsewhere && <SignInAgain onState={onState} />}
      <PasswordReminderBanner onChange={() => setShowSecurity(true)} />
      <RecoveryKeyBanner onCreate={() => setNewRecoveryKey(true)} />
      <TabMatchesSection />
      <div class="row">
        <input
          type="search"
          aria-label="Search logins"
          placeholder="Search"
          value={query}
          onInput={(e) => {
            const q = e.currentTarget.value;
            setQuery(q);
            latestQuery.current = q;
            void load(q).catch(() => undefined);
          }}
        />
        <button type="button" class="primary" onClick={() => setEditing({ kind: 'new' })}>
          Add login
        </button>
      </div>
      {error && <p role="alert">{error}</p>}
      {page && page.matching === 0 && (
        <p class="empty">{page.total === 0 ? 'No logins yet.' : 'Nothing matches.'}</p>
      )}
      {page && page.matching > shown.length && (
        <p class="status">
          Showing {shown.length} of {page.matching} logins. Type to search.
        </p>
      )}
      <ul class="items" aria-label="Logins">
        {shown.map((i) => (
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
