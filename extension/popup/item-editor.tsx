import { useEffect, useRef, useState } from 'preact/hooks';
import { currentLanguage, t } from '../i18n/index.ts';
import { SLOT, Slotted } from '../i18n/rich-text.tsx';
import type { ItemType } from '../messaging/item-schema.ts';
import type { FolderSummary, ItemDetail, RequestOf } from '../messaging/protocol.ts';
import { CardFields } from './card-fields.tsx';
import { CustomFieldsEditor } from './custom-fields-editor.tsx';
import { defaultUriMatch } from './default-match.ts';
import { ariaOf, errorId, type SectionProps } from './editor-field.tsx';
import { FieldError } from './field-error.tsx';
import { IdentityFields } from './identity-fields.tsx';
import { buildPayload, type Draft, draftOf, errorKey, issueKeys, type SentRows } from './item-draft.ts';
import { describeItemIssue } from './item-issue.ts';
import { LoginFields } from './login-fields.tsx';
import { send } from './send.ts';
import { SshKeyFields } from './ssh-key-fields.tsx';
import { useAction } from './use-action.ts';
import { useFormChecks, withFormChecks } from './use-form-checks.ts';

export type Editing = { kind: 'new'; type: ItemType } | { kind: 'existing'; item: ItemDetail };

/** How the editor closed: the detail view shows the item again unless it was deleted. */
export type EditorOutcome = 'saved' | 'cancelled' | 'deleted';

const HEADINGS = {
  new: {
    login: 'editor.add.login',
    note: 'editor.add.note',
    card: 'editor.add.card',
    identity: 'editor.add.identity',
    sshKey: 'editor.add.sshKey',
  },
  existing: {
    login: 'editor.edit.login',
    note: 'editor.edit.note',
    card: 'editor.edit.card',
    identity: 'editor.edit.identity',
    sshKey: 'editor.edit.sshKey',
  },
} as const;

interface Props {
  editing: Editing;
  onClose: (outcome: EditorOutcome) => void;
}

/**
 * The item editor: what every type shares (title, folder, favorite, notes, custom fields) around
 * the type's own section. Saving sends every field the item has (item-draft.ts), checked first
 * with the worker's own schema so each wrong field gets its message next to it.
 */
