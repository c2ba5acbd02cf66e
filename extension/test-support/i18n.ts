import path from 'node:path';
import { generateChromeMessagesText, parseMessagesFile } from '@wxt-dev/i18n/build';
import { type ChromeMessages, type Language, useMessages } from '../i18n/index.ts';

/** A locale's messages.json as the build makes it, from extension/locales/<lang>.yml. */
export async function builtMessages(lang: Language): Promise<ChromeMessages> {
  const file = path.resolve(import.meta.dirname, `../locales/${lang}.yml`);
  return JSON.parse(generateChromeMessagesText(await parseMessagesFile(file))) as ChromeMessages;
}

// WXT's fake browser has no i18n: unit tests read English from the same file the build uses.
useMessages('en', await builtMessages('en'));
