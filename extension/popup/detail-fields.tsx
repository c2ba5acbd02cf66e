import { currentLanguage, type PlainMessageKey, t } from '../i18n/index.ts';
import type { ItemView } from '../messaging/protocol.ts';
import { CopyButton } from './copy-button.tsx';
import { SecretField } from './secret-field.tsx';
import { send } from './send.ts';

type Report = (message: string, failed: boolean) => void;

/** A field shown as text with its Copy button (the worker copies `path` from the vault). */
export function TextField(props: {
  itemId: string;
  path: string;
  label: string;
  value: string;
  multiline?: boolean;
  onResult: Report;
}) {
  if (props.value === '') return null;
  return (
    <div class={props.multiline ? 'detail-field notes' : 'detail-field'}>
      <dt>{props.label}</dt>
      <dd>
        {props.multiline ? (
          <p class="value notes-text" dir="auto">
            {props.value}
          </p>
        ) : (
          <span class="value" dir="auto" title={props.value}>
            {props.value}
          </span>
        )}
        <span class="detail-actions">
          <CopyButton
            name={props.label}
            label={t('detail.copyNamed', [props.label])}
            copy={() => send('copyField', { id: props.itemId, path: props.path })}
            onResult={props.onResult}
          />
        </span>
      </dd>
    </div>
  );
}

/** A secret field with Reveal/Hide and Copy, named by its label. */
function Secret(props: { itemId: string; path: string; label: string; onResult: Report }) {
  return (
    <SecretField
      itemId={props.itemId}
      path={props.path}
      label={props.label}
      copyLabel={t('detail.copyNamed', [props.label])}
      revealLabel={t('detail.revealNamed', [props.label])}
      hideLabel={t('detail.hideNamed', [props.label])}
      onResult={props.onResult}
    />
  );
}

const IDENTITY_FIELDS: readonly [string, PlainMessageKey][] = [
  ['honorific', 'detail.honorific'],
  ['firstName', 'detail.firstName'],
  ['middleName', 'detail.middleName'],
  ['lastName', 'detail.lastName'],
  ['company', 'detail.company'],
  ['email', 'detail.email'],
  ['phone', 'detail.phone'],
  ['address1', 'detail.address1'],
  ['address2', 'detail.address2'],
  ['city', 'detail.city'],
  ['region', 'detail.region'],
  ['postalCode', 'detail.postalCode'],
  ['country', 'detail.country'],
];

/** The fields of a card, identity or SSH key (a login's are in item-detail.tsx). */
export function TypeFields({ view, onResult }: { view: ItemView; onResult: Report }) {
  const id = view.id;
  const has = (path: string) => view.secrets.includes(path);
  if (view.type === 'card') {
    const expiry = [view.expMonth, view.expYear].filter(Boolean).join('/');
    return (
      <>
        <TextField
          itemId={id}
          path="cardholder"
          label={t('detail.cardholder')}
          value={view.cardholder}
          onResult={onResult}
        />
        <TextField
          itemId={id}
          path="brand"
          label={t('detail.brand')}
          value={view.brand}
          onResult={onResult}
        />
        {has('number') && (
          <Secret itemId={id} path="number" label={t('detail.cardNumber')} onResult={onResult} />
        )}
        {expiry !== '' && (
          <div class="detail-field">
            <dt>{t('detail.expiry')}</dt>
            <dd>
              <span class="value">{expiry}</span>
              <span class="detail-actions">
                <CopyButton
                  name={t('detail.expiry')}
                  label={t('detail.copyNamed', [t('detail.expiry')])}
                  copy={() => send('copyText', { text: expiry })}
                  onResult={onResult}
                />
              </span>
            </dd>
          </div>
        )}
        {has('code') && <Secret itemId={id} path="code" label={t('detail.cardCode')} onResult={onResult} />}
      </>
    );
  }
  if (view.type === 'identity') {
    const fields = view as unknown as Record<string, string>;
    return (
      <>
        {IDENTITY_FIELDS.map(([path, key]) => (
          <TextField
            key={path}
            itemId={id}
            path={path}
            label={t(key)}
            value={fields[path] ?? ''}
            onResult={onResult}
          />
        ))}
      </>
    );
  }
  if (view.type === 'sshKey') {
    return (
      <>
        {has('privateKey') && (
          <Secret itemId={id} path="privateKey" label={t('detail.privateKey')} onResult={onResult} />
        )}
        <TextField
          itemId={id}
          path="publicKey"
          label={t('detail.publicKey')}
          value={view.publicKey}
          onResult={onResult}
        />
        <TextField
          itemId={id}
          path="fingerprint"
          label={t('detail.fingerprint')}
          value={view.fingerprint}
          onResult={onResult}
        />
      </>
    );
  }
  return null;
}

/** Custom fields: text and hidden with Copy (hidden masked), a boolean as Yes/No, a link names its field. */
export function CustomFields({ view, onResult }: { view: ItemView; onResult: Report }) {
  return (
    <>
      {view.customFields.map((f, i) => {
        const path = `customFields.${i}.value`;
        const key = `${i}:${f.name}`;
        if (f.kind === 'hidden')
          return view.secrets.includes(path) ? (
            <Secret key={key} itemId={view.id} path={path} label={f.name} onResult={onResult} />
          ) : null;
        if (f.kind === 'text')
          return (
            <TextField
              key={key}
              itemId={view.id}
              path={path}
              label={f.name}
              value={f.value}
              onResult={onResult}
            />
          );
        const text =
          f.kind === 'boolean'
            ? f.value === 'true'
              ? t('detail.yes')
              : t('detail.no')
            : t('detail.linkedTo', [f.linkedTo === 'password' ? t('detail.password') : t('detail.username')]);
        return (
          <div class="detail-field" key={key}>
            <dt dir="auto">{f.name}</dt>
            <dd>
              <span class="value">{text}</span>
            </dd>
          </div>
        );
      })}
    </>
  );
}

const date = (iso: string) =>
  new Date(iso).toLocaleString(currentLanguage(), { dateStyle: 'medium', timeStyle: 'short' });

/** A login's previous passwords, each masked with Reveal and Copy, newest first. */
export function PasswordHistory({ view, onResult }: { view: ItemView; onResult: Report }) {
  if (view.passwordHistory.length === 0) return null;
  return (
    <details class="detail-history">
      <summary>{t('detail.passwordHistory', view.passwordHistory.length)}</summary>
      <dl class="detail-fields">
        {view.passwordHistory.map((p, i) => (
          <Secret
            key={`${i}:${p.replacedAt}`}
            itemId={view.id}
            path={`passwordHistory.${i}.password`}
            label={t('detail.replacedAt', [date(p.replacedAt)])}
            onResult={onResult}
          />
        ))}
      </dl>
    </details>
  );
}
