// Extension modules define WXT storage items on import; in Node they get WXT's fake browser.
import '../e2e/support/extension-modules.ts';
import { benchAuditPrune } from './audit-prune.ts';
import { benchAuditVerify } from './audit-verify.ts';
import { benchAutofill } from './autofill.ts';
import { benchAutofillFill } from './autofill-fill.ts';
import { benchBrowserUnlock } from './browser-unlock.ts';
import { benchDeltaSync } from './delta-sync.ts';
import { benchDpop } from './dpop.ts';
import { benchHealth } from './health.ts';
import { benchImport10k, benchImportCsvMemory } from './import.ts';
import { benchPopupFirstPaint } from './popup-first-paint.ts';
import { benchRotation } from './rotation.ts';
import { benchSyncServer } from './sync-server.ts';
import { benchUnlockList } from './unlock-list.ts';

const results = [
  await benchUnlockList(),
  await benchDeltaSync(),
  await benchRotation(),
  await benchBrowserUnlock(),
  await benchPopupFirstPaint(),
  await benchImport10k(),
  await benchImportCsvMemory(),
  await benchSyncServer(),
  await benchDpop(),
  await benchAutofill(),
  await benchAutofillFill(),
  await benchAuditVerify(),
  await benchAuditPrune(),
  await benchHealth(),
];
process.stdout.write(`${JSON.stringify({ date: new Date().toISOString(), results }, null, 2)}\n`);
