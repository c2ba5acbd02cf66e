import { useEffect, useState } from 'preact/hooks';
import type { PasswordReminder } from '../messaging/protocol.ts';
import { send } from './send.ts';

const formatDate = (iso: string) => new Date(iso).toLocaleDateString(undefined, { dateStyle: 'medium' });

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
      <h2 id="reminder-title">Time for a new master password?</h2>
      <p>
        Your master password was set on {formatDate(reminder.passwordChangedAt)}, more than {reminder.days}{' '}
        days ago. Changing it now and then is optional; change it at once if you think someone may know it.
      </p>
      <div class="row">
        <button type="button" class="primary small" onClick={onChange}>
          Change it
        </button>
        <button
          type="button"
          class="small"
          onClick={() => {
            setReminder(null);
            void send('dismissPasswordReminder', {}).catch(() => undefined);
          }}
        >
          Not now
        </button>
      </div>
    </section>
  );
}
