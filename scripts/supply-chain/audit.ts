import {
  AuditUnavailableError,
  decide,
  describeAdvisory,
  parseAuditOutput,
  redactUrls,
  validateAllowlist,
} from './audit-policy.ts';
import { readRepoJson, runNpm } from './npm.ts';

/**
 * `npm run deps:audit`: `npm audit` of the production dependencies; fails on high and critical
 * advisories not covered by supply-chain/audit-allowlist.json (exit 1), on an invalid or expired allowlist
 * entry (exit 1), and exits 3 when the registry cannot be asked: a check that could not run has not
 * passed, and is not a finding either.
 */

const today = new Date().toISOString().slice(0, 10);
const allowlist = validateAllowlist(await readRepoJson('supply-chain/audit-allowlist.json'), today);
for (const problem of allowlist.problems) console.log(`allowlist problem: ${problem}`);

const { stdout, stderr } = await runNpm(['audit', '--omit=dev', '--json']);
let advisories: ReturnType<typeof parseAuditOutput>;
try {
  advisories = parseAuditOutput(stdout);
} catch (error) {
  if (!(error instanceof AuditUnavailableError)) throw error;
  if (stderr.trim()) console.error(redactUrls(stderr.trim()));
  // Not a pass and not a finding: the audit did not run. Exit 3 says so (.ci/run reports it as such).
  console.error(`deps:audit: NOT RUN, ${error.message}`);
  process.exit(3);
}

const decision = decide(advisories, allowlist.entries);
for (const { advisory, entry } of decision.allowed) {
  console.log(`allowed until ${entry.expires}: ${describeAdvisory(advisory)}; ${entry.reason}`);
}
for (const advisory of decision.reported) console.log(`below high: ${describeAdvisory(advisory)}`);
for (const entry of decision.unused) {
  console.log(`unused allowlist entry: ${entry.id} in ${entry.package} matches no advisory today; remove it`);
}
for (const advisory of decision.failing) console.log(`advisory: ${describeAdvisory(advisory)}`);
console.log(
  `deps:audit: ${advisories.length} advisories in production dependencies; ${decision.failing.length} high/critical ` +
    `not allowlisted, ${decision.allowed.length} allowlisted, ${decision.reported.length} below high; ` +
    `${allowlist.problems.length} allowlist problem(s)`,
);
if (decision.failing.length > 0 || allowlist.problems.length > 0) process.exitCode = 1;
