import { useEffect, useState } from 'preact/hooks';
import { currentLanguage, t } from '../i18n/index.ts';
import type { PasswordReminder } from '../messaging/protocol.ts';
import { send } from './send.ts';

const formatDate = (iso: string) =>
  new Date(iso).toLocaleDateString(currentLanguage(), { dateStyle: 'medium' });

/**
 * The optional reminder the server's policy may ask for (`passwordReminderDays`): a suggestion, never
 * an expiry (docs/accounts.md). "Not now" silences it for another period.
 */
export function PasswordReminderBanner({ onChange }: { onChange: () => void }) {
  const [reminder, setReminder] = useState<PasswordReminder | null>(null);
  useEffect(() => {
    let live = true;
    send('passwordReminder', {}).then(
      (r) => live && setReminder(r),
      () => undefined,
    );
    return () => {
      live = false;
    };
  }, []);
  if (!reminder?.due || !reminder.passwordChangedAt) return null;
  return (
    <section class="reminder" aria-labelledby="reminder-title">
      <h2 id="reminder-title">{t('banners.reminderTitle')}</h2>
      <p>
        {t('banners.reminderText', {
          date: formatDate(reminder.passwordChangedAt),
          days: reminder.days ?? '',
        })}
      </p>
      <div class="row">
        <button type="button" class="primary small" onClick={onChange}>
          {t('banners.changeIt')}
        </button>
        <button
          type="button"
          class="small"
          onClick={() => {
            setReminder(null);
            void send('dismissPasswordReminder', {}).catch(() => undefined);
          }}
        >
          {t('banners.notNow')}
        </button>
      </div>
    </section>
  );
}
