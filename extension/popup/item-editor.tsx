import { useEffect, useRef, useState } from 'preact/hooks';
import type { ItemDetail, SavedUriField } from '../messaging/protocol.ts';
import { send } from './send.ts';
import { useAction } from './use-action.ts';

export type Editing = { kind: 'new' } | { kind: 'existing'; item: ItemDetail };

type MatchMode = SavedUriField['match'];

/** The match modes, in the order the select offers them; `domain` is the default for a new row. */
const MATCH_OPTIONS: { value: MatchMode; label: string }[] = [
  { value: 'domain', label: 'Base domain' },
  { value: 'host', label: 'Host and port' },
  { value: 'exact', label: 'Exact address' },
  { value: 'never', label: 'Never' },
];

/** Mirrors the protocol's limit, so the form stops where the service worker would refuse. */
const MAX_URIS = 50;

/** One website row; `key` keeps each row's DOM (and focus) stable while rows above it are removed. */
interface UriRow extends SavedUriField {
  key: number;
}

let nextKey = 0;
const row = (url = '', match: MatchMode = 'domain'): UriRow => ({ key: nextKey++, url, match });

interface Props {
  editing: Editing;
  onClose: () => void;
}

export function ItemEditor({ editing, onClose }: Props) {
  const initial = editing.kind === 'existing' ? editing.item : null;
  const [title, setTitle] = useState(initial?.title ?? '');
  const [username, setUsername] = useState(initial?.username ?? '');
  const [password, setPassword] = useState(initial?.password ?? '');
  const [notes, setNotes] = useState(initial?.notes ?? '');
  const [totp, setTotp] = useState(initial?.totp ?? '');
  // A new login starts with one empty website row; blank rows are dropped on save.
  const [uris, setUris] = useState<UriRow[]>(() =>
    initial ? (initial.uris ?? []).map((u) => row(u.url, u.match)) : [row()],
  );
  const [reveal, setReveal] = useState(false);
  const [focusRow, setFocusRow] = useState<number | null>(null);
  const websites = useRef<HTMLUListElement>(null);
  const { busy, error, run } = useAction();

  useEffect(() => {
    if (focusRow === null) return;
    websites.current?.querySelector<HTMLInputElement>(`[data-row="${focusRow}"]`)?.focus();
    setFocusRow(null);
  }, [focusRow]);

  const updateUri = (key: number, change: Partial<SavedUriField>) =>
    setUris((rows) => rows.map((r) => (r.key === key ? { ...r, ...change } : r)));
  const addUri = () => {
    const added = row();
    setUris((rows) => [...rows, added]);
    setFocusRow(added.key);
  };
  const removeUri = (key: number) => setUris((rows) => rows.filter((r) => r.key !== key));

  const save = (e: Event) => {
    e.preventDefault();
    const fields = {
      title,
      username,
      password,
      notes,
      totp: totp.trim(),
      uris: uris.map(({ url, match }) => ({ url: url.trim(), match })).filter((u) => u.url !== ''),
    };
    void run(async () => {
      await send('saveItem', { id: initial?.id, fields });
      onClose();
    });
  };

  return (
    <main class="editor" aria-busy={busy}>
      <h1>{initial ? 'Edit login' : 'Add login'}</h1>
      {initial?.conflict && <ConflictNote conflict={initial.conflict} />}
      <form onSubmit={save}>
        <label>
          Title
          <input value={title} onInput={(e) => setTitle(e.currentTarget.value)} required />
        </label>
        <label>
          Username
          <input value={username} onInput={(e) => setUsername(e.currentTarget.value)} autoComplete="off" />
        </label>
        {reveal ? (
          <label>
            Password
            <input
              type="text"
              value={password}
              onInput={(e) => setPassword(e.currentTarget.value)}
              autoComplete="off"
              spellcheck={false}
            />
          </label>
        ) : (
          <label>
            Password
            <input
              type="password"
              value={password}
              onInput={(e) => setPassword(e.currentTarget.value)}
              autoComplete="off"
            />
          </label>
        )}
        <label class="check">
          <input type="checkbox" checked={reveal} onChange={(e) => setReveal(e.currentTarget.checked)} />
          Show password
        </label>

        <fieldset class="websites">
          <legend>Websites</legend>
          {uris.length === 0 && <p class="hint">No websites: this login is never suggested or filled.</p>}
          <ul ref={websites}>
            {uris.map((u, i) => {
              const name = `Website address ${i + 1}`;
              return (
                <li key={u.key}>
                  <input
                    type="text"
                    inputMode="url"
                    data-row={u.key}
                    aria-label={name}
                    placeholder="https://example.com"
                    value={u.url}
                    onInput={(e) => updateUri(u.key, { url: e.currentTarget.value })}
                    autoComplete="off"
                    spellcheck={false}
                  />
                  <select
                    aria-label={`Match for ${name.toLowerCase()}`}
                    title="How this address is matched to pages"
                    value={u.match}
                    onChange={(e) => updateUri(u.key, { match: e.currentTarget.value as MatchMode })}
                  >
                    {MATCH_OPTIONS.map((o) => (
                      <option key={o.value} value={o.value}>
                        {o.label}
                      </option>
                    ))}
                  </select>
                  <button
                    type="button"
                    class="link"
                    aria-label={`Remove ${name.toLowerCase()}`}
                    onClick={() => removeUri(u.key)}
                  >
                    Remove
                  </button>
                </li>
              );
            })}
          </ul>
          <button type="button" class="small" disabled={uris.length >= MAX_URIS} onClick={addUri}>
            Add website
          </button>
        </fieldset>

        <label>
          One-time code (TOTP) secret or otpauth:// URI
          <input
            type="text"
            value={totp}
            onInput={(e) => setTotp(e.currentTarget.value)}
            autoComplete="off"
            spellcheck={false}
            autoCapitalize="off"
            placeholder="otpauth://totp/… or JBSWY3DP…"
          />
        </label>
        <label>
          Notes
          <textarea value={notes} onInput={(e) => setNotes(e.currentTarget.value)} />
        </label>
        {error && <p role="alert">{error}</p>}
        <div class="row actions">
          <button class="primary" type="submit" disabled={busy}>
            Save
          </button>
          <button type="button" onClick={onClose} disabled={busy}>
            Cancel
          </button>
          <span class="spacer" />
          {initial && (
            <button
              type="button"
              class="danger"
              disabled={busy}
              onClick={() =>
                void run(async () => {
                  if (!confirm(`Delete “${title}”? This removes it from all your devices.`)) return;
                  await send('deleteItem', { id: initial.id });
                  onClose();
                })
              }
            >
              Delete
            </button>
          )}
        </div>
      </form>
    </main>
  );
}

/** Dates in the user's own locale, to the minute: what tells two edits apart. */
const when = (iso: string) =>
  new Date(iso).toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' });

/**
 * A conflict copy: the same field of this login was changed on two devices before they synced.
 * The login kept the version the server had first; this copy keeps the other one. Both are shown
 * with their times so the user can choose, and nothing is merged or deleted behind their back.
 */
function ConflictNote({ conflict }: { conflict: NonNullable<ItemDetail['conflict']> }) {
  return (
    <section class="conflict" role="note" aria-label="Conflict copy">
      <p>
        <strong>Conflict copy.</strong> The same details were changed on two devices before they synced. This
        copy keeps one version, edited{' '}
        <time dateTime={conflict.copyUpdatedAt}>{when(conflict.copyUpdatedAt)}</time>.
      </p>
      {conflict.ofTitle !== null && conflict.ofUpdatedAt !== null ? (
        <p>
          The other version stays in “{conflict.ofTitle}”, edited{' '}
          <time dateTime={conflict.ofUpdatedAt}>{when(conflict.ofUpdatedAt)}</time>. Keep what you need, then
          delete this copy.
        </p>
      ) : (
        <p>The login it collided with has since been deleted; this copy is all that is left of it.</p>
      )}
    </section>
  );
}
