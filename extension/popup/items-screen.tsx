import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import { t } from '../i18n/index.ts';
import {
  ErrorCode,
  type FolderSummary,
  type ItemPage,
  type ItemSummary,
  LIST_ROWS,
  type VaultState,
} from '../messaging/protocol.ts';
import { vaultCommitItem } from '../storage/items.ts';
import { ActivityScreen } from './activity-screen.tsx';
import { AddItemMenu } from './add-item-menu.tsx';
import { ConfirmDialog } from './confirm-dialog.tsx';
import { DevicesScreen } from './devices-screen.tsx';
import { ItemDetail } from './item-detail.tsx';
import { type Editing, ItemEditor } from './item-editor.tsx';
import { ItemList } from './item-list.tsx';
import { type ListFilter, ListFilters } from './list-filters.tsx';
import { takeArrivedPage, takeOpeningPage } from './opening.ts';
import { PasswordReminderBanner } from './password-reminder-banner.tsx';
import { RecoveryKeyBanner, RecoveryKeyScreen } from './recovery-key-screens.tsx';
import { SecurityScreen } from './security-screen.tsx';
import { send } from './send.ts';
import { SignInAgain } from './sign-in-again.tsx';
import { SignInNoticeBanner } from './sign-in-notice-banner.tsx';
import { SignedInAgainBanner } from './signed-out-notice.tsx';
import { syncLine } from './sync-line.ts';
import { TabMatchesSection } from './tab-matches.tsx';
import { useAction } from './use-action.ts';

interface Props {
  state: VaultState;
  onState: (s: VaultState) => void;
}

/** What a confirmation dialog is about: one trashed item, or the whole trash. */
type Confirming = { kind: 'deleteForever'; item: ItemSummary } | { kind: 'emptyTrash'; count: number };

