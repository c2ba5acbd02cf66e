import { z } from 'zod';
import { exportFormats } from '../../server/routes/protocol-constants.ts';
import { t } from '../i18n/index.ts';
import { ENTRIES_PER_MESSAGE } from '../import/import-entry.ts';
import { MAX_IMPORT_ITEMS } from '../import/types.ts';

/**
 * The runtime checks of the import and export page's messages to the worker (docs/import.md,
 * docs/export.md), merged into protocol-schemas.ts's map as builders (each schema built on first use); their answers are typed in
 * transfer-protocol.ts. The file itself is read on the page; only items and what the duplicate check
 * needs reach the worker, and an export's file is written on the page from what the worker answers.
 */
export const transferRequestBuilders = {
  /** Which of these logins the vault already has (same username and website), by index. */
  importDuplicates: () =>
    z.object({
      logins: z
        .array(
          z.object({
            username: z.string().max(1000),
            urls: z.array(z.string().max(5000)).max(50),
          }),
        )
        .max(MAX_IMPORT_ITEMS),
    }),
  /** Starts an import; an earlier one that was never finished is dropped. */
  importBegin: () => z.object({}),
  /** A part of the import (checked again in the worker, kept in its memory only). */
  importAdd: () =>
    z.object({
      id: z.uuid(),
      entries: z.array(z.unknown()).max(ENTRIES_PER_MESSAGE),
    }),
  /** Adds every part sent, as one change of the vault. */
  importFinish: () => z.object({ id: z.uuid() }),
  importCancel: () => z.object({ id: z.uuid() }),
  /**
   * The vault's items for an export file, written on the page: the master password is entered
   * again and checked here, and the export is recorded in the account's activity first (refused,
   * and nothing handed out, if the server cannot record it).
   */
  exportVault: () =>
    z.object({
      password: z
        .string()
        .min(1, { error: () => t('errors.check.passwordEmpty') })
        .max(1024, { error: () => t('errors.check.passwordTooLong') }),
      format: z.enum(exportFormats),
    }),
};
