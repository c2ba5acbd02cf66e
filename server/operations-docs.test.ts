/**
 * The operator documentation (docs/operations/) says what the code does: the configuration table is
 * the env schema, the privacy page is the database schema, the key-material page names the
 * extension's storage items, every `npm run` exists and every link leads somewhere. Each check is
 * also run on a document known to be wrong, so that it is seen to fail.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import * as schemaModule from './db/schema.ts';
import { envSchema } from './env.ts';
import {
  configurationProblems,
  headingAnchor,
  linkProblems,
  npmRunProblems,
  operationsDocuments,
  privacyProblems,
  schemaTables,
  storageItemProblems,
} from './test-support/operations-docs.ts';

const root = join(import.meta.dirname, '..');
const operationsDir = join(root, 'docs/operations');
const page = (name: string) => readFileSync(join(operationsDir, name), 'utf8');
const pages = readdirSync(operationsDir).filter((name) => name.endsWith('.md'));
const scripts = (
  JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { scripts: Record<string, string> }
).scripts;

function extensionSources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile() && /\.tsx?$/.test(entry.name) && !/\.test\.tsx?$/.test(entry.name))
    .map((entry) => readFileSync(join(entry.parentPath, entry.name), 'utf8'));
}

const table = (rows: string[]) =>
  ['| variable | default | range | meaning |', '| --- | --- | --- | --- |', ...rows].join('\n');

describe('configuration.md', () => {
  it('has one row per env variable, with its default and range', () => {
    expect(configurationProblems(page('configuration.md'), envSchema)).toEqual([]);
  });

  const small = z.object({
    PORT: z
      .string()
      .regex(/^(0|[1-9][0-9]*)$/, 'must be a whole number from 1 to 9 in decimal digits')
      .transform(Number)
      .pipe(z.number().min(1).max(9))
      .default(5),
    MODE: z.enum(['a', 'b']).default('a'),
    URL: z.string().optional(),
  });

  it('accepts a table that matches', () => {
    const good = table([
      '| `PORT` | 5 | 1–9 | x |',
      '| `MODE` | a | `a`, `b` | x |',
      '| `URL` | — | a URL | x |',
    ]);
    expect(configurationProblems(good, small)).toEqual([]);
  });

  it('finds a missing row, an extra one, a wrong default, a wrong range and a wrong choice', () => {
    const bad = table([
      '| `PORT` | 6 | 1–10 | x |',
      '| `MODE` | a | `a`, `c` | x |',
      '| `URL` | https://x | a URL | x |',
      '| `OTHER` | — | — | x |',
    ]);
    expect(configurationProblems(bad, small)).toEqual([
      'PORT: the schema\'s default is 5, the table says "6"',
      "PORT: the schema's range is 1–9, the table says 1–10",
      'PORT: 10 is refused',
      'MODE: c is refused',
      'URL: the schema has no default, the table says "https://x"',
      'OTHER: has a row but is not in the env schema',
    ]);
    expect(configurationProblems(table(['| `PORT` | 5 | 1–9 | x |']), small)).toEqual([
      'MODE: in the env schema but has no row',
      'URL: in the env schema but has no row',
    ]);
    expect(configurationProblems(table(['| `PORT` | 5 | small | x |']), small.pick({ PORT: true }))).toEqual([
      'PORT: a whole number from 1 to 9, the range says "small"',
    ]);
    expect(configurationProblems('no table', small)).toEqual([
      'no table with the header | variable | default | range | meaning |',
    ]);
  });
});

describe('privacy.md', () => {
  const tables = schemaTables(schemaModule);

  it('describes every table and column of the schema, and nothing else', () => {
    expect(tables.size).toBeGreaterThan(10);
    expect(privacyProblems(page('privacy.md'), tables)).toEqual([]);
  });

  it('finds a table or a column missing, invented or repeated', () => {
    const known = new Map([
      ['items', ['id', 'ciphertext']],
      ['tokens', ['hash']],
    ]);
    const doc = [
      '### `items`',
      '| column | holds |',
      '| --- | --- |',
      '| `id` | x |',
      '| `title` | x |',
      '| `id` | x |',
      '## elsewhere',
      '| `ciphertext` | not under a table heading |',
      '### `ghosts`',
    ].join('\n');
    expect(privacyProblems(doc, known)).toEqual([
      'items.ciphertext: not described',
      'items.title: described but not in the schema',
      'items.id: described twice',
      'table tokens: not described',
      'table ghosts: described but not in the schema',
    ]);
  });
});

describe('npm scripts named in the operations pages', () => {
  it('all exist in package.json', () => {
    expect(npmRunProblems(operationsDocuments(root, pages), scripts)).toEqual([]);
  });

  it('finds one that does not', () => {
    const docs = new Map([['x.md', 'run `npm run migrate`, then `npm run nope -- --x` and `npm start`']]);
    expect(npmRunProblems(docs, { migrate: '', start: '' })).toEqual([
      'x.md: npm run nope is not a script of package.json',
    ]);
  });
});

describe('key-material.md', () => {
  const sources = extensionSources(join(root, 'extension'));

  it('names every session storage item of the extension, and only items that exist', () => {
    expect(sources.length).toBeGreaterThan(50);
    expect(storageItemProblems(page('key-material.md'), sources)).toEqual([]);
  });

  it('finds an item missing or invented', () => {
    const code = [
      "const a = storage.defineItem<Thing | null>('session:unlock', { fallback: null });",
      "const b = storage.defineItem('local:account', {});",
    ];
    expect(storageItemProblems('`local:account`, `local:gone`', code)).toEqual([
      'session:unlock: defined but not described',
      'local:gone: described but not defined',
    ]);
  });
});

describe('links of the operations pages', () => {
  it('lead to existing files and headings', () => {
    expect(linkProblems(operationsDocuments(root, pages))).toEqual([]);
  });

  it('finds a missing file or heading', () => {
    const here = join(operationsDir, 'x.md');
    const docs = new Map([
      [here, '[a](deployment.md#no-such-heading) [b](gone.md) [c](https://example.com)'],
    ]);
    const shown = relative(process.cwd(), here);
    expect(linkProblems(docs)).toEqual([
      `${shown}: links to deployment.md#no-such-heading, which has no such heading`,
      `${shown}: links to gone.md, which does not exist`,
    ]);
    expect(headingAnchor('Rotating server secrets (no downtime)')).toBe(
      'rotating-server-secrets-no-downtime',
    );
  });
});
