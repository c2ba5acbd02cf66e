import { t } from '../i18n/index.ts';
import type { ItemType } from '../messaging/item-schema.ts';
import { ariaOf, errorId, SecretInput } from './editor-field.tsx';
import { FieldError } from './field-error.tsx';
import { type CustomKind, type CustomRow, customRow } from './item-draft.ts';

/** Mirrors the schema's limit. */
const MAX_CUSTOM = 100;

const KINDS: { value: CustomKind; label: () => string }[] = [
  { value: 'text', label: () => t('editor.kindText') },
  { value: 'hidden', label: () => t('editor.kindHidden') },
  { value: 'boolean', label: () => t('editor.kindBoolean') },
  { value: 'linked', label: () => t('editor.kindLinked') },
];

interface Props {
  type: ItemType;
  rows: CustomRow[];
  onRows: (change: (rows: CustomRow[]) => CustomRow[], clear?: string) => void;
  errors: Readonly<Record<string, string>>;
}

/**
 * Custom fields of any item: a name and a value that is text, hidden text, yes/no, or (logins only)
 * a link to the login's username or password. Errors sit under the row part they are about.
 */
export function CustomFieldsEditor({ type, rows, onRows, errors }: Props) {
  const update = (key: number, change: Partial<CustomRow>, part: string) =>
    onRows((rs) => rs.map((r) => (r.key === key ? { ...r, ...change } : r)), `custom-${key}-${part}`);
  const kinds = type === 'login' ? KINDS : KINDS.filter((k) => k.value !== 'linked');
  return (
    <fieldset class="custom-fields">
      <legend>{t('editor.customFields')}</legend>
      <ul>
        {rows.map((r, i) => {
          const n = String(i + 1);
          const k = (part: string) => `custom-${r.key}-${part}`;
          return (
            <li key={r.key}>
              <input
                type="text"
                dir="auto"
                data-custom={r.key}
                aria-label={t('editor.customName', [n])}
                value={r.name}
                onInput={(e) => update(r.key, { name: e.currentTarget.value }, 'name')}
                autoComplete="off"
                {...ariaOf(errors, k('name'))}
              />
              <select
                aria-label={t('editor.customKind', [n])}
                value={r.kind}
                onChange={(e) => {
                  const kind = e.currentTarget.value as CustomKind;
                  update(
                    r.key,
                    {
                      kind,
                      value: kind === 'boolean' ? 'false' : r.kind === 'boolean' ? '' : r.value,
                      linkedTo: kind === 'linked' ? (r.linkedTo ?? 'username') : undefined,
                    },
                    'kind',
                  );
                }}
                {...ariaOf(errors, k('kind'))}
              >
                {kinds.map((o) => (
                  <option key={o.value} value={o.value}>
                    {o.label()}
                  </option>
                ))}
              </select>
              {r.kind === 'boolean' ? (
                <input
                  type="checkbox"
                  aria-label={t('editor.customValue', [n])}
                  checked={r.value === 'true'}
                  onChange={(e) => update(r.key, { value: String(e.currentTarget.checked) }, 'value')}
                />
              ) : r.kind === 'linked' ? (
                <select
                  aria-label={t('editor.customLinked', [n])}
                  value={r.linkedTo ?? 'username'}
                  onChange={(e) =>
                    update(r.key, { linkedTo: e.currentTarget.value as 'username' | 'password' }, 'linkedTo')
                  }
                  {...ariaOf(errors, k('linkedTo'))}
                >
                  <option value="username">{t('editor.username')}</option>
                  <option value="password">{t('editor.password')}</option>
                </select>
              ) : (
                <SecretInput
                  reveal={r.kind !== 'hidden'}
                  dir="auto"
                  aria-label={t('editor.customValue', [n])}
                  value={r.value}
                  onInput={(e) => update(r.key, { value: e.currentTarget.value }, 'value')}
                  autoComplete="off"
                  {...ariaOf(errors, k('value'))}
                />
              )}
              <button
                type="button"
                class="link"
                aria-label={t('editor.removeCustom', [n])}
                onClick={() => onRows((rs) => rs.filter((x) => x.key !== r.key))}
              >
                {t('editor.remove')}
              </button>
              {['name', 'kind', 'value', 'linkedTo'].map((part) => (
                <FieldError key={part} id={errorId(k(part))} message={errors[k(part)]} />
              ))}
            </li>
          );
        })}
      </ul>
      <button
        type="button"
        class="small"
        disabled={rows.length >= MAX_CUSTOM}
        onClick={() => onRows((rs) => [...rs, customRow()])}
      >
        {t('editor.addCustom')}
      </button>
      <FieldError id={errorId('customFields')} message={errors.customFields} />
    </fieldset>
  );
}
