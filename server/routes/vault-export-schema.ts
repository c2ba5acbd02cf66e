import { z } from 'zod';
import { exportFormats } from './protocol-constants.ts';

// Imported by the extension (bundled by Vite): zod only, nothing Node-specific.

/**
 * `POST /v1/accounts/current/exports`: a device tells the server it exported the vault, so the
 * export shows in the account's activity. The export itself happens on the device: the server
 * learns only the file's format and how many items went into it, never a byte of the data.
 */

export { exportFormats };
export const exportFormat = z.enum(exportFormats);
export type ExportFormat = z.infer<typeof exportFormat>;

/** More items than any vault this server keeps (an upper bound, not a policy). */
export const MAX_EXPORTED_ITEMS = 1_000_000;

export const recordExportRequest = z.object({
  format: exportFormat,
  /** How many items the file holds. */
  items: z.number().int().min(0).max(MAX_EXPORTED_ITEMS),
});
export type RecordExportRequest = z.input<typeof recordExportRequest>;

/** When the server recorded the export (its clock, the audit event's `at`). */
export const recordExportResponse = z.object({ recordedAt: z.iso.datetime() });
export type RecordExportResponse = z.infer<typeof recordExportResponse>;
