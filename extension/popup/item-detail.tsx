import { useEffect, useRef, useState } from 'preact/hooks';
import { currentLanguage, t } from '../i18n/index.ts';
import type { ItemDetail as ItemDetailFull, ItemView } from '../messaging/protocol.ts';
import { vaultCommitItem } from '../storage/items.ts';
import { CopyButton } from './copy-button.tsx';
import { CustomFields, PasswordHistory, TypeFields } from './detail-fields.tsx';
import { ConflictNote, type EditorOutcome, ItemEditor } from './item-editor.tsx';
import { SecretField } from './secret-field.tsx';
import { send } from './send.ts';
import { TotpCode } from './totp-code.tsx';
import { useAction } from './use-action.ts';

interface Props {
  id: string;
  /** Back to the list (Escape, the Back button, or the item was deleted in the editor). */
  onBack: () => void;
}

/** A host (and port) with no scheme, as website-address.ts reads it: saved as https by the matcher. */
const SCHEMELESS = /^(?:\[[0-9a-f:.]+\]|[^/:?#@[\]\s\\]+)(?::\d+)?(?:[/?#]|$)/i;

/**
 * A website as a link that opens in a new tab: http(s) as saved, a bare host as https (as the
 * matcher reads it). Anything else (an app address, androidapp://…) is no page: no link.
 */
export function linkOf(url: string): string | null {
  if (SCHEMELESS.test(url)) return `https://${url}`;
  return /^https?:\/\//i.test(url) ? url : null;
}

const when = (iso: string) =>
  new Date(iso).toLocaleString(currentLanguage(), { dateStyle: 'medium', timeStyle: 'short' });

/**
 * The read-only view of an item (docs/clipboard.md "Detail view"): each field with a Copy button,
 * secrets masked until revealed, the live one-time code. Editing is a separate step (Edit); after a
 * save the view shows again with focus on its heading. Escape goes back to the list.
 */
export function ItemDetail({ id, onBack }: Props) {
  const [view, setView] = useState<ItemView | null>(null);
  const [editing, setEditing] = useState<ItemDetailFull | null>(null);
  const [status, setStatus] = useState<{ message: string; failed: boolean } | null>(null);
  /** Bumped whenever the heading should take the focus (first show, back from the editor). */
  const [focusHeading, setFocusHeading] = useState(1);
  const heading = useRef<HTMLHeadingElement>(null);
  const { busy, error, run } = useAction();

  const load = async () => setView(await send('itemView', { id }));
  useEffect(() => {
    void run(load);
    // A sync (another device's edit) rewrites the sealed cache: show the item as it is now.
    return vaultCommitItem.watch(() => void run(load));
  }, [id]);

  // Escape anywhere in the view (not only with focus inside it) goes back; the editor has its own keys.
  useEffect(() => {
    if (editing) return;
    const onKey = (e: KeyboardEvent) => {
      if (e.key !== 'Escape' || e.defaultPrevented) return;
      e.preventDefault();
      onBack();
    };
    document.addEventListener('keydown', onKey);
    return () => document.removeEventListener('keydown', onKey);
  }, [editing, onBack]);

  useEffect(() => {
    if (view && !editing) heading.current?.focus();
  }, [focusHeading, view === null, editing === null]);

  if (editing) {
    const close = (outcome?: EditorOutcome) => {
      setEditing(null);
      if (outcome === 'deleted') return onBack();
      setStatus(null);
      void run(load);
      setFocusHeading((n) => n + 1);
    };
    return <ItemEditor editing={{ kind: 'existing', item: editing }} onClose={close} />;
  }

  const report = (message: string, failed: boolean) => setStatus({ message, failed });
  const copyOf = (path: string) => () => send('copyField', { id, path });

  return (
    <main class="detail" aria-busy={busy}>
      <div class="row">
        <button type="button" onClick={onBack}>
          {t('detail.back')}
        </button>
        <span class="spacer" />
        <button
          type="button"
          class="primary"
          disabled={busy || !view}
          onClick={() => void run(async () => setEditing(await send('getItem', { id })))}
        >
          {t('detail.edit')}
        </button>
      </div>
      {view && (
        <h1 ref={heading} tabIndex={-1} dir="auto" title={view.title} class="detail-title">
          {view.title}
        </h1>
      )}
      {view?.conflict && <ConflictNote conflict={view.conflict} />}
      {error && <p role="alert">{error}</p>}
      <p class={status?.failed ? 'status detail-status failed' : 'status detail-status'} aria-live="polite">
        {status?.message ?? ''}
      </p>
      {view && (
        <>
          {view.conflict && <p class="hint">{t('detail.conflictNote')}</p>}
          {(view.folder !== '' || view.favorite) && (
            <p class="hint detail-meta">
              {view.favorite && <span class="badge">{t('detail.favorite')}</span>}
              {view.folder !== '' && (
                <span dir="auto" title={view.folder}>
                  {t('detail.inFolder', [view.folder])}
                </span>
              )}
            </p>
          )}
          <dl class="detail-fields">
            {view.type === 'login' && (
              <>
                {view.username !== '' && (
                  <div class="detail-field">
                    <dt>{t('detail.username')}</dt>
                    <dd>
                      <span class="value" dir="auto" title={view.username}>
                        {view.username}
                      </span>
                      <span class="detail-actions">
                        <CopyButton
                          name={t('detail.username')}
                          label={t('detail.copyUsername')}
                          copy={copyOf('username')}
                          onResult={report}
                        />
                      </span>
                    </dd>
                  </div>
                )}
                {view.secrets.includes('password') && (
                  <SecretField
                    itemId={id}
                    path="password"
                    label={t('detail.password')}
                    copyLabel={t('detail.copyPassword')}
                    revealLabel={t('detail.revealPassword')}
                    hideLabel={t('detail.hidePassword')}
                    onResult={report}
                  />
                )}
                {view.secrets.includes('totp') && (
                  <TotpCode itemId={id} label={t('detail.totp')} onResult={report} />
                )}
                {view.uris.map((u, i) => {
                  const name = t('detail.website', [String(i + 1)]);
                  const href = linkOf(u.url);
                  return (
                    <div class="detail-field" key={`${i}:${u.url}`}>
                      <dt>{view.uris.length > 1 ? name : t('detail.websiteOnly')}</dt>
                      <dd>
                        {href ? (
                          <a
                            class="value"
                            href={href}
                            target="_blank"
                            rel="noopener noreferrer"
                            dir="auto"
                            title={u.url}
                          >
                            {u.url}
                          </a>
                        ) : (
                          <span class="value" dir="auto" title={u.url}>
                            {u.url}
                          </span>
                        )}
                        <span class="detail-actions">
                          <CopyButton
                            name={name}
                            label={t('detail.copyWebsite', [String(i + 1)])}
                            copy={copyOf(`uris.${i}.url`)}
                            onResult={report}
                          />
                        </span>
                      </dd>
                    </div>
                  );
                })}
              </>
            )}
            <TypeFields view={view} onResult={report} />
            {view.notes !== '' && (
              <div class="detail-field notes">
                <dt>{t('detail.notes')}</dt>
                <dd>
                  <p class="value notes-text" dir="auto">
                    {view.notes}
                  </p>
                  <span class="detail-actions">
                    <CopyButton
                      name={t('detail.notes')}
                      label={t('detail.copyNotes')}
                      copy={copyOf('notes')}
                      onResult={report}
                    />
                  </span>
                </dd>
              </div>
            )}
            <CustomFields view={view} onResult={report} />
          </dl>
          {view.type === 'login' && <PasswordHistory view={view} onResult={report} />}
          <p class="hint detail-dates">
            <span>{t('detail.updated', [when(view.updatedAt)])}</span>
            <span>{t('detail.created', [when(view.createdAt)])}</span>
          </p>
        </>
      )}
    </main>
  );
}
