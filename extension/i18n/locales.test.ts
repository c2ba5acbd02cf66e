import { describe, expect, it } from 'vitest';
import { builtMessages } from '../test-support/i18n.ts';
import { t } from './index.ts';

/**
 * `$1`… and `{name}` placeholders of a message, each once, sorted: a translation must use the same
 * ones (a plural's forms repeat them, and a language without plurals, like Japanese, has one form).
 */
const placeholders = (message: string) =>
  [...new Set([...message.matchAll(/\$[1-9]|\{[A-Za-z0-9_]+\}/g)].map((m) => m[0]))].sort();

describe('locales', () => {
  it('English and Japanese have exactly the same keys, each with the same placeholders', async () => {
    const [en, ja] = await Promise.all([builtMessages('en'), builtMessages('ja')]);
    expect(Object.keys(ja).sort()).toEqual(Object.keys(en).sort());
    for (const key of Object.keys(en)) {
      expect({ key, p: placeholders(ja[key]?.message ?? '') }).toEqual({
        key,
        p: placeholders(en[key]?.message ?? ''),
      });
      expect(ja[key]?.message.trim(), key).not.toBe('');
    }
  });

  it('translates through the loaded locale', () => {
    expect(t('common.cancel')).toBe('Cancel');
  });
});
