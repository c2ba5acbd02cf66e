import { render } from 'preact';
import { currentLanguage, t } from '../../i18n/index.ts';
import { setUpPage } from '../../settings/page-setup.ts';
import { ExportPanel } from '../../transfer/export-panel.tsx';
import { ImportPanel } from '../../transfer/import-panel.tsx';

/**
 * The import and export page, opened in a tab from the popup's Settings: choosing a file closes a
 * popup, so files are read and written here. Everything goes through the worker, which must be
 * unlocked; the file is read and written on this device only.
 */
function TransferPage() {
  document.title = t('transfer.pageTitle');
  document.documentElement.lang = currentLanguage();
  return (
    <main class="options transfer">
      <h1>{t('transfer.pageTitle')}</h1>
      <ImportPanel />
      <ExportPanel />
    </main>
  );
}

const root = document.getElementById('app');
const draw = () => {
  if (root) render(<TransferPage />, root);
};
void setUpPage(draw).then(() => {
  draw();
  // Opened as transfer.html#export from the popup: that part in view, its heading focused.
  const part = document.getElementById(`${location.hash.slice(1)}-heading`);
  if (part) {
    part.tabIndex = -1;
    part.focus();
  }
});
