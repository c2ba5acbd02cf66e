import type { ExportFormat } from '../../server/routes/vault-export-schema.ts';
import { type ExportItem, exportItems } from '../export/export-items.ts';
import { ErrorCode } from '../messaging/protocol.ts';
import { ApiClient, ApiError } from './api-client.ts';
import { VaultError } from './vault-error.ts';
import type { VaultService } from './vault-service.ts';

/**
 * An export (docs/export.md): the vault's items leave the worker for the export page, which writes
 * the file, only after the master password is entered again and checked on this device, and after
 * the server has recorded the export in the account's activity. If it cannot be recorded (the
 * server is unreachable), nothing is handed out: an export a user did not make always shows there.
 */

export type ExportVault = Pick<
  VaultService,
  'channelAuth' | 'hasAccount' | 'checkMasterPassword' | 'readVault'
>;

export class VaultExports {
  constructor(
    private readonly vault: ExportVault,
    private readonly makeApi: (baseUrl: string) => ApiClient = (baseUrl) => new ApiClient(baseUrl),
  ) {}

  async items(password: string, format: ExportFormat): Promise<ExportItem[]> {
    await this.vault.checkMasterPassword(password);
    const items = exportItems(await this.vault.readVault());
    try {
      try {
        await this.record(format, items.length, false);
      } catch (e) {
        // A token our clock thought valid but the server refused: renew it once, as a sync does.
        if (!(e instanceof ApiError && e.status === 401)) throw e;
        await this.record(format, items.length, true);
      }
    } catch (e) {
      if (e instanceof ApiError) throw new VaultError(e.code, e.detail);
      throw e;
    }
    return items;
  }

  private async record(format: ExportFormat, items: number, renew: boolean): Promise<void> {
    const auth = await this.vault.channelAuth(renew);
    if (!auth) throw new VaultError((await this.vault.hasAccount()) ? ErrorCode.Locked : ErrorCode.NoAccount);
    await this.makeApi(auth.serverUrl).recordExport(auth.accessToken, { format, items });
  }
}
