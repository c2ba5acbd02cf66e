import { describe, expect, it } from 'vitest';
import { itemInputSchema } from '../messaging/item-input-schemas.ts';
import type { ItemDetail } from '../messaging/protocol.ts';
import {
  buildPayload,
  customRow,
  draftOf,
  errorKey,
  issueKeys,
  type SentRows,
  uriRow,
} from './item-draft.ts';
import { describeItemIssue } from './item-issue.ts';

const meta = {
  id: '6d7f7c1e-6a86-4c55-9a42-8c2f7a9f0b11',
  createdAt: '2026-01-01T00:00:00.000Z',
  updatedAt: '2026-01-02T00:00:00.000Z',
  conflict: null,
  passwordHistory: [{ password: 'old-pw', replacedAt: '2026-01-02T00:00:00.000Z' }],
  trashedAt: null,
};
const common = { notes: 'n', folder: 'Work/Servers', favorite: true };

const login = {
  ...meta,
  ...common,
  type: 'login',
  title: 'Bank',
  username: 'ada',
  password: 'pw',
  uris: [{ url: 'https://bank.example', match: 'host' }],
  totp: '',
  customFields: [
    { name: 'PIN', kind: 'hidden', value: '1234' },
    { name: 'User', kind: 'linked', value: '', linkedTo: 'username' },
  ],
  futureField: 'kept',
} as unknown as ItemDetail;

const card = {
  ...meta,
  ...common,
  passwordHistory: [],
  type: 'card',
  title: 'Visa',
  cardholder: 'Ada L',
  brand: 'Visa',
  number: '4111111111111111',
  expMonth: '03',
  expYear: '2099',
  code: '123',
  customFields: [{ name: 'Bank', kind: 'text', value: 'ZB' }],
} as unknown as ItemDetail;

const ssh = {
  ...meta,
  ...common,
  passwordHistory: [],
  type: 'sshKey',
  title: 'Server',
  privateKey: '',
  publicKey: '',
  fingerprint: 'SHA256:abc',
  customFields: [],
} as unknown as ItemDetail;

describe('the editor save payload', () => {
  it('sends back every field of an existing login, edited or not, and nothing the worker keeps', () => {
    const draft = draftOf(login, 'login', 'domain');
    draft.values.password = 'new-pw';
    const { fields } = buildPayload(draft, login);
    expect(fields).toMatchObject({
      type: 'login',
      title: 'Bank',
      folder: 'Work/Servers',
      favorite: true,
      notes: 'n',
      username: 'ada',
      password: 'new-pw',
      uris: [{ url: 'https://bank.example', match: 'host' }],
      customFields: [
        { name: 'PIN', kind: 'hidden', value: '1234' },
        { name: 'User', kind: 'linked', value: '', linkedTo: 'username' },
      ],
      futureField: 'kept',
    });
    for (const worker of ['id', 'createdAt', 'updatedAt', 'conflict', 'passwordHistory', 'trashedAt'])
      expect(fields).not.toHaveProperty(worker);
    expect(itemInputSchema().safeParse(fields).success).toBe(true);
  });

  it('keeps every card field and its custom fields', () => {
    const { fields } = buildPayload(draftOf(card, 'login', 'domain'), card);
    expect(fields).toMatchObject({
      type: 'card',
      cardholder: 'Ada L',
      brand: 'Visa',
      number: '4111111111111111',
      expMonth: '03',
      expYear: '2099',
      code: '123',
      folder: 'Work/Servers',
      favorite: true,
      customFields: [{ name: 'Bank', kind: 'text', value: 'ZB' }],
    });
    expect(fields).not.toHaveProperty('uris');
    expect(itemInputSchema().safeParse(fields).success).toBe(true);
  });

  it('never sends the fingerprint: the worker computes it', () => {
    expect(buildPayload(draftOf(ssh, 'sshKey', 'domain'), ssh).fields).not.toHaveProperty('fingerprint');
  });

  it('a new item has its type, empty fields and, for a login, one website row with the default match', () => {
    const newLogin = draftOf(null, 'login', 'exact');
    expect(newLogin.uris.map((u) => u.match)).toEqual(['exact']);
    expect(newLogin.values).toEqual({ username: '', password: '', totp: '' });
    const note = draftOf(null, 'note', 'domain');
    expect(note.uris).toEqual([]);
    note.title = 'Recipe';
    const { fields } = buildPayload(note, null);
    expect(fields).toEqual({
      type: 'note',
      title: 'Recipe',
      notes: '',
      folder: '',
      favorite: false,
      customFields: [],
    });
    expect(itemInputSchema().safeParse(fields).success).toBe(true);
  });

  it('drops blank website rows and trims the others and the one-time code secret', () => {
    const draft = draftOf(null, 'login', 'domain');
    draft.title = 'x';
    draft.values.totp = '  JBSWY3DPEHPK3PXP ';
    draft.uris = [uriRow(''), uriRow(' https://a.example '), uriRow('  ')];
    const { fields, rows } = buildPayload(draft, null);
    expect(fields.uris).toEqual([{ url: 'https://a.example', match: 'domain' }]);
    expect(fields.totp).toBe('JBSWY3DPEHPK3PXP');
    expect(rows.uris).toEqual([{ key: draft.uris[1]?.key, position: 2 }]);
  });

  it('a linked custom field sends no value; a yes/no one sends true or false', () => {
    const draft = draftOf(null, 'login', 'domain');
    draft.custom = [
      customRow({ name: 'L', kind: 'linked', value: 'stale', linkedTo: 'password' }),
      customRow({ name: 'B', kind: 'boolean', value: 'true' }),
    ];
    expect(buildPayload(draft, null).fields.customFields).toEqual([
      { name: 'L', kind: 'linked', value: '', linkedTo: 'password' },
      { name: 'B', kind: 'boolean', value: 'true' },
    ]);
  });
});

