import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  type AllowlistEntry,
  AuditUnavailableError,
  decide,
  entryMatches,
  parseAuditOutput,
  validateAllowlist,
} from './audit-policy.ts';

const fixture = (name: string) => readFileSync(join(import.meta.dirname, 'fixtures', name), 'utf8');

const entry = (overrides: Partial<AllowlistEntry> = {}): AllowlistEntry => ({
  id: 'GHSA-aaaa-bbbb-cccc',
  package: 'fast-xml-parser',
  reason: 'Only parses the user-chosen import file in the extension; no prototype is read back.',
  expires: '2027-01-31',
  reviewedBy: 'keyhold-maintainers',
  ...overrides,
});

describe('parseAuditOutput', () => {
  it('reads every advisory of an npm 11 report once, skipping the effect-only entries', () => {
    const advisories = parseAuditOutput(fixture('npm-audit-report.json'));
    expect(advisories.map((advisory) => [advisory.package, advisory.source, advisory.severity])).toEqual([
      ['fast-xml-parser', 1104001, 'high'],
      ['fast-xml-parser', 1104002, 'moderate'],
      ['strnum', 1104003, 'critical'],
      ['tdigest', 1104004, 'low'],
    ]);
    expect(advisories[0]).toMatchObject({
      url: 'https://github.com/advisories/GHSA-aaaa-bbbb-cccc',
      range: '<5.12.2',
      title: 'fast-xml-parser prototype pollution through tag names',
    });
  });

  it('reads a clean report as no advisories', () => {
    expect(parseAuditOutput(fixture('npm-audit-clean.json'))).toEqual([]);
  });

  it('fails clearly when the advisory endpoint refuses the request', () => {
    expect(() => parseAuditOutput(fixture('npm-audit-unreachable.json'))).toThrow(
      new AuditUnavailableError(
        'npm audit could not get advisories from the registry: 405 Method Not Allowed - POST https://registry.npmjs.org/-/npm/v1/security/advisories/bulk',
      ),
    );
  });

  it('fails clearly when offline, without repeating credentials from the registry URL', () => {
    let message = '';
    try {
      parseAuditOutput(fixture('npm-audit-offline.json'));
    } catch (error) {
      expect(error).toBeInstanceOf(AuditUnavailableError);
      message = (error as Error).message;
    }
    expect(message).toContain('getaddrinfo ENOTFOUND registry.example.test');
    expect(message).toContain('https://***@registry.example.test/');
    expect(message).not.toContain('s3cret');
  });

  it('fails when npm printed no JSON', () => {
    expect(() => parseAuditOutput('')).toThrow(AuditUnavailableError);
  });

  it('rejects a report of another format instead of passing it as clean', () => {
    expect(() => parseAuditOutput(JSON.stringify({ auditReportVersion: 1, advisories: {} }))).toThrow(
      /not in the expected format .*auditReportVersion/,
    );
    const broken = JSON.parse(fixture('npm-audit-report.json'));
    broken.vulnerabilities.strnum.via[0].severity = 'severe';
    expect(() => parseAuditOutput(JSON.stringify(broken))).toThrow(/vulnerabilities\.strnum\.via\.0/);
  });
});

