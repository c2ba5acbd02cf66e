import { describe, expect, it } from 'vitest';
import { loadEnv } from '../env.ts';
import { CliError, failureLine } from './cli.ts';
import { ExportFormatError } from './export-format.ts';

const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5499'), { code: 'ECONNREFUSED' });

describe('the audit commands’ failure line', () => {
  it('names the variable that held the URL, without its credentials', () => {
    const both = loadEnv({
      DATABASE_URL: 'postgres://keyhold_app:app-secret@db.internal:5432/keyhold',
      DATABASE_OWNER_URL: 'postgres://owner:owner-secret@db.internal:5499/keyhold',
    });
    const line = failureLine('audit:verify', refused, both);
    expect(line).toBe(
      'audit:verify: DATABASE_OWNER_URL: cannot connect to the database at db.internal:5499/keyhold (connection refused)',
    );
    const appOnly = loadEnv({ DATABASE_URL: 'postgres://keyhold_app:app-secret@db.internal:5432/keyhold' });
    expect(failureLine('audit:verify', refused, appOnly)).toBe(
      'audit:verify: DATABASE_URL: cannot connect to the database at db.internal:5432/keyhold (connection refused)',
    );
  });

  it('says what to fix for expected failures and describes a bug without its message', () => {
    expect(failureLine('audit:export', new CliError('USAGE', '--out is required'), undefined)).toBe(
      'audit:export: --out is required',
    );
    expect(failureLine('audit:verify', new ExportFormatError(3, 'not JSON'), undefined)).toBe(
      'audit:verify: line 3: not JSON',
    );
    const bug = failureLine('audit:verify', new TypeError('value alice@example.com broke'), undefined);
    expect(bug).toMatch(/^audit:verify: unexpected failure \{"type":"TypeError","frames":\[/);
    expect(bug).not.toContain('alice');
  });
});
