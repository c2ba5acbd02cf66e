/**
 * A database URL as messages may name it: host, port and database only — never the user's password
 * or the query string (which can carry one). Used by start-up errors and the backup scripts.
 */
export function printableUrl(url: string): string {
  try {
    const parsed = new URL(url);
    return `${parsed.host}${parsed.pathname}`;
  } catch {
    return '(an unparsable URL)';
  }
}