describe('validateAllowlist', () => {
  const today = '2026-12-02';

  it('keeps complete entries that have not expired (an entry is valid through its expiry day)', () => {
    const result = validateAllowlist({ advisories: [entry(), entry({ expires: today })] }, today);
    expect(result.problems).toEqual([]);
    expect(result.entries).toHaveLength(2);
  });

  it('fails an expired entry, naming it and the day it expired', () => {
    const result = validateAllowlist({ advisories: [entry({ expires: '2026-12-01' })] }, today);
    expect(result.entries).toEqual([]);
    expect(result.problems).toEqual([
      'audit-allowlist.json entry 1 (GHSA-aaaa-bbbb-cccc in fast-xml-parser): expired on 2026-12-01; ' +
        'review the advisory again (upgrade, or renew the entry with a current reason and a new date)',
    ]);
  });

  it('fails an entry without a reason or an expiry date, one line each', () => {
    const { reason: _reason, expires: _expires, ...bare } = entry();
    const result = validateAllowlist({ advisories: [bare, entry({ reason: '   ' })] }, today);
    expect(result.entries).toEqual([]);
    expect(result.problems).toEqual([
      'audit-allowlist.json entry 1 (GHSA-aaaa-bbbb-cccc in fast-xml-parser): needs a "reason" (why the advisory does not apply to Keyhold, or why it cannot be fixed yet)',
      'audit-allowlist.json entry 1 (GHSA-aaaa-bbbb-cccc in fast-xml-parser): needs an "expires" date (YYYY-MM-DD) for the next review',
      'audit-allowlist.json entry 2 (GHSA-aaaa-bbbb-cccc in fast-xml-parser): needs a "reason" (why the advisory does not apply to Keyhold, or why it cannot be fixed yet)',
    ]);
  });

  it.each(['2027-02-30', '2027-1-31', 'next year', '31/01/2027'])('fails the expiry date %j', (expires) => {
    const result = validateAllowlist({ advisories: [entry({ expires })] }, today);
    expect(result.problems).toEqual([
      'audit-allowlist.json entry 1 (GHSA-aaaa-bbbb-cccc in fast-xml-parser): "expires" must be a calendar date written YYYY-MM-DD',
    ]);
  });

  it('fails misspelt fields, missing ids and packages, and entries that are not objects', () => {
    const { expires, id: _id, package: _package, ...rest } = entry();
    const result = validateAllowlist({ advisories: [{ ...rest, expiry: expires }, 'GHSA-x'] }, today);
    expect(result.problems).toEqual([
      'audit-allowlist.json entry 1 (? in ?): needs an "id" (npm advisory number, GHSA id or advisory URL)',
      'audit-allowlist.json entry 1 (? in ?): needs a "package" (the advisory\'s package name)',
      'audit-allowlist.json entry 1 (? in ?): needs an "expires" date (YYYY-MM-DD) for the next review',
      'audit-allowlist.json entry 1 (? in ?): has unknown field(s) "expiry"',
      'audit-allowlist.json entry 2 (? in ?): must be an object',
    ]);
  });

  it('fails a file without an advisories list', () => {
    expect(validateAllowlist([], today).problems).toEqual([
      'audit-allowlist.json must be an object with an "advisories" array',
    ]);
  });
});

describe('entryMatches', () => {
  const [advisory] = parseAuditOutput(fixture('npm-audit-report.json'));
  if (!advisory) throw new Error('fixture has advisories');

  it.each([
    'GHSA-aaaa-bbbb-cccc',
    'ghsa-AAAA-bbbb-cccc',
    'https://github.com/advisories/GHSA-aaaa-bbbb-cccc',
    '1104001',
  ])('matches the advisory by %j', (id) => {
    expect(entryMatches(entry({ id }), advisory)).toBe(true);
  });

  it('does not match another advisory or the same advisory in another package', () => {
    expect(entryMatches(entry({ id: 'GHSA-dddd-eeee-ffff' }), advisory)).toBe(false);
    expect(entryMatches(entry({ id: '1104002' }), advisory)).toBe(false);
    expect(entryMatches(entry({ package: 'strnum' }), advisory)).toBe(false);
  });
});

describe('decide', () => {
  const advisories = parseAuditOutput(fixture('npm-audit-report.json'));

  it('fails high and critical advisories, reports the others', () => {
    const decision = decide(advisories, []);
    expect(decision.failing.map((advisory) => advisory.source)).toEqual([1104001, 1104003]);
    expect(decision.reported.map((advisory) => advisory.source)).toEqual([1104002, 1104004]);
    expect(decision.allowed).toEqual([]);
  });

  it('lets an allowlisted advisory through and reports entries that match nothing', () => {
    const stale = entry({ id: 'GHSA-zzzz-zzzz-zzzz', package: 'hono' });
    const decision = decide(advisories, [entry(), stale]);
    expect(decision.failing.map((advisory) => advisory.source)).toEqual([1104003]);
    expect(decision.allowed.map(({ advisory }) => advisory.source)).toEqual([1104001]);
    expect(decision.unused).toEqual([stale]);
  });

  it('passes a clean report', () => {
    expect(decide([], [])).toEqual({ failing: [], allowed: [], reported: [], unused: [] });
  });
});
