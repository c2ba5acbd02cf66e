/**
 * Payment card checks the item schema applies (docs/items.md): the Luhn checksum (ISO/IEC 7812-1
 * Annex B) and an expiry that is a real month, not already over. Both only warn about typing
 * mistakes; nothing here is a secret check.
 */

/** The Luhn checksum of a digit string: every second digit from the right doubled, sum ≡ 0 mod 10. */
export function isLuhnValid(digits: string): boolean {
  if (!/^\d+$/.test(digits)) return false;
  let sum = 0;
  for (let i = 0; i < digits.length; i++) {
    let d = digits.charCodeAt(digits.length - 1 - i) - 48;
    if (i % 2 === 1) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  return sum % 10 === 0;
}

export type ExpiryProblemKey = 'itemCheck.expMonth' | 'itemCheck.expYear' | 'itemCheck.expPast';

/**
 * What is wrong with an expiry, or null: month 1–12, year four digits (or two, read as 20YY),
 * both or neither given, and the card still valid in `now`'s month (a card expires after its month).
 */
export function cardExpiryProblem(
  month: string,
  year: string,
  now: Date,
): { field: 'expMonth' | 'expYear'; message: ExpiryProblemKey } | null {
  if (month === '' && year === '') return null;
  const m = Number(month);
  if (!/^\d{1,2}$/.test(month) || m < 1 || m > 12)
    return { field: 'expMonth', message: 'itemCheck.expMonth' };
  if (!/^(\d{2}|\d{4})$/.test(year)) return { field: 'expYear', message: 'itemCheck.expYear' };
  const y = year.length === 2 ? 2000 + Number(year) : Number(year);
  const nowMonths = now.getUTCFullYear() * 12 + now.getUTCMonth();
  if (y * 12 + (m - 1) < nowMonths) return { field: 'expYear', message: 'itemCheck.expPast' };
  return null;
}
