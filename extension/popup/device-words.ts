import { t } from '../i18n/index.ts';

/** How long ago, in words a banner reads: "just now", "5 minutes ago", "3 hours ago", "2 days ago". */
export function formatAgo(iso: string, now: Date = new Date()): string {
  const seconds = Math.max(0, Math.round((now.getTime() - Date.parse(iso)) / 1000));
  if (Number.isNaN(seconds) || seconds < 60) return t('devices.justNow');
  if (seconds < 3600) return t('devices.minutesAgo', Math.floor(seconds / 60));
  if (seconds < 86_400) return t('devices.hoursAgo', Math.floor(seconds / 3600));
  return t('devices.daysAgo', Math.floor(seconds / 86_400));
}

/** An address as the server saw it, IPv4-mapped IPv6 written as IPv4; null when unknown. */
export const plainAddress = (ip: string | null): string | null =>
  ip ? ip.replace(/^::ffff:(?=\d+\.\d+\.\d+\.\d+$)/i, '') : null;

/** "New sign-in: Chrome on Linux from 203.0.113.7, just now" */
export function describeSignIn(n: { name: string; ip: string | null; at: string }, now?: Date): string {
  const from = plainAddress(n.ip);
  const when = formatAgo(n.at, now);
  return from
    ? t('devices.newSignInFrom', { name: n.name, from, when })
    : t('devices.newSignIn', { name: n.name, when });
}