export function ItemsScreen({ state, onState }: Props) {
  // The first page asked for ahead (opening.ts), when it is in already: the list draws with it at once.
  const [page, setPage] = useState<ItemPage | null>(takeArrivedPage);
  const [query, setQuery] = useState('');
  const [editing, setEditing] = useState<Editing | null>(null);
  /** The item whose detail view is open; back from it, focus returns to its row. */
  const [viewing, setViewing] = useState<string | null>(null);
  const [showActivity, setShowActivity] = useState(false);
  const [newRecoveryKey, setNewRecoveryKey] = useState(false);
  const [showSecurity, setShowSecurity] = useState(false);
  const [showDevices, setShowDevices] = useState(false);
  const [filter, setFilter] = useState<ListFilter>({ view: 'all', folder: '', type: '' });
  const [folders, setFolders] = useState<FolderSummary[]>([]);
  const [confirming, setConfirming] = useState<Confirming | null>(null);
  const { busy, error, run } = useAction();
  // The worker filters and pages; only the newest answer is shown when typing outruns it.
  const latestQuery = useRef('');
  const latestFilter = useRef(filter);
  const requests = useRef(0);
  // The row (item id) an editor, detail view or dialog came from: focus goes back to it.
  const returnTo = useRef<string | null>(null);
  const search = useRef<HTMLInputElement>(null);

  const load = useCallback(async (q: string) => {
    const n = ++requests.current;
    const f = latestFilter.current;
    const next = await send('listItems', {
      query: q,
      limit: LIST_ROWS,
      view: f.view,
      folder: f.folder,
      ...(f.type ? { type: f.type } : {}),
    });
    if (n === requests.current) setPage(next);
  }, []);

  const reload = useCallback(async () => {
    await load(latestQuery.current);
    setFolders(await send('listFolders', {}));
    onState(await send('getState', {}));
  }, [load, onState]);

  useEffect(() => {
    search.current?.focus();
    const opening = takeOpeningPage();
    void run(async () => {
      // The first page asked for when the popup opened (opening.ts) shows at once; the list is then
      // read as on every change, so nothing committed since is missed.
      const first = opening && (await opening);
      if (first && requests.current === 0) setPage(first);
      await reload();
    });
    // A sync in the service worker (alarm, push from another device) rewrites the sealed cache.
    return vaultCommitItem.watch(() => void reload().catch(() => undefined));
  }, []);

  // Back on the list: focus the row the user came from (the list scrolls to it), or the search
  // box when it is gone.
  const [focusRow, setFocusRow] = useState<string | null>(null);
  useEffect(() => {
    if (editing || viewing || confirming || returnTo.current === null || !page) return;
    setFocusRow(returnTo.current);
    returnTo.current = null;
  }, [editing, viewing, confirming, page]);
  const rowFocused = useCallback((found: boolean) => {
    setFocusRow(null);
    if (!found) search.current?.focus();
  }, []);

  const changeFilter = (f: ListFilter) => {
    setFilter(f);
    latestFilter.current = f;
    void run(() => load(latestQuery.current));
  };

  /** Opens a row: the one place a row's click goes, the read-only detail view. */
  const openRow = (i: ItemSummary) => {
    returnTo.current = i.id;
    setViewing(i.id);
  };

  const toggleFavorite = (i: ItemSummary) =>
    void run(async () => {
      const item = await send('getItem', { id: i.id });
      await send('saveItem', { id: i.id, fields: { ...item, favorite: !item.favorite } });
      await reload();
    });

  const restore = (i: ItemSummary) =>
    void run(async () => {
      await send('restoreItem', { id: i.id });
      returnTo.current = null;
      search.current?.focus();
      await reload();
    });

  const confirmed = () =>
    void run(async () => {
      if (confirming?.kind === 'deleteForever') await send('deleteForever', { id: confirming.item.id });
      if (confirming?.kind === 'emptyTrash') await send('emptyTrash', {});
      returnTo.current = null;
      setConfirming(null);
      search.current?.focus();
      await reload();
    });

  if (viewing) {
    return (
      <ItemDetail
        id={viewing}
        onBack={() => {
          returnTo.current = viewing;
          setViewing(null);
          void run(reload);
        }}
      />
    );
  }

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

  if (showDevices) {
    return (
      <DevicesScreen
        onBack={() => {
          setShowDevices(false);
          void run(reload);
        }}
      />
    );
  }

  if (showSecurity) {
    return (
      <SecurityScreen
        state={state}
        onState={onState}
        onDevices={() => {
          setShowSecurity(false);
          setShowDevices(true);
        }}
        onBack={() => {
          setShowSecurity(false);
          void run(reload);
        }}
      />
    );
  }

  const shown = page?.items ?? [];
  const inTrash = filter.view === 'trash';

  return (
    <main aria-busy={busy}>
      <div class="row">
        <h1>{t('ext.name')}</h1>
        <span class="spacer" />
        <button type="button" onClick={() => setShowActivity(true)}>
          {t('list.activity')}
        </button>
        <button type="button" onClick={() => setShowSecurity(true)}>
          {t('list.security')}
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
          {t('list.syncNow')}
        </button>
        <button
          type="button"
          disabled={busy}
          onClick={() => void run(async () => onState(await send('lock', {})))}
        >
          {t('list.lock')}
        </button>
      </div>
      <p class="status" aria-live="polite">
        {syncLine(state)}
      </p>
      {state.sync.error === ErrorCode.PasswordChangedElsewhere && <SignInAgain onState={onState} />}
      {state.sync.error !== ErrorCode.PasswordChangedElsewhere && <SignedInAgainBanner />}
      <SignInNoticeBanner onReview={() => setShowDevices(true)} />
      <PasswordReminderBanner onChange={() => setShowSecurity(true)} />
      <RecoveryKeyBanner onCreate={() => setNewRecoveryKey(true)} />
      <TabMatchesSection />
      <ListFilters filter={filter} folders={folders} trashed={page?.trashed ?? 0} onChange={changeFilter} />
      <div class="row">
        <input
          ref={search}
          type="search"
          aria-label={t('list.search')}
          placeholder={t('list.searchPlaceholder')}
          value={query}
          onInput={(e) => {
            const q = e.currentTarget.value;
            setQuery(q);
            latestQuery.current = q;
            void load(q).catch(() => undefined);
          }}
        />
        <button type="button" class="primary" onClick={() => setEditing({ kind: 'new', type: 'login' })}>
          {t('list.addLogin')}
        </button>
        <AddItemMenu onChoose={(type) => setEditing({ kind: 'new', type })} />
      </div>
      {error && <p role="alert">{error}</p>}
      {inTrash && (
        <div class="row trash-bar">
          <p class="status">{t('trash.note')}</p>
          <span class="spacer" />
          <button
            type="button"
            class="danger"
            disabled={busy || !page || page.trashed === 0}
            onClick={() => setConfirming({ kind: 'emptyTrash', count: page?.trashed ?? 0 })}
          >
            {t('trash.emptyTrash')}
          </button>
        </div>
      )}
      {page && page.matching === 0 && (
        <p class="empty">
          {inTrash && page.trashed === 0
            ? t('trash.empty')
            : page.total === 0 && !inTrash
              ? t('list.noItems')
              : t('list.nothingMatches')}
        </p>
      )}
      {page && page.matching > shown.length && (
        <p class="status">{t('list.showing', [String(shown.length), String(page.matching)])}</p>
      )}
      <ItemList
        items={shown}
        busy={busy}
        focusId={focusRow}
        onFocused={rowFocused}
        onOpen={openRow}
        onFavorite={toggleFavorite}
        onRestore={restore}
        onDeleteForever={(item) => {
          returnTo.current = item.id;
          setConfirming({ kind: 'deleteForever', item });
        }}
      />
      {confirming && (
        <ConfirmDialog
          title={
            confirming.kind === 'deleteForever' ? t('trash.confirmDeleteTitle') : t('trash.confirmEmptyTitle')
          }
          confirmLabel={
            confirming.kind === 'deleteForever' ? t('trash.deleteForever') : t('trash.emptyTrash')
          }
          busy={busy}
          onConfirm={confirmed}
          onCancel={() => setConfirming(null)}
        >
          {confirming.kind === 'deleteForever'
            ? t('trash.confirmDelete', [confirming.item.title])
            : t('trash.confirmEmpty', [String(confirming.count)])}
        </ConfirmDialog>
      )}
    </main>
  );
}
