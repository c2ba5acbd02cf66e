import { z } from 'zod';
import { allowedSet, parseSpdx, SpdxSyntaxError, satisfies } from './spdx.ts';

/**
 * The rules of `npm run deps:licenses`, apart from asking npm for the packages: every production package's
 * licence expression must be satisfied by supply-chain/licenses.json's allowed identifiers, or the package
 * must have a reviewed exception there.
 */

export interface ProductionPackage {
  name: string;
  version: string;
  /** Where it sits in the tree, e.g. `node_modules/hono-openapi/node_modules/openapi-types`. */
  location: string;
  /** The SPDX expression as published; undefined when the package declares none. */
  license: string | undefined;
}

const reasoned = {
  reason: z.string({ error: 'needs a "reason"' }).trim().min(1, { error: 'needs a "reason"' }),
};

const policySchema = z.strictObject({
  $comment: z.string().optional(),
  allowed: z
    .array(z.strictObject({ id: z.string().trim().min(1), ...reasoned }))
    .min(1, { error: 'lists no allowed licence' }),
  exceptions: z
    .array(
      z.strictObject({
        package: z.string().trim().min(1),
        /** The licence as reviewed: a package that changes licence needs a new review. */
        license: z.string().trim().min(1),
        ...reasoned,
        reviewedBy: z.string().trim().min(1),
      }),
    )
    .default([]),
});

export type LicensePolicy = z.infer<typeof policySchema>;

/** Parses licenses.json; throws an error naming the first wrong field. */
export function parseLicensePolicy(json: unknown): LicensePolicy {
  const parsed = policySchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new Error(`licenses.json: ${issue?.path.join('.') || '(top level)'}: ${issue?.message}`);
  }
  for (const { id } of parsed.data.allowed) {
    let term: ReturnType<typeof parseSpdx>;
    try {
      term = parseSpdx(id);
    } catch (error) {
      throw new Error(
        `licenses.json: allowed "${id}" is not an SPDX identifier (${(error as Error).message})`,
      );
    }
    if (!('license' in term)) {
      throw new Error(`licenses.json: allowed "${id}" is an expression; list each identifier on its own`);
    }
  }
  return parsed.data;
}

/**
 * The licence a package.json declares: `license` as a string or the old `{ type }` object, or the older
 * `licenses` array (which meant "any of these").
 */
export function licenseFromManifest(manifest: unknown): string | undefined {
  if (typeof manifest !== 'object' || manifest === null) return undefined;
  const { license, licenses } = manifest as { license?: unknown; licenses?: unknown };
  const named = (value: unknown): string | undefined => {
    const text = typeof value === 'object' && value !== null ? (value as { type?: unknown }).type : value;
    return typeof text === 'string' && text.trim() !== '' ? text.trim() : undefined;
  };
  const single = named(license);
  if (single) return single;
  if (Array.isArray(licenses)) {
    const ids = licenses.map(named).filter((id): id is string => id !== undefined);
    if (ids.length === 1) return ids[0];
    if (ids.length > 1) return `(${ids.join(' OR ')})`;
  }
  return undefined;
}

export interface LicenseReport {
  problems: string[];
  /** Packages per licence expression as published (`(none)` when missing), most common first. */
  counts: [string, number][];
  /** Packages accepted through an exception. */
  excepted: string[];
  /** Exceptions naming a package that is not a production dependency any more: remove them. */
  unusedExceptions: string[];
}

export function checkLicenses(packages: ProductionPackage[], policy: LicensePolicy): LicenseReport {
  const allowed = allowedSet(policy.allowed.map(({ id }) => id));
  const allowedList = policy.allowed.map(({ id }) => id).join(', ');
  const report: LicenseReport = { problems: [], counts: [], excepted: [], unusedExceptions: [] };
  const counts = new Map<string, number>();
  const usedExceptions = new Set<string>();

  for (const pkg of packages) {
    const id = `${pkg.name}@${pkg.version}`;
    counts.set(pkg.license ?? '(none)', (counts.get(pkg.license ?? '(none)') ?? 0) + 1);
    const exception = policy.exceptions.find((candidate) => candidate.package === pkg.name);
    if (exception) {
      usedExceptions.add(exception.package);
      if (pkg.license === undefined || pkg.license === exception.license) {
        report.excepted.push(`${id}: ${exception.license} by exception (${exception.reason})`);
      } else {
        report.problems.push(
          `${id}: licence is now "${pkg.license}" but its exception in licenses.json was reviewed for ` +
            `"${exception.license}"; review it again`,
        );
      }
      continue;
    }
    if (pkg.license === undefined) {
      report.problems.push(
        `${id} (${pkg.location}): declares no licence; find it in the package's files and add an exception`,
      );
      continue;
    }
    try {
      if (!satisfies(parseSpdx(pkg.license), allowed)) {
        report.problems.push(`${id}: licence "${pkg.license}" is not allowed (allowed: ${allowedList})`);
      }
    } catch (error) {
      if (!(error instanceof SpdxSyntaxError)) throw error;
      report.problems.push(`${id}: licence "${pkg.license}" is not an SPDX expression (${error.message})`);
    }
  }

  report.counts = [...counts].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
  report.unusedExceptions = policy.exceptions
    .filter((exception) => !usedExceptions.has(exception.package))
    .map((exception) => exception.package);
  return report;
}
