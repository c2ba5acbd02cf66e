import { t } from '../i18n/index.ts';
import type { ItemType } from '../messaging/item-schema.ts';
import type { FolderSummary, ListView } from '../messaging/protocol.ts';

export interface ListFilter {
  view: ListView;
  folder: string;
  type: ItemType | '';
}

const TYPE_OPTIONS: [ItemType | '', () => string][] = [
  ['', () => t('list.allTypes')],
  ['login', () => t('list.typeLogins')],
  ['note', () => t('list.typeNotes')],
  ['card', () => t('list.typeCards')],
  ['identity', () => t('list.typeIdentities')],
  ['sshKey', () => t('list.typeSshKeys')],
];

/** One type's short name, as a row says it ("login", "SSH key"). */
export function typeName(type: ItemType): string {
  switch (type) {
    case 'login':
      return t('list.typeLogin');
    case 'note':
      return t('list.typeNote');
    case 'card':
      return t('list.typeCard');
    case 'identity':
      return t('list.typeIdentity');
    case 'sshKey':
      return t('list.typeSshKey');
  }
}

interface Props {
  filter: ListFilter;
  folders: FolderSummary[];
  trashed: number;
  onChange: (f: ListFilter) => void;
}

/** The list's organisation controls: which view, which folder, which type. The worker filters. */
export function ListFilters({ filter, folders, trashed, onChange }: Props) {
  const views: [ListView, string][] = [
    ['all', t('list.viewAll')],
    ['favorites', t('list.viewFavorites')],
    ['trash', t('list.viewTrash', [String(trashed)])],
  ];
  return (
    <div class="list-filters">
      <fieldset class="row view-switch" aria-label={t('list.viewLabel')}>
        {views.map(([view, label]) => (
          <button
            key={view}
            type="button"
            aria-pressed={filter.view === view}
            onClick={() => onChange({ ...filter, view })}
          >
            {label}
          </button>
        ))}
      </fieldset>
      <div class="row">
        <select
          aria-label={t('list.folderLabel')}
          value={filter.folder}
          onChange={(e) => onChange({ ...filter, folder: e.currentTarget.value })}
        >
          <option value="">{t('list.allFolders')}</option>
          {folders.map((f) => {
            const parts = f.path.split('/');
            // Nested folders are indented under their parent; the option's text stays the full path.
            const indent = '\u00a0\u00a0'.repeat(parts.length - 1);
            return (
              <option key={f.path} value={f.path} title={f.path}>
                {`${indent}${parts.join(' / ')} (${f.count})`}
              </option>
            );
          })}
        </select>
        <select
          aria-label={t('list.typeLabel')}
          value={filter.type}
          onChange={(e) => onChange({ ...filter, type: e.currentTarget.value as ItemType | '' })}
        >
          {TYPE_OPTIONS.map(([value, label]) => (
            <option key={value} value={value}>
              {label()}
            </option>
          ))}
        </select>
      </div>
    </div>
  );
}
