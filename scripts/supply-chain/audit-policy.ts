import { z } from 'zod';

/**
 * The rules of `npm run deps:audit`, apart from running npm: reading `npm audit --json` (npm 11, report
 * version 2), validating supply-chain/audit-allowlist.json against a given day, and deciding which
 * advisories fail the check (high and critical ones that no valid allowlist entry covers).
 */

export const FAILING_SEVERITIES: ReadonlySet<string> = new Set(['high', 'critical']);

const severity = z.enum(['info', 'low', 'moderate', 'high', 'critical']);

/** One advisory as npm 11 reports it inside a vulnerability's `via` list. */
const advisorySchema = z.looseObject({
  source: z.number(),
  name: z.string(),
  title: z.string(),
  url: z.string(),
  severity,
  range: z.string().optional(),
});

const reportSchema = z.looseObject({
  auditReportVersion: z.literal(2),
  vulnerabilities: z.record(
    z.string(),
    // `via` also names other vulnerable packages (strings): those are effects, counted where they start.
    z.looseObject({ name: z.string(), via: z.array(z.union([z.string(), advisorySchema])) }),
  ),
});

export interface Advisory {
  source: number;
  package: string;
  title: string;
  url: string;
  severity: z.infer<typeof severity>;
  range: string | undefined;
}

/** The registry could not be asked (network, proxy, endpoint error): the check cannot pass. */
export class AuditUnavailableError extends Error {}

/** Credentials a registry URL may carry (https://user:token@host/) never reach the output. */
export const redactUrls = (text: string): string => text.replace(/\/\/[^/\s@]+@/g, '//***@');

/** Reads what `npm audit --json` printed; the advisories, one per source and package. */
export function parseAuditOutput(stdout: string): Advisory[] {
  let json: unknown;
  try {
    json = JSON.parse(stdout);
  } catch {
    throw new AuditUnavailableError('npm audit printed no JSON report (see its error output above)');
  }
  if (typeof json === 'object' && json !== null && !('vulnerabilities' in json)) {
    const failure = json as { message?: unknown; error?: { code?: unknown; summary?: unknown } };
    const detail = [failure.message, failure.error?.summary, failure.error?.code].find(
      (value) => typeof value === 'string' && value !== '',
    );
    if (detail !== undefined) {
      throw new AuditUnavailableError(
        `npm audit could not get advisories from the registry: ${redactUrls(String(detail))}`,
      );
    }
  }
  const parsed = reportSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new Error(
      `npm audit's report is not in the expected format (npm 11, auditReportVersion 2): ` +
        `${issue?.path.join('.') || '(top level)'}: ${issue?.message}`,
    );
  }
  const advisories = new Map<string, Advisory>();
  for (const vulnerability of Object.values(parsed.data.vulnerabilities)) {
    for (const via of vulnerability.via) {
      if (typeof via === 'string') continue;
      advisories.set(`${via.source} ${via.name}`, {
        source: via.source,
        package: via.name,
        title: via.title,
        url: via.url,
        severity: via.severity,
        range: via.range,
      });
    }
  }
  return [...advisories.values()].sort((a, b) => a.package.localeCompare(b.package) || a.source - b.source);
}

/** `2026-02-28` yes; `2026-02-30`, `2026-2-1` and `next year` no. */
function isCalendarDay(day: string): boolean {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(day)) return false;
  const date = new Date(`${day}T00:00:00Z`);
  return !Number.isNaN(date.getTime()) && date.toISOString().startsWith(day);
}

const text = (what: string) =>
  z
    .string({ error: `needs ${what}` })
    .trim()
    .min(1, { error: `needs ${what}` });

const entrySchema = z.strictObject({
  id: text('an "id" (npm advisory number, GHSA id or advisory URL)'),
  package: text('a "package" (the advisory\'s package name)'),
  reason: text('a "reason" (why the advisory does not apply to Keyhold, or why it cannot be fixed yet)'),
  expires: z
    .string({ error: 'needs an "expires" date (YYYY-MM-DD) for the next review' })
    .refine(isCalendarDay, { error: '"expires" must be a calendar date written YYYY-MM-DD' }),
  reviewedBy: text('a "reviewedBy" (who reviewed the advisory)'),
});

