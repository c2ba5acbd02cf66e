import { useEffect, useRef, useState } from 'preact/hooks';
import type { z } from 'zod';
import { describeIssue } from '../messaging/error-messages.ts';
import { type ItemDetail, itemFieldsSchema, type SavedUriField } from '../messaging/protocol.ts';
import { FieldError, invalid } from './field-error.tsx';
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

/** A website row that is saved (not blank), with its number on screen ("Website address 2"). */
interface SentRow {
  key: number;
  position: number;
}

/**
 * The editor's error keys: the item field's name, `uri-<row key>` for a website row. `path` is a
 * saveItem path without its `fields.` prefix; `rows` the website rows that were sent, in order.
 */
function errorKey(path: readonly PropertyKey[], rows: readonly SentRow[]): string {
  const [name, index] = path;
  if (name === 'uris' && typeof index === 'number') return `uri-${rows[index]?.key ?? index}`;
  return String(name);
}
const errorId = (key: string) => `item-${key}-error`;

/**
 * The same check the service worker makes, here so every wrong field is marked at once, each with
 * its own message; a website row is named by its number on screen.
 */
function fieldErrorsOf(issues: readonly z.core.$ZodIssue[], rows: readonly SentRow[]) {
  const errors: Record<string, string> = {};
  for (const issue of issues) {
    const [name, index, ...rest] = issue.path;
    const onScreen =
      name === 'uris' && typeof index === 'number'
        ? ['fields', name, (rows[index]?.position ?? index + 1) - 1, ...rest]
        : ['fields', ...issue.path];
    const key = errorKey(issue.path, rows);
    errors[key] ??= describeIssue({ ...issue, path: onScreen }).message;
  }
  return errors;
}

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
  const form = useRef<HTMLFormElement>(null);
  /** The website rows of the last save, to place the service worker's `fields.uris.<n>` errors. */
  const sentRows = useRef<SentRow[]>([]);
  const [checked, setChecked] = useState(0);
  const { busy, error, fieldErrors, run, setFieldErrors, clearField } = useAction((field) => {
    const path = field.split('.').map((p) => (/^\d+$/.test(p) ? Number(p) : p));
    return path[0] === 'fields' ? errorKey(path.slice(1), sentRows.current) : null;
  });
  /** Input handler that also clears the field's error: the message was about the old value. */
  const edit = (key: string, set: (v: string) => void) => (e: Event) => {
    set((e.currentTarget as HTMLInputElement).value);
    clearField(key);
  };
  const aria = (key: string) => invalid(errorId(key), fieldErrors[key]);

  useEffect(() => {
    if (focusRow === null) return;
    websites.current?.querySelector<HTMLInputElement>(`[data-row="${focusRow}"]`)?.focus();
    setFocusRow(null);
  }, [focusRow]);

  // After a check found errors, the first wrong field gets the focus.
  useEffect(() => {
    if (checked > 0) form.current?.querySelector<HTMLElement>('[aria-invalid="true"]')?.focus();
  }, [checked]);

  const updateUri = (key: number, change: Partial<SavedUriField>) => {
    setUris((rows) => rows.map((r) => (r.key === key ? { ...r, ...change } : r)));
    clearField(`uri-${key}`);
  };
  const addUri = () => {
    const added = row();
    setUris((rows) => [...rows, added]);
    setFocusRow(added.key);
  };
  const removeUri = (key: number) => setUris((rows) => rows.filter((r) => r.key !== key));

  const save = (e: Event) => {
    e.preventDefault();
    // Blank website rows are dropped; the others keep their number on screen for messages.
    const kept = uris.map((r, i) => ({ ...r, position: i + 1 })).filter((r) => r.url.trim() !== '');
    const fields = {
      title,
      username,
      password,
      notes,
      totp: totp.trim(),
      uris: kept.map(({ url, match }) => ({ url: url.trim(), match })),
    };
    const rows = kept.map(({ key, position }) => ({ key, position }));
    const parsed = itemFieldsSchema.safeParse(fields);
    if (!parsed.success) {
      setFieldErrors(fieldErrorsOf(parsed.error.issues, rows));
      setChecked((n) => n + 1);
      return;
    }
    sentRows.current = rows;
    void run(async () => {
      await send('saveItem', { id: initial?.id, fields });
      onClose();
    });
  };

  return (
    <main class="editor" aria-busy={busy}>
      <h1>{initial ? 'Edit login' : 'Add login'}</h1>
      {initial?.conflict && <ConflictNote conflict={initial.conflict} />}
      <form onSubmit={save} ref={form} noValidate>
        <label>
          Title
          <input value={title} onInput={edit('title', setTitle)} required {...aria('title')} />
        </label>
        <FieldError id={errorId('title')} message={fieldErrors.title} />
        <label>
          Username
          <input
            value={username}
            onInput={edit('username', setUsername)}
            autoComplete="off"
            {...aria('username')}
          />
        </label>
        <FieldError id={errorId('username')} message={fieldErrors.username} />
        {reveal ? (
          <label>
            Password
            <input
              type="text"
              value={password}
              onInput={edit('password', setPassword)}
              autoComplete="off"
              spellcheck={false}
              {...aria('password')}
            />
          </label>
        ) : (
          <label>
            Password
            <input
              type="password"
              value={password}
              onInput={edit('password', setPassword)}
              autoComplete="off"
              {...aria('password')}
            />
          </label>
        )}
        <FieldError id={errorId('password')} message={fieldErrors.password} />
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
                    {...aria(`uri-${u.key}`)}
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
                  <FieldError id={errorId(`uri-${u.key}`)} message={fieldErrors[`uri-${u.key}`]} />
                </li>
              );
            })}
          </ul>
          <button type="button" class="small" disabled={uris.length >= MAX_URIS} onClick={addUri}>
            Add website
          </button>
          <FieldError id={errorId('uris')} message={fieldErrors.uris} />
        </fieldset>

        <label>
          One-time code (TOTP) secret or otpauth:// URI
          <input
            type="text"
            value={totp}
            onInput={edit('totp', setTotp)}
            autoComplete="off"
            spellcheck={false}
            autoCapitalize="off"
            placeholder="otpauth://totp/… or JBSWY3DP…"
            {...aria('totp')}
          />
        </label>
        <FieldError id={errorId('totp')} message={fieldErrors.totp} />
        <label>
          Notes
          <textarea value={notes} onInput={edit('notes', setNotes)} {...aria('notes')} />
        </label>
        <FieldError id={errorId('notes')} message={fieldErrors.notes} />
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
