import { z } from 'zod';
import type { ProductionPackage } from './license-policy.ts';

/**
 * What `npm run deps:sbom` checks of the SBOM npm wrote: a CycloneDX JSON document with a component
 * for every production package (same name and version).
 */

const sbomSchema = z.looseObject({
  bomFormat: z.literal('CycloneDX'),
  specVersion: z.string(),
  components: z.array(z.looseObject({ name: z.string(), version: z.string().optional() })),
});

export interface SbomCheck {
  specVersion: string;
  components: number;
  /** `name@version` of production packages the SBOM does not list. */
  missing: string[];
}

/** Throws when the text is not a CycloneDX JSON document; otherwise lists what is missing. */
export function checkSbom(text: string, packages: ProductionPackage[]): SbomCheck {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new Error(`the SBOM is not JSON: ${(error as Error).message}`);
  }
  const parsed = sbomSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new Error(
      `the SBOM is not CycloneDX JSON: ${issue?.path.join('.') || '(top level)'}: ${issue?.message}`,
    );
  }
  const listed = new Set(parsed.data.components.map((component) => `${component.name}@${component.version}`));
  return {
    specVersion: parsed.data.specVersion,
    components: parsed.data.components.length,
    missing: packages.map((pkg) => `${pkg.name}@${pkg.version}`).filter((id) => !listed.has(id)),
  };
}

/**
 * npm names the SBOM's own component after the checkout's directory (`keyhold`, `supply`, `repo`…) when
 * it reads the lock file; its bom-ref and purl already carry package.json's name, so the name follows them.
 */
export function withProjectName(text: string, name: string): string {
  const sbom = JSON.parse(text) as { metadata?: { component?: { name?: string } } };
  if (sbom.metadata?.component) sbom.metadata.component.name = name;
  return `${JSON.stringify(sbom, null, 2)}\n`;
}
