import { checkLicenses, parseLicensePolicy } from './license-policy.ts';
import { readRepoJson } from './npm.ts';
import { productionPackages } from './production-packages.ts';

/**
 * `npm run deps:licenses`: every production dependency's licence against supply-chain/licenses.json.
 * One line per problem, then a summary; exits 1 on any problem.
 */

const policy = parseLicensePolicy(await readRepoJson('supply-chain/licenses.json'));
const packages = await productionPackages();
const report = checkLicenses(packages, policy);

for (const line of report.excepted) console.log(`exception: ${line}`);
for (const name of report.unusedExceptions) {
  console.log(`unused exception: ${name} is not a production dependency; remove it from licenses.json`);
}
for (const problem of report.problems) console.log(`licence problem: ${problem}`);
console.log(
  `deps:licenses: ${packages.length} production packages, ${report.problems.length} problem(s); ` +
    report.counts.map(([license, count]) => `${license} ${count}`).join(', '),
);
if (report.problems.length > 0) process.exitCode = 1;