export function ItemEditor({ editing, onClose }: Props) {
  const initial = editing.kind === 'existing' ? editing.item : null;
  const [draft, setDraft] = useState<Draft>(() =>
    draftOf(initial, editing.kind === 'new' ? editing.type : (initial?.type ?? 'login'), defaultUriMatch()),
  );
  const [folders, setFolders] = useState<FolderSummary[]>([]);
  const form = useRef<HTMLFormElement>(null);
  /** The rows of the last save, to place the service worker's `fields.uris.<n>` and custom field errors. */
  const sentRows = useRef<SentRows>({ uris: [], custom: [] });
  const [checked, setChecked] = useState(0);
  const { busy, error, fieldErrors, run, setError, setFieldErrors, clearField } = useAction((field) => {
    const path = field.split('.').map((p) => (/^\d+$/.test(p) ? Number(p) : p));
    return path[0] === 'fields' ? errorKey(path.slice(1), sentRows.current) : null;
  });
  useFormChecks();

  useEffect(() => {
    send('listFolders', {}).then(setFolders, () => undefined);
  }, []);

  // After a check found errors, the first wrong field gets the focus.
  useEffect(() => {
    if (checked > 0) form.current?.querySelector<HTMLElement>('[aria-invalid="true"]')?.focus();
  }, [checked]);

  const setCommon =
    <K extends 'title' | 'notes' | 'folder'>(key: K) =>
    (e: Event) => {
      setDraft((d) => ({ ...d, [key]: (e.currentTarget as HTMLInputElement).value }));
      clearField(key);
    };
  const section: SectionProps = {
    values: draft.values,
    set: (name, value) => {
      setDraft((d) => ({ ...d, values: { ...d.values, [name]: value } }));
      clearField(name);
    },
    errors: fieldErrors,
  };
  const rowsChange =
    <K extends 'uris' | 'custom'>(key: K) =>
    (change: (rows: Draft[K]) => Draft[K], clear?: string) => {
      setDraft((d) => ({ ...d, [key]: change(d[key]) }));
      if (clear) clearField(clear);
    };

  const save = (e: Event) => {
    e.preventDefault();
    const { fields, rows } = buildPayload(draft, initial);
    withFormChecks(({ itemInputSchema }) => {
      const parsed = itemInputSchema().safeParse(fields);
      if (!parsed.success) {
        setFieldErrors(issueKeys(parsed.error.issues, rows, describeItemIssue));
        setChecked((n) => n + 1);
        return;
      }
      sentRows.current = rows;
      void run(async () => {
        // The payload was just checked against the schema the worker applies again.
        await send('saveItem', { id: initial?.id, fields: fields as RequestOf<'saveItem'>['fields'] });
        onClose('saved');
      });
    }, setError);
  };

  const type = draft.type;
  return (
    <main class="editor" aria-busy={busy}>
      <h1>{t(HEADINGS[editing.kind][type])}</h1>
      {initial?.conflict && <ConflictNote conflict={initial.conflict} />}
      <form onSubmit={save} ref={form} noValidate>
        <label>
          {t('editor.title')}
          <input
            dir="auto"
            value={draft.title}
            onInput={setCommon('title')}
            required
            {...ariaOf(fieldErrors, 'title')}
          />
        </label>
        <FieldError id={errorId('title')} message={fieldErrors.title} />
        <div class="row folder-row">
          <label class="grow">
            {t('editor.folder')}
            <input
              dir="auto"
              list="item-folders"
              value={draft.folder}
              placeholder={t('editor.folderPlaceholder')}
              onInput={setCommon('folder')}
              autoComplete="off"
              {...ariaOf(fieldErrors, 'folder')}
            />
          </label>
          <datalist id="item-folders">
            {folders.map((f) => (
              <option key={f.path} value={f.path} />
            ))}
          </datalist>
          <label class="check">
            <input
              type="checkbox"
              checked={draft.favorite}
              onChange={(e) => setDraft((d) => ({ ...d, favorite: e.currentTarget.checked }))}
            />
            {t('editor.favorite')}
          </label>
        </div>
        <FieldError id={errorId('folder')} message={fieldErrors.folder} />

        {type === 'login' && (
          <LoginFields
            section={section}
            uris={draft.uris}
            onUris={rowsChange('uris')}
            history={initial?.passwordHistory ?? []}
          />
        )}
        {type === 'card' && <CardFields section={section} />}
        {type === 'identity' && <IdentityFields section={section} />}
        {type === 'sshKey' && (
          <SshKeyFields
            section={section}
            fingerprint={initial?.type === 'sshKey' ? initial.fingerprint : ''}
          />
        )}

        <label>
          {t('editor.notes')}
          <textarea
            dir="auto"
            value={draft.notes}
            onInput={setCommon('notes')}
            {...ariaOf(fieldErrors, 'notes')}
          />
        </label>
        <FieldError id={errorId('notes')} message={fieldErrors.notes} />
        <CustomFieldsEditor
          type={type}
          rows={draft.custom}
          onRows={rowsChange('custom')}
          errors={fieldErrors}
        />
        {error && <p role="alert">{error}</p>}
        <div class="row actions">
          <button class="primary" type="submit" disabled={busy}>
            {t('common.save')}
          </button>
          <button type="button" onClick={() => onClose('cancelled')} disabled={busy}>
            {t('common.cancel')}
          </button>
          <span class="spacer" />
          {initial && (
            <button
              type="button"
              class="danger"
              disabled={busy}
              onClick={() =>
                void run(async () => {
                  if (!confirm(t('editor.confirmTrash', [draft.title]))) return;
                  await send('deleteItem', { id: initial.id });
                  onClose('deleted');
                })
              }
            >
              {t('editor.delete')}
            </button>
          )}
        </div>
      </form>
    </main>
  );
}

/** Dates in the language shown, to the minute: what tells two edits apart. */
const when = (iso: string) =>
  new Intl.DateTimeFormat(currentLanguage(), { dateStyle: 'medium', timeStyle: 'short' }).format(
    new Date(iso),
  );

/**
 * A conflict copy: the same field of this item was changed on two devices before they synced.
 * The item kept the version the server had first; this copy keeps the other one. Both are shown
 * with their times so the user can choose, and nothing is merged or deleted behind their back.
 */
export function ConflictNote({ conflict }: { conflict: NonNullable<ItemDetail['conflict']> }) {
  return (
    <section class="conflict" role="note" aria-label={t('editor.conflictLabel')}>
      <p>
        <strong>{t('editor.conflictTitle')}</strong>{' '}
        <Slotted text={t('editor.conflictCopy', [SLOT])}>
          <time dateTime={conflict.copyUpdatedAt}>{when(conflict.copyUpdatedAt)}</time>
        </Slotted>
      </p>
      {conflict.ofTitle !== null && conflict.ofUpdatedAt !== null ? (
        <p>
          <Slotted text={t('editor.conflictOther', [conflict.ofTitle, SLOT])}>
            <time dateTime={conflict.ofUpdatedAt}>{when(conflict.ofUpdatedAt)}</time>
          </Slotted>
        </p>
      ) : (
        <p>{t('editor.conflictGone')}</p>
      )}
    </section>
  );
}
