import { describe, expect, it } from 'vitest';
import { parseBitwardenCsv } from './bitwarden-csv.ts';
import { ensureTitle, isEmptyCandidate, isoOrUndefined, madeTitle } from './entry-rules.ts';
import { finalize } from './finalize.ts';
import { timeAsExported } from './json-mapping.ts';
import type { Candidate, ImportIssue } from './types.ts';

const entry = (c: Partial<Candidate> = {}): Candidate => ({ source: 1, type: 'login', title: '', ...c });
const NOW = new Date('2026-12-01T00:00:00Z');

describe('is this entry empty?', () => {
  it('is empty with nothing at all, or only white space', () => {
    expect(isEmptyCandidate(entry())).toBe(true);
    expect(
      isEmptyCandidate(
        entry({
          title: '  ',
          notes: '\n\t',
          username: ' ',
          urls: ['', ' '],
          fields: [{ name: ' ', value: '' }],
        }),
      ),
    ).toBe(true);
  });

  it('keeps an entry with only a title, or only any one value (whatever its type)', () => {
    expect(isEmptyCandidate(entry({ title: 'T' }))).toBe(false);
    expect(isEmptyCandidate(entry({ type: 'identity', city: 'Springfield' }))).toBe(false);
    expect(isEmptyCandidate(entry({ type: 'sshKey', publicKey: 'ssh-ed25519 AAAA' }))).toBe(false);
    expect(isEmptyCandidate(entry({ urls: ['x.example'] }))).toBe(false);
  });

  it('keeps an entry with only a folder: the user filed it there', () => {
    expect(isEmptyCandidate(entry({ folder: 'Work' }))).toBe(false);
  });

  it("keeps an entry with only a custom field's name, or only its value", () => {
    expect(isEmptyCandidate(entry({ fields: [{ name: 'Linked', value: '' }] }))).toBe(false);
    expect(isEmptyCandidate(entry({ fields: [{ name: '', value: 'v' }] }))).toBe(false);
  });

  it('keeps an entry with only an earlier password, not with earlier blank ones', () => {
    expect(isEmptyCandidate(entry({ passwordHistory: [{ password: 'old', replacedAt: '' }] }))).toBe(false);
    expect(isEmptyCandidate(entry({ passwordHistory: [{ password: ' ', replacedAt: '2024-01-01' }] }))).toBe(
      true,
    );
  });

  it('does not keep an entry for its favorite mark, trash mark or times alone', () => {
    expect(isEmptyCandidate(entry({ favorite: true }))).toBe(true);
    expect(isEmptyCandidate(entry({ trashed: true }))).toBe(true);
    expect(
      isEmptyCandidate(entry({ createdAt: '2024-01-01T00:00:00Z', updatedAt: '2024-01-02T00:00:00Z' })),
    ).toBe(true);
  });

  it('is the same answer in a reader and in finalize', async () => {
    const header = 'folder,favorite,type,name,notes,fields,reprompt,login_uri,login_username,login_password';
    const rows = [',1,login,,,,0,,,', 'Work,0,login,,,,0,,,', ',0,note,,,Linked: null,0,,,'];
    const parsed = await parseBitwardenCsv(
      { name: 'b.csv', bytes: new TextEncoder().encode(`${header}\n${rows.join('\n')}\n`) },
      {},
    );
    expect(parsed.issues.filter((i) => i.code === 'empty').map((i) => i.source)).toEqual([1]);
    expect(parsed.candidates.map((c) => c.source)).toEqual([2, 3]);
    const final = finalize(
      [
        entry({ favorite: true }),
        entry({ source: 2, folder: 'Work' }),
        entry({ source: 3, fields: [{ name: 'F', value: '' }] }),
      ],
      NOW,
    );
    expect(final.issues.filter((i) => i.code === 'empty').map((i) => i.source)).toEqual([1]);
    expect(final.items.map((i) => i.source)).toEqual([2, 3]);
  });
});

describe('what title when there is none?', () => {
  it("is the website's host without www., a bare host, or an app's id", () => {
    expect(madeTitle(entry({ urls: ['https://www.Example.com:8443/a?b'] }))).toBe('example.com');
    expect(madeTitle(entry({ urls: ['example.org/login'] }))).toBe('example.org');
    expect(madeTitle(entry({ urls: ['android://hash@com.example.app/'] }))).toBe('com.example.app');
  });

  it('is the first website that has a host; the first website as written when none has', () => {
    expect(madeTitle(entry({ urls: ['not a url at all', 'https://b.example'] }))).toBe('b.example');
    expect(madeTitle(entry({ urls: [' ', 'not a url at all'], username: 'bob' }))).toBe('not a url at all');
  });

  it("is else the username, the person's whole name, the email, the cardholder, the company", () => {
    expect(madeTitle(entry({ username: ' bob ', email: 'e@x.example' }))).toBe('bob');
    const person = { firstName: 'Ana', middleName: 'Maria', lastName: 'Cruz', email: 'ana@x.example' };
    expect(madeTitle(entry({ type: 'identity', ...person }))).toBe('Ana Maria Cruz');
    expect(madeTitle(entry({ type: 'identity', email: 'ana@x.example', company: 'Acme' }))).toBe(
      'ana@x.example',
    );
    expect(madeTitle(entry({ type: 'card', cardholder: 'A B' }))).toBe('A B');
    expect(madeTitle(entry({ type: 'identity', company: 'Acme' }))).toBe('Acme');
  });

  it("never takes the notes, and is else the type's word", () => {
    expect(madeTitle(entry({ type: 'note', notes: 'Wi-Fi key: hunter2' }))).toBe('Note');
    expect(madeTitle(entry({ password: 'p' }))).toBe('Login');
    expect(madeTitle(entry({ type: 'card' }))).toBe('Card');
    expect(madeTitle(entry({ type: 'identity' }))).toBe('Identity');
    expect(madeTitle(entry({ type: 'sshKey' }))).toBe('SSH key');
  });

  it('is reported with the made title, by a reader and by finalize alike', () => {
    const issues: ImportIssue[] = [];
    const c = entry({ urls: ['https://a.example'] });
    expect(ensureTitle(c, issues)).toBe('a.example');
    expect(c.title).toBe('a.example');
    expect(ensureTitle(entry({ title: 'Own' }), issues)).toBe('Own');
    expect(issues).toEqual([{ source: 1, title: 'a.example', outcome: 'changed', code: 'titleMade' }]);
    const final = finalize([entry({ urls: ['https://a.example'], totp: 'not a secret!!' })], NOW);
    expect(final.items[0]?.input.title).toBe('a.example');
    expect(final.issues.map((i) => [i.code, i.title])).toEqual([
      ['titleMade', 'a.example'],
      ['badTotp', 'a.example'],
    ]);
  });
});

describe('times', () => {
  it('isoOrUndefined (finalize) parses and normalises; the JSON readers pass a time on as written', () => {
    expect(isoOrUndefined('2024-03-01T10:00:00+02:00')).toBe('2024-03-01T08:00:00.000Z');
    expect(isoOrUndefined('soon')).toBeUndefined();
    expect(isoOrUndefined('')).toBeUndefined();
    expect(timeAsExported(' 2024-03-01T10:00:00+02:00 ')).toBe('2024-03-01T10:00:00+02:00');
    expect(timeAsExported(null)).toBeUndefined();
  });
});
