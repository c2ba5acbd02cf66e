import { useEffect, useState } from 'preact/hooks';
import { t } from '../i18n/index.ts';
import type { ActivityEvent } from '../messaging/protocol.ts';
import { describeActivity, describeAddress, describeDevice, formatWhen } from './activity-words.ts';
import { send } from './send.ts';
import { useAction } from './use-action.ts';

interface Props {
  onBack: () => void;
}

/**
 * The account's activity as the server recorded it: newest first, a page at a time. Each entry
 * names its device session by name and short id (the same on every entry of that session), so an
 * entry the user does not recognise points at the device that did it.
 */
export function ActivityScreen({ onBack }: Props) {
  const [events, setEvents] = useState<ActivityEvent[]>([]);
  /** The `before` of the next (older) page; null when the first event is shown. */
  const [next, setNext] = useState<number | null>(null);
  const [loaded, setLoaded] = useState(false);
  const { busy, error, run } = useAction();

  const load = (before?: number) =>
    run(async () => {
      const page = await send('accountActivity', before === undefined ? {} : { before });
      // Older pages append below; an event already shown (a repeated page) is not shown twice.
      setEvents((shown) => {
        const oldest = before === undefined ? Number.POSITIVE_INFINITY : (shown.at(-1)?.seq ?? 0);
        const base = before === undefined ? [] : shown;
        return [...base, ...page.events.filter((e) => e.seq < oldest)];
      });
      setNext(page.next);
      setLoaded(true);
    });

  useEffect(() => {
    void load();
  }, []);

  return (
    <main aria-busy={busy}>
      <div class="row">
        <h1>{t('activity.title')}</h1>
        <span class="spacer" />
        <button type="button" onClick={onBack}>
          {t('common.back')}
        </button>
      </div>
      <p class="hint">{t('activity.hint')}</p>
      {error && <p role="alert">{error}</p>}
      {loaded && events.length === 0 && <p class="empty">{t('activity.empty')}</p>}
      <ul class="activity" aria-label={t('activity.title')}>
        {events.map((e) => (
          <ActivityEntry key={e.seq} event={e} />
        ))}
      </ul>
      {busy && <p class="status">{t('activity.loading')}</p>}
      {!busy && !loaded && error && (
        <button type="button" onClick={() => void load()}>
          {t('activity.tryAgain')}
        </button>
      )}
      {next !== null && (
        <button type="button" disabled={busy} onClick={() => void load(next)}>
          {t('activity.loadOlder')}
        </button>
      )}
    </main>
  );
}

function ActivityEntry({ event }: { event: ActivityEvent }) {
  const device = describeDevice(event.device);
  const from = describeAddress(event.ip);
  return (
    <li>
      <span class="what">{describeActivity(event)}</span>
      <span>
        <time class="when" dateTime={event.at}>
          {formatWhen(event.at)}
        </time>
        {from && (
          <>
            {' · '}
            <span class="from">{from}</span>
          </>
        )}
      </span>
      {device && (
        <span
          class="device"
          title={event.device ? t('activity.sessionTitle', { id: event.device.sessionId }) : undefined}
        >
          {device}
        </span>
      )}
    </li>
  );
}
