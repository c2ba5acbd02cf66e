import { currentLanguage, t } from '../i18n/index.ts';
import type { ItemSummary } from '../messaging/protocol.ts';
import { typeName } from './list-filters.tsx';

/** Short visible marks per type; the row's accessible name says the type in words. */
const TYPE_MARK: Record<ItemSummary['type'], string> = {
  login: '🔑',
  note: '📝',
  card: '💳',
  identity: '🪪',
  sshKey: '⌨',
};

/**
 * What a screen reader hears for a row: title, subtitle and type, so two "Bank" logins differ
 * ("Bank, ada@example.com, login"); a conflict copy or an unsynced change says so.
 */
export function rowName(i: ItemSummary): string {
  const parts = [i.title, i.subtitle, typeName(i.type)];
  if (i.conflict) parts.push(t('list.conflictName'));
  if (i.pending) parts.push(t('list.pendingName'));
  return parts.filter((p) => p !== '').join(', ');
}

interface Props {
  item: ItemSummary;
  busy: boolean;
  onOpen: (i: ItemSummary) => void;
  onFavorite: (i: ItemSummary) => void;
  onRestore: (i: ItemSummary) => void;
  onDeleteForever: (i: ItemSummary) => void;
  /** The row's place in the whole list (1-based) and the list's length: only some rows are in the document. */
  position: number;
  setSize: number;
}

/** One row of the list: opens the item; a live item has a star, a trashed one Restore / Delete forever. */
export function ItemRow({
  item: i,
  busy,
  onOpen,
  onFavorite,
  onRestore,
  onDeleteForever,
  position,
  setSize,
}: Props) {
  const trashed = i.trashedAt !== null;
  const sub = i.trashedAt
    ? t('trash.trashedOn', [new Date(i.trashedAt).toLocaleDateString(currentLanguage())])
    : i.subtitle;
  return (
    <li aria-posinset={position} aria-setsize={setSize}>
      <button
        type="button"
        class="open"
        data-id={i.id}
        data-title={i.title}
        aria-label={rowName(i)}
        onClick={() => onOpen(i)}
      >
        <span class="title-line">
          <span class="type-mark" aria-hidden="true">
            {TYPE_MARK[i.type]}
          </span>
          <span class="title" dir="auto" title={i.title}>
            {i.title}
          </span>
          {i.conflict && <span class="badge">{t('list.conflictCopy')}</span>}
          {i.pending && <span class="badge">{t('list.pending')}</span>}
        </span>
        <span class="sub" dir="auto" title={sub}>
          {sub}
        </span>
      </button>
      {trashed ? (
        <span class="row-actions">
          <button
            type="button"
            disabled={busy}
            aria-label={t('trash.restoreNamed', [i.title])}
            onClick={() => onRestore(i)}
          >
            {t('trash.restore')}
          </button>
          <button
            type="button"
            class="danger"
            disabled={busy}
            aria-label={t('trash.deleteForeverNamed', [i.title])}
            onClick={() => onDeleteForever(i)}
          >
            {t('trash.deleteForever')}
          </button>
        </span>
      ) : (
        <button
          type="button"
          class="star"
          disabled={busy}
          aria-pressed={i.favorite}
          aria-label={t('list.favorite', [i.title])}
          title={t('list.favorite', [i.title])}
          onClick={() => onFavorite(i)}
        >
          {i.favorite ? '★' : '☆'}
        </button>
      )}
    </li>
  );
}