export type AllowlistEntry = z.infer<typeof entrySchema>;

const fileSchema = z.looseObject({ advisories: z.array(z.unknown()) });

/**
 * Validates the allowlist on `today` (YYYY-MM-DD, UTC). An entry is valid through its expiry day.
 * Every problem is a line naming the entry; any problem fails the check.
 */
export function validateAllowlist(
  json: unknown,
  today: string,
): { entries: AllowlistEntry[]; problems: string[] } {
  const file = fileSchema.safeParse(json);
  if (!file.success) {
    return { entries: [], problems: ['audit-allowlist.json must be an object with an "advisories" array'] };
  }
  const entries: AllowlistEntry[] = [];
  const problems: string[] = [];
  file.data.advisories.forEach((raw, index) => {
    const named = (typeof raw === 'object' && raw !== null ? raw : {}) as Record<string, unknown>;
    const label = `audit-allowlist.json entry ${index + 1} (${String(named.id ?? '?')} in ${String(named.package ?? '?')})`;
    const entry = entrySchema.safeParse(raw);
    if (!entry.success) {
      for (const issue of entry.error.issues) {
        const message =
          issue.code === 'unrecognized_keys'
            ? `has unknown field(s) ${issue.keys.map((key) => `"${key}"`).join(', ')}`
            : issue.path.length === 0
              ? 'must be an object'
              : issue.message;
        problems.push(`${label}: ${message}`);
      }
      return;
    }
    if (entry.data.expires < today) {
      problems.push(
        `${label}: expired on ${entry.data.expires}; review the advisory again (upgrade, or renew the entry with a current reason and a new date)`,
      );
      return;
    }
    entries.push(entry.data);
  });
  return { entries, problems };
}

const GHSA = /GHSA-[a-z0-9]{4}-[a-z0-9]{4}-[a-z0-9]{4}/i;

/** An entry names an advisory by its npm number, its GHSA id or its URL, and always by package. */
export function entryMatches(entry: AllowlistEntry, advisory: Advisory): boolean {
  if (entry.package !== advisory.package) return false;
  const id = entry.id.trim().toLowerCase();
  if (id === String(advisory.source) || id === advisory.url.toLowerCase()) return true;
  const entryGhsa = GHSA.exec(id)?.[0];
  const advisoryGhsa = GHSA.exec(advisory.url)?.[0];
  return entryGhsa !== undefined && entryGhsa.toLowerCase() === advisoryGhsa?.toLowerCase();
}

export interface AuditDecision {
  /** High or critical, not allowlisted: the check fails. */
  failing: Advisory[];
  /** Covered by an allowlist entry. */
  allowed: { advisory: Advisory; entry: AllowlistEntry }[];
  /** Below high, not allowlisted: reported, not failing. */
  reported: Advisory[];
  /** Entries that match no advisory of today's report: remove them. */
  unused: AllowlistEntry[];
}

export function decide(advisories: Advisory[], entries: AllowlistEntry[]): AuditDecision {
  const decision: AuditDecision = { failing: [], allowed: [], reported: [], unused: [] };
  const used = new Set<AllowlistEntry>();
  for (const advisory of advisories) {
    const entry = entries.find((candidate) => entryMatches(candidate, advisory));
    if (entry) {
      used.add(entry);
      decision.allowed.push({ advisory, entry });
    } else if (FAILING_SEVERITIES.has(advisory.severity)) {
      decision.failing.push(advisory);
    } else {
      decision.reported.push(advisory);
    }
  }
  decision.unused = entries.filter((entry) => !used.has(entry));
  return decision;
}

export const describeAdvisory = (advisory: Advisory): string =>
  `${advisory.severity} ${advisory.package}${advisory.range ? ` ${advisory.range}` : ''}: ${advisory.title} (${advisory.url})`;
