import { t } from '../i18n/index.ts';
import { ImportError, type ImportFormat, type ImportIssue } from '../import/types.ts';

/** The import page's words for formats, whole-file errors and per-entry issues (locales: transfer.*). */

const FORMAT_KEYS = {
  keyhold: 'keyhold',
  'bitwarden-json': 'bitwardenJson',
  'bitwarden-csv': 'bitwardenCsv',
  'chrome-csv': 'chromeCsv',
  'firefox-csv': 'firefoxCsv',
  '1password-1pux': 'onepassword1pux',
  '1password-csv': 'onepasswordCsv',
  'keepassxc-csv': 'keepassxcCsv',
  'keepass-xml': 'keepassXml',
  'lastpass-csv': 'lastpassCsv',
  protonpass: 'protonpass',
  'dashlane-csv': 'dashlaneCsv',
} as const satisfies Record<ImportFormat, string>;

export const formatName = (format: ImportFormat): string => t(`transfer.formats.${FORMAT_KEYS[format]}`);

/** What to tell the user when the file as a whole cannot be read. */
export function importErrorMessage(e: unknown): string {
  if (!(e instanceof ImportError)) return t('transfer.error.unreadableFile');
  if (e.code === 'missingColumn') return t('transfer.error.missingColumn', [e.detail ?? '']);
  return t(`transfer.error.${e.code}`);
}

export function issueMessage(issue: ImportIssue): string {
  const detail = issue.detail ?? '';
  switch (issue.code) {
    case 'unsupportedType':
    case 'badUrl':
    case 'tooLong':
      return t(`transfer.issue.${issue.code}`, [detail]);
    default:
      return t(`transfer.issue.${issue.code}`);
  }
}
