import { mkdir, writeFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { ROOT, readRepoJson, runNpm } from './npm.ts';
import { productionPackages } from './production-packages.ts';
import { checkSbom, withProjectName } from './sbom-check.ts';

/**
 * `npm run deps:sbom`: writes the production dependencies' SBOM (CycloneDX JSON, from package-lock.json)
 * to .tmp/sbom.cdx.json as a build artefact, and fails unless it lists every production package.
 */

const OUTPUT = join(ROOT, '.tmp', 'sbom.cdx.json');

const projectName = async (): Promise<string> =>
  ((await readRepoJson('package.json')) as { name: string }).name;

const { stdout, stderr, code } = await runNpm([
  'sbom',
  '--omit',
  'dev',
  '--sbom-format',
  'cyclonedx',
  '--package-lock-only',
]);
if (code !== 0) {
  console.error(stderr.trim());
  console.error(`deps:sbom: npm sbom failed (exit ${code})`);
  process.exit(1);
}

const packages = await productionPackages();
const check = checkSbom(stdout, packages);
await mkdir(join(ROOT, '.tmp'), { recursive: true });
await writeFile(OUTPUT, withProjectName(stdout, await projectName()));
for (const id of check.missing) console.log(`not in the SBOM: ${id}`);
console.log(
  `deps:sbom: wrote ${relative(ROOT, OUTPUT)} (CycloneDX ${check.specVersion}, ${check.components} components); ` +
    (check.missing.length === 0
      ? `all ${packages.length} production packages listed`
      : `${check.missing.length} of ${packages.length} production packages missing`),
);
if (check.missing.length > 0) process.exitCode = 1;
