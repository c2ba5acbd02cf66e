import { describe, expect, it } from 'vitest';
import {
  checkLicenses,
  licenseFromManifest,
  type ProductionPackage,
  parseLicensePolicy,
} from './license-policy.ts';

const policy = parseLicensePolicy({
  allowed: [
    { id: 'MIT', reason: 'permissive' },
    { id: 'Apache-2.0', reason: 'our own' },
  ],
  exceptions: [
    {
      package: 'old-lib',
      license: 'MIT',
      reason: 'LICENSE file is MIT; package.json has none',
      reviewedBy: 'a',
    },
  ],
});

const pkg = (name: string, license: string | undefined): ProductionPackage => ({
  name,
  version: '1.0.0',
  location: `node_modules/${name}`,
  license,
});

describe('checkLicenses', () => {
  it('passes allowed licences and counts them', () => {
    const report = checkLicenses(
      [pkg('a', 'MIT'), pkg('b', '(MIT OR GPL-3.0)'), pkg('c', 'MIT'), pkg('d', 'Apache-2.0 AND MIT')],
      policy,
    );
    expect(report.problems).toEqual([]);
    expect(report.counts).toEqual([
      ['MIT', 2],
      ['(MIT OR GPL-3.0)', 1],
      ['Apache-2.0 AND MIT', 1],
    ]);
    expect(report.unusedExceptions).toEqual(['old-lib']);
  });

  it('fails a licence that is not allowed, an AND with one disallowed part, and a missing licence', () => {
    const report = checkLicenses(
      [pkg('gpl', 'GPL-3.0-only'), pkg('mixed', '(MIT AND Zlib)'), pkg('bare', undefined)],
      policy,
    );
    expect(report.problems).toEqual([
      'gpl@1.0.0: licence "GPL-3.0-only" is not allowed (allowed: MIT, Apache-2.0)',
      'mixed@1.0.0: licence "(MIT AND Zlib)" is not allowed (allowed: MIT, Apache-2.0)',
      "bare@1.0.0 (node_modules/bare): declares no licence; find it in the package's files and add an exception",
    ]);
    expect(report.counts).toContainEqual(['(none)', 1]);
  });

  it('fails a licence that is not an SPDX expression', () => {
    expect(checkLicenses([pkg('odd', 'BSD/MIT')], policy).problems).toEqual([
      'odd@1.0.0: licence "BSD/MIT" is not an SPDX expression (Unexpected `B` at offset 0)',
    ]);
  });

  it('accepts a package by its exception, and fails it once its licence changes', () => {
    expect(checkLicenses([pkg('old-lib', undefined)], policy)).toMatchObject({
      problems: [],
      excepted: ['old-lib@1.0.0: MIT by exception (LICENSE file is MIT; package.json has none)'],
      unusedExceptions: [],
    });
    expect(checkLicenses([pkg('old-lib', 'SSPL-1.0')], policy).problems).toEqual([
      'old-lib@1.0.0: licence is now "SSPL-1.0" but its exception in licenses.json was reviewed for "MIT"; review it again',
    ]);
  });
});

describe('parseLicensePolicy', () => {
  it('needs a reason for every allowed licence and exception', () => {
    expect(() => parseLicensePolicy({ allowed: [{ id: 'MIT' }] })).toThrow(
      'licenses.json: allowed.0.reason: needs a "reason"',
    );
    expect(() =>
      parseLicensePolicy({
        allowed: [{ id: 'MIT', reason: 'x' }],
        exceptions: [{ package: 'p', license: 'MIT', reviewedBy: 'a' }],
      }),
    ).toThrow('licenses.json: exceptions.0.reason: needs a "reason"');
  });

  it('refuses an expression or a non-identifier among the allowed licences', () => {
    expect(() => parseLicensePolicy({ allowed: [{ id: 'MIT OR GPL-3.0', reason: 'x' }] })).toThrow(
      'licenses.json: allowed "MIT OR GPL-3.0" is an expression; list each identifier on its own',
    );
    expect(() => parseLicensePolicy({ allowed: [{ id: 'MIT/X11', reason: 'x' }] })).toThrow(
      'licenses.json: allowed "MIT/X11" is not an SPDX identifier (Unexpected `1` at offset 6)',
    );
  });

  it('refuses an empty allowed list', () => {
    expect(() => parseLicensePolicy({ allowed: [] })).toThrow(
      'licenses.json: allowed: lists no allowed licence',
    );
  });
});

describe('licenseFromManifest', () => {
  it.each([
    [{ license: 'MIT' }, 'MIT'],
    [{ license: { type: 'ISC', url: 'https://example.test' } }, 'ISC'],
    [{ licenses: [{ type: 'MIT' }] }, 'MIT'],
    [{ licenses: [{ type: 'MIT' }, { type: 'Apache-2.0' }] }, '(MIT OR Apache-2.0)'],
    [{ license: '  ' }, undefined],
    [{ name: 'no-licence' }, undefined],
    [null, undefined],
  ])('%j → %s', (manifest, expected) => {
    expect(licenseFromManifest(manifest)).toBe(expected);
  });
});
