import { columns, findColumn } from './csv.ts';
import {
  extraFields,
  type HeaderRule,
  isoFromMillis,
  looksFormat,
  mapRows,
  readFormatTable,
} from './csv-rows.ts';
import type { CandidateField, ImportFile, Parser } from './types.ts';

/**
 * Firefox's "Export Logins…" CSV (about:logins; docs/import-formats/firefox-csv.md): every cell quoted,
 * CRLF line ends, columns `url,username,password,httpRealm,formActionOrigin,guid,timeCreated,
 * timeLastUsed,timePasswordChanged`, times in milliseconds since 1970. Every row is a login; Firefox
 * has no titles, so the title is the website's host.
 */

const URL_ = 'url';
const USERNAME = 'username';
const PASSWORD = 'password';
const HTTP_REALM = 'httpRealm';
const FORM_ACTION = 'formActionOrigin';
const GUID = 'guid';
const CREATED = 'timeCreated';
const LAST_USED = 'timeLastUsed';
const CHANGED = 'timePasswordChanged';

const OWN = [URL_, USERNAME, PASSWORD, HTTP_REALM, FORM_ACTION, GUID, CREATED, LAST_USED, CHANGED];
const RULE: HeaderRule = { own: { columns: OWN, min: 2 }, required: [URL_, USERNAME, PASSWORD] };

/**
 * Firefox's own credentials, which older versions exported beside the user's: `chrome://` is the
 * browser's internal scheme (`chrome://FirefoxAccounts` holds the Firefox account's sync keys as
 * JSON in the password cell). No web page has such an address; the row is skipped.
 */
const BROWSER_INTERNAL = /^\s*chrome:\/\//i;

/** The origin of `url` ("https://a.example:8443"), or '' when it is not a URL with one. */
function originOf(url: string): string {
  try {
    const origin = new URL(url.trim()).origin;
    return origin === 'null' ? '' : origin;
  } catch {
    return '';
  }
}

export const parseFirefoxCsv: Parser = async (file, options) => {
  const table = readFormatTable(file, options, RULE);
  const col = columns(table);
  const extra = extraFields(table, OWN);
  // Firefox has no titles: each is made (entry-rules.ts), without a 'titleMade' issue for every row.
  return mapRows(
    'firefox-csv',
    table,
    (row, source, issues) => {
      const url = col.get(row, URL_);
      if (BROWSER_INTERNAL.test(url)) {
        issues.push({ source, title: '', outcome: 'skipped', code: 'unsupportedType', detail: url.trim() });
        return null;
      }
      const fields: CandidateField[] = [];
      const realm = col.get(row, HTTP_REALM);
      if (realm.trim() !== '') fields.push({ name: 'HTTP realm', value: realm, kind: 'text' });
      // Where the login form sent the password, when that is another site than the page ("javascript:"
      // is Firefox's mark for a form sent by script, not a place).
      const action = col.get(row, FORM_ACTION).trim();
      if (action !== '' && action !== 'javascript:' && action !== originOf(url))
        fields.push({ name: 'Form action origin', value: action, kind: 'text' });
      return {
        source,
        type: 'login',
        title: '',
        username: col.get(row, USERNAME),
        password: col.get(row, PASSWORD),
        urls: url.trim() === '' ? [] : [url],
        fields: [...fields, ...extra(row)],
        createdAt: isoFromMillis(col.get(row, CREATED)),
        updatedAt: isoFromMillis(col.get(row, CHANGED)),
      };
    },
    { quietTitles: true },
  );
};

/** A Firefox export: url, username, password and one of Firefox's own columns. */
export function looksFirefoxCsv(file: ImportFile, text?: string): boolean {
  return looksFormat(file, text, RULE, (header) =>
    [HTTP_REALM, FORM_ACTION, GUID, CREATED, CHANGED].some((name) => findColumn(header, name) !== -1),
  );
}
