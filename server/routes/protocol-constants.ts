// Imported by the extension's service worker at start-up: plain values, no zod. The schemas that
// re-export them are loaded by the worker only when it first talks to the server (api-client.ts).

/** The wire protocol this server speaks (docs/protocol.md); raised only by an incompatible change. */
export const PROTOCOL_VERSION = 1;
/** The oldest client protocol this server still answers correctly. */
export const MIN_CLIENT_PROTOCOL_VERSION = 1;

/**
 * Optional push header: the lineage id the pushing device's revisions come from, `none` for a
 * database never restored. A different one is refused (409 LINEAGE_CHANGED, nothing applied).
 */
export const LINEAGE_HEADER = 'Keyhold-Lineage';
export const NO_LINEAGE = 'none';

/** Export file formats (vault-export-schema.ts). `keyhold`: the encrypted Keyhold file; `json` and `csv`: plain files other managers read. */
export const exportFormats = ['keyhold', 'json', 'csv'] as const;
