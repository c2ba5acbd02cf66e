import type { ExportItem } from '../export/export-items.ts';

/**
 * What the worker answers the import and export page's messages (docs/import.md, docs/export.md),
 * merged into protocol.ts's `Responses`. The requests' zod checks are in transfer-schemas.ts.
 */
export interface TransferResponses {
  importDuplicates: { duplicates: number[] };
  importBegin: { id: string; staged: number };
  importAdd: { id: string; staged: number };
  importFinish: { imported: number };
  importCancel: Record<string, never>;
  exportVault: { items: ExportItem[] };
}
