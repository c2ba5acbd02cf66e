import { render } from 'preact';
import { t } from '../../i18n/index.ts';
import { setUpPage } from '../../settings/page-setup.ts';
import { SettingsForm } from '../../settings/settings-form.tsx';

/** The options page (also reachable from the popup's Settings tab): the same form as the popup's tab. */
function OptionsPage() {
  document.title = t('settings.pageTitle');
  return (
    <main class="options">
      <h1>{t('settings.pageTitle')}</h1>
      <SettingsForm />
    </main>
  );
}

const root = document.getElementById('app');
const draw = () => {
  if (root) render(<OptionsPage />, root);
};
void setUpPage(draw).then(draw);
