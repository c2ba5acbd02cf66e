import { render } from 'preact';
import { currentLanguage } from '../../i18n/index.ts';
import { App } from '../../popup/app.tsx';
import { setDefaultUriMatch } from '../../popup/default-match.ts';
import { startOpening } from '../../popup/opening.ts';
import { setUpPage } from '../../settings/page-setup.ts';
import { settingsItem } from '../../storage/items.ts';

// First: the worker may be asleep; it wakes and opens the vault while this page sets itself up.
startOpening();
// The page's language is the one its strings are shown in (screen readers, fonts, hyphenation).
document.documentElement.lang = currentLanguage();
const root = document.getElementById('app');
// Theme and language first (settings/page-setup.ts); a language change later renders again.
const draw = () => {
  if (root) render(<App />, root);
};
void setUpPage(draw).then(draw);
// New website rows start with the default match mode chosen in Settings.
void settingsItem.getValue().then((s) => setDefaultUriMatch(s.defaultUriMatch));
settingsItem.watch((s) => {
  if (s) setDefaultUriMatch(s.defaultUriMatch);
});
