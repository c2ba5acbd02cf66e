import { useEffect, useState } from 'preact/hooks';
import { t } from '../i18n/index.ts';
import { SLOT, Slotted } from '../i18n/rich-text.tsx';
import type { DeviceInfo, DeviceList } from '../messaging/protocol.ts';
import { formatWhen } from './activity-words.ts';
import { formatAgo, plainAddress } from './device-words.ts';
import { send } from './send.ts';
import { fieldsIn, useAction } from './use-action.ts';

interface Props {
  onBack: () => void;
}

/**
 * Every device signed in to this vault (docs/sessions.md "In the extension"): its name (sealed on
 * the server, opened by the worker), when it signed in, when it was last seen and from where; this
 * device marked and renamed here; any other logged out, or all of them at once after a confirmation.
 */
export function DevicesScreen({ onBack }: Props) {
  const [list, setList] = useState<DeviceList | null>(null);
  const [label, setLabel] = useState('');
  const [confirmAll, setConfirmAll] = useState(false);
  const [done, setDone] = useState<string | null>(null);
  const { busy, error, fieldErrors, run, clearField } = useAction(fieldsIn(['label']));

  const show = (l: DeviceList) => {
    setList(l);
    setLabel(l.label);
  };
  const load = () => run(async () => show(await send('listDevices', {})));
  useEffect(() => {
    void load();
  }, []);

  const others = list?.devices.filter((d) => !d.current) ?? [];

  const rename = (e: Event) => {
    e.preventDefault();
    setDone(null);
    void run(async () => {
      show(await send('renameDevice', { label }));
      setDone(t('devices.nameSaved'));
    });
  };
  const logOut = (d: DeviceInfo) => {
    setDone(null);
    void run(async () => {
      show(await send('logOutDevice', { id: d.id }));
      setDone(t('devices.loggedOut', { name: d.name }));
    });
  };
  const logOutOthers = () => {
    setDone(null);
    void run(async () => {
      const { ended, devices } = await send('logOutOtherDevices', {});
      setList((l) => (l ? { ...l, devices } : l));
      setConfirmAll(false);
      setDone(t('devices.othersLoggedOut', ended));
    });
  };

  return (
    <main aria-busy={busy}>
      <div class="row">
        <h1>{t('devices.title')}</h1>
        <span class="spacer" />
        <button type="button" onClick={onBack}>
          {t('common.back')}
        </button>
      </div>
      <p class="hint">{t('devices.hint')}</p>
      {done && (
        <p class="done-notice" role="status">
          {done}
        </p>
      )}
      {error && <p role="alert">{error}</p>}
      {!list && error && (
        <button type="button" disabled={busy} onClick={() => void load()}>
          {t('devices.tryAgain')}
        </button>
      )}
      {list && (
        <ul class="devices" aria-label={t('devices.listLabel')}>
          {list.devices.map((d) => (
            <DeviceEntry key={d.id} device={d} busy={busy} onLogOut={() => logOut(d)} />
          ))}
        </ul>
      )}
      {list && others.length > 0 && !confirmAll && (
        <button type="button" class="danger" disabled={busy} onClick={() => setConfirmAll(true)}>
          {t('devices.logOutOthers')}
        </button>
      )}
      {confirmAll && (
        <section class="choice" role="alertdialog" aria-labelledby="log-out-all-title">
          <h2 id="log-out-all-title">{t('devices.logOutOthersTitle')}</h2>
          <p>{t('devices.logOutOthersText', others.length)}</p>
          <button type="button" class="danger" disabled={busy} onClick={logOutOthers}>
            {t('devices.logOutOthersYes')}
          </button>
          <button type="button" disabled={busy} onClick={() => setConfirmAll(false)}>
            {t('common.cancel')}
          </button>
        </section>
      )}
      {list && (
        <form onSubmit={rename} noValidate>
          <label>
            {t('devices.nameLabel')}
            <input
              value={label}
              maxLength={60}
              placeholder={list.browser}
              onInput={(e) => {
                setLabel(e.currentTarget.value);
                clearField('label');
              }}
            />
          </label>
          {fieldErrors.label && <p role="alert">{fieldErrors.label}</p>}
          <p class="hint">{t('devices.nameHint', { browser: list.browser })}</p>
          <button type="submit" disabled={busy}>
            {t('devices.saveName')}
          </button>
        </form>
      )}
    </main>
  );
}

function DeviceEntry(props: { device: DeviceInfo; busy: boolean; onLogOut: () => void }) {
  const d = props.device;
  const signedInFrom = plainAddress(d.createdIp);
  const lastFrom = plainAddress(d.lastIp);
  return (
    <li aria-label={d.name}>
      <span class="what">
        <span class="name">{d.name}</span>
        {d.current && <span class="badge">{t('devices.thisDevice')}</span>}
      </span>
      <span class="when">
        <Slotted
          text={
            signedInFrom
              ? t('devices.signedInFrom', { when: SLOT, from: signedInFrom })
              : t('devices.signedIn', { when: SLOT })
          }
        >
          <time dateTime={d.createdAt}>{formatWhen(d.createdAt)}</time>
        </Slotted>
      </span>
      <span class="seen">
        <Slotted
          text={
            lastFrom
              ? t('devices.lastSeenFrom', { when: SLOT, from: lastFrom })
              : t('devices.lastSeen', { when: SLOT })
          }
        >
          <time dateTime={d.lastSeenAt}>{formatAgo(d.lastSeenAt)}</time>
        </Slotted>
      </span>
      {!d.current && (
        <button
          type="button"
          class="small"
          aria-label={t('devices.logOutNamed', { name: d.name })}
          disabled={props.busy}
          onClick={props.onLogOut}
        >
          {t('devices.logOut')}
        </button>
      )}
    </li>
  );
}
