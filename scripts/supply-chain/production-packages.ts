import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { licenseFromManifest, type ProductionPackage } from './license-policy.ts';
import { ROOT, runNpm } from './npm.ts';

/**
 * The production dependency set: every package reachable from package.json's `dependencies` without
 * passing through a dev dependency, read from package-lock.json (so it needs no install).
 *
 * This is npm's own `:root *:not(.dev)` selector, the one `npm sbom --omit dev` uses, so the licence
 * check and the SBOM cover the same packages. `npm ls --omit=dev` would add the "devOptional" packages:
 * wxt's whole tree, which is a dev dependency that @wxt-dev/i18n also names as an optional peer, and is
 * never loaded by the server or shipped in the extension.
 */
export const PRODUCTION_SELECTOR = ':root *:not(.dev)';

const queryResultSchema = z.array(
  z.looseObject({
    name: z.string(),
    version: z.string(),
    location: z.string(),
    license: z.unknown().optional(),
    licenses: z.unknown().optional(),
  }),
);

export async function productionPackages(): Promise<ProductionPackage[]> {
  const { stdout, stderr, code } = await runNpm(['query', PRODUCTION_SELECTOR, '--package-lock-only']);
  if (code !== 0) throw new Error(`npm query failed (exit ${code}): ${stderr.trim()}`);
  const parsed = queryResultSchema.safeParse(JSON.parse(stdout));
  if (!parsed.success) throw new Error(`npm query printed an unexpected result: ${parsed.error.message}`);

  return Promise.all(
    parsed.data.map(async (node) => ({
      name: node.name,
      version: node.version,
      location: node.location,
      license: licenseFromManifest(node) ?? (await installedLicense(node.location)),
    })),
  );
}

/** The lock file leaves `license` out when the package.json has none in that form; ask the package itself. */
async function installedLicense(location: string): Promise<string | undefined> {
  try {
    return licenseFromManifest(JSON.parse(await readFile(join(ROOT, location, 'package.json'), 'utf8')));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}
