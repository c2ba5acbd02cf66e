import { render } from 'preact';
import { currentLanguage } from '../../i18n/index.ts';
import { InlineMenu } from '../../in-page/inline-menu.tsx';
import { setUpPage } from '../../settings/page-setup.ts';

// The page's language is the one its strings are shown in (screen readers, fonts, hyphenation).
document.documentElement.lang = currentLanguage();
const root = document.getElementById('app');
const draw = () => {
  if (root) render(<InlineMenu session={location.hash.slice(1)} />, root);
};
void setUpPage(draw).then(draw);
