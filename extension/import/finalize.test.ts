import { describe, expect, it } from 'vitest';
import { finalize } from './finalize.ts';
import type { Candidate } from './types.ts';

const NOW = new Date('2026-12-01T00:00:00Z');
const run = (c: Partial<Candidate> & Pick<Candidate, 'type'>) =>
  finalize([{ source: 1, title: 'T', ...c }], NOW);

describe('finalize: candidates to items', () => {
  it('keeps a login as it is, with its history newest first', () => {
    const { items, issues } = run({
      type: 'login',
      username: 'ada',
      password: ' pw with spaces ',
      urls: ['https://a.example/login', 'b.example'],
      totp: 'JBSWY3DPEHPK3PXP',
      folder: 'Work/Servers',
      favorite: true,
      passwordHistory: [
        { password: 'old1', replacedAt: '2024-01-01T00:00:00Z' },
        { password: 'old2', replacedAt: '2025-01-01T00:00:00Z' },
      ],
    });
    expect(issues).toEqual([]);
    const item = items[0];
    expect(item?.input).toMatchObject({
      type: 'login',
      title: 'T',
      username: 'ada',
      password: ' pw with spaces ',
      uris: [
        { url: 'https://a.example/login', match: 'domain' },
        { url: 'b.example', match: 'domain' },
      ],
      folder: 'Work/Servers',
      favorite: true,
    });
    expect(item?.passwordHistory.map((h) => h.password)).toEqual(['old2', 'old1']);
  });

  it('moves what does not fit and says so: a bad website to the notes, a bad TOTP to a hidden field', () => {
    const { items, issues } = run({
      type: 'login',
      urls: ['javascript:alert(1)'],
      totp: 'not a secret!!',
      notes: 'n',
    });
    expect(issues.map((i) => i.code)).toEqual(['badUrl', 'badTotp']);
    expect(items[0]?.input.notes).toBe('n\nWebsite: javascript:alert(1)');
    expect(items[0]?.input.customFields).toEqual([
      { name: 'TOTP (as exported)', kind: 'hidden', value: 'not a secret!!' },
    ]);
  });

  it('keeps an expired card, and a number that fails Luhn as a hidden field', () => {
    const expired = run({ type: 'card', number: '4111 1111 1111 1111', expMonth: '1', expYear: '20' });
    expect(expired.issues).toEqual([]);
    expect(expired.items[0]?.input).toMatchObject({
      number: '4111111111111111',
      expMonth: '1',
      expYear: '2020',
    });
    const typo = run({ type: 'card', number: '4111111111111112' });
    expect(typo.issues.map((i) => i.code)).toEqual(['badCardNumber']);
    expect(typo.items[0]?.input.customFields[0]).toMatchObject({ kind: 'hidden', value: '4111111111111112' });
  });

  it('makes a missing title from the website, skips an empty entry', () => {
    const made = run({ type: 'login', title: '', urls: ['https://www.example.org/x'] });
    expect(made.items[0]?.input.title).toBe('example.org');
    expect(made.issues[0]).toMatchObject({ code: 'titleMade', outcome: 'changed' });
    const empty = run({ type: 'note', title: '  ' });
    expect(empty.items).toEqual([]);
    expect(empty.issues[0]).toMatchObject({ code: 'empty', outcome: 'skipped' });
  });

  it('cuts an over-long value and keeps the whole of it in the notes', () => {
    const long = 'u'.repeat(1500);
    const { items, issues } = run({ type: 'login', username: long });
    expect(issues.map((i) => i.code)).toEqual(['tooLong']);
    expect(items[0]?.input).toMatchObject({ username: long.slice(0, 1000) });
    expect(items[0]?.input.notes).toContain(`Username: ${long}`);
  });
});
