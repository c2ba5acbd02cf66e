import type { ExportFormat } from '../../server/routes/vault-export-schema.ts';
import { type ExportItem, exportItems } from '../export/export-items.ts';
import { ApiClient } from './api-client.ts';
import { type SessionVault, withSession } from './session-call.ts';
import type { VaultService } from './vault-service.ts';

/**
 * An export (docs/export.md): the vault's items leave the worker for the export page, which writes
 * the file, only after the master password is entered again and checked on this device, and after
 * the server has recorded the export in the account's activity. If it cannot be recorded (the
 * server is unreachable), nothing is handed out: an export a user did not make always shows there.
 */

export type ExportVault = SessionVault & Pick<VaultService, 'checkMasterPassword' | 'readVault'>;

export class VaultExports {
  constructor(
    private readonly vault: ExportVault,
    private readonly makeApi: (baseUrl: string) => ApiClient = (baseUrl) => new ApiClient(baseUrl),
  ) {}

  async items(password: string, format: ExportFormat): Promise<ExportItem[]> {
    await this.vault.checkMasterPassword(password);
    const items = exportItems(await this.vault.readVault());
    const record = { format, items: items.length };
    await withSession(this.vault, this.makeApi, (api, token) => api.recordExport(token, record));
    return items;
  }
}
