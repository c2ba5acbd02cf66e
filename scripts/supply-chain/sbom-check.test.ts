import { describe, expect, it } from 'vitest';
import type { ProductionPackage } from './license-policy.ts';
import { checkSbom, withProjectName } from './sbom-check.ts';

const packages: ProductionPackage[] = [
  {
    name: '@electric-sql/pglite',
    version: '0.5.16',
    location: 'node_modules/@electric-sql/pglite',
    license: 'Apache-2.0',
  },
  { name: 'hono', version: '4.13.19', location: 'node_modules/hono', license: 'MIT' },
];

const sbom = (components: { name: string; version: string }[]) =>
  JSON.stringify({
    bomFormat: 'CycloneDX',
    specVersion: '1.5',
    metadata: { component: { 'bom-ref': 'keyhold@0.1.0', name: 'checkout-dir', version: '0.1.0' } },
    components: components.map((component) => ({ type: 'library', ...component })),
  });

describe('checkSbom', () => {
  it('passes an SBOM listing every production package', () => {
    expect(
      checkSbom(
        sbom([
          { name: '@electric-sql/pglite', version: '0.5.16' },
          { name: 'hono', version: '4.13.19' },
        ]),
        packages,
      ),
    ).toEqual({ specVersion: '1.5', components: 2, missing: [] });
  });

  it('names a package that is missing or listed at another version', () => {
    expect(checkSbom(sbom([{ name: 'hono', version: '4.13.18' }]), packages).missing).toEqual([
      '@electric-sql/pglite@0.5.16',
      'hono@4.13.19',
    ]);
  });

  it('refuses text that is not CycloneDX JSON', () => {
    expect(() => checkSbom('{"spdxVersion":"SPDX-2.3"', packages)).toThrow(/^the SBOM is not JSON/);
    expect(() => checkSbom('{"spdxVersion":"SPDX-2.3"}', packages)).toThrow(
      /^the SBOM is not CycloneDX JSON: bomFormat/,
    );
  });
});

describe('withProjectName', () => {
  it("names the SBOM's own component after package.json, not the checkout's directory", () => {
    const named = JSON.parse(withProjectName(sbom([]), 'keyhold'));
    expect(named.metadata.component).toEqual({
      'bom-ref': 'keyhold@0.1.0',
      name: 'keyhold',
      version: '0.1.0',
    });
  });
});