describe('errors next to their field', () => {
  it('keys a website row and a custom field row by their row, other fields by name', () => {
    const rows = { uris: [{ key: 7, position: 2 }], custom: [3, 9] };
    expect(errorKey(['uris', 0, 'url'], rows)).toBe('uri-7');
    expect(errorKey(['customFields', 1, 'name'], rows)).toBe('custom-9-name');
    expect(errorKey(['customFields', 0, 'linkedTo'], rows)).toBe('custom-3-linkedTo');
    expect(errorKey(['customFields'], rows)).toBe('customFields');
    expect(errorKey(['expMonth'], rows)).toBe('expMonth');
  });

  const check = (fields: Record<string, unknown>, rows: SentRows = { uris: [], custom: [] }) => {
    const parsed = itemInputSchema().safeParse(fields);
    if (parsed.success) throw new Error('expected a failed check');
    return issueKeys(parsed.error.issues, rows, describeItemIssue);
  };

  it('a card number with a typo is marked on the number', () => {
    expect(check({ type: 'card', title: 'c', number: '4111 1111 1111 1112' })).toEqual({
      number: 'This card number has a typing mistake (its check digit does not match).',
    });
  });

  it('an expired card is marked on the expiry year, a wrong month on the month', () => {
    expect(check({ type: 'card', title: 'c', expMonth: '01', expYear: '2001' })).toEqual({
      expYear: 'This card has expired.',
    });
    expect(check({ type: 'card', title: 'c', expMonth: '13', expYear: '2099' })).toEqual({
      expMonth: 'Enter the expiry month as a number from 1 to 12.',
    });
  });

  it('a bad SSH public key is marked on the public key', () => {
    expect(check({ type: 'sshKey', title: 's', publicKey: 'ssh-ed25519 nope' })).toEqual({
      publicKey: expect.stringContaining('OpenSSH public key'),
    });
  });

  it("a custom field without a name is marked on that row's name", () => {
    const fields = {
      type: 'note',
      title: 'n',
      customFields: [
        { name: 'ok', kind: 'text', value: '' },
        { name: ' ', kind: 'text', value: '' },
      ],
    };
    expect(check(fields, { uris: [], custom: [4, 5] })).toEqual({
      'custom-5-name': 'Give the custom field a name.',
    });
  });

  it('a linked field on a note is refused on its kind', () => {
    const fields = {
      type: 'note',
      title: 'n',
      customFields: [{ name: 'x', kind: 'linked', value: '', linkedTo: 'username' }],
    };
    expect(check(fields, { uris: [], custom: [8] })).toEqual({
      'custom-8-kind': 'Only a login can have a linked field.',
    });
  });

  it('a website row is named by its number on screen', () => {
    const fields = { title: 't', uris: [{ url: 'ftp://x', match: 'domain' }] };
    expect(check(fields, { uris: [{ key: 2, position: 3 }], custom: [] })).toEqual({
      'uri-2': expect.stringMatching(/^Website address 3 is not a web address/),
    });
  });
});
