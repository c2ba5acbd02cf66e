/**
 * Checks of the operator documentation (docs/operations/) against the code it describes. Each
 * function returns the problems it finds, one sentence each, so that a test can show them all and
 * so that each check can be tried on a document known to be wrong (server/operations-docs.test.ts).
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { is } from 'drizzle-orm';
import { getTableConfig, PgTable } from 'drizzle-orm/pg-core';
import type { z } from 'zod';

/** The cells of a Markdown table row (`| a | b |`), trimmed; null for a line that is not a row. */
function rowCells(line: string): string[] | null {
  const trimmed = line.trim();
  if (!trimmed.startsWith('|') || !trimmed.endsWith('|')) return null;
  return trimmed
    .slice(1, -1)
    .split(/(?<!\\)\|/)
    .map((cell) => cell.trim());
}

/** The body rows of the first table whose header is exactly `header`. */
function tableRows(markdown: string, header: readonly string[]): string[][] | null {
  const lines = markdown.split('\n');
  const start = lines.findIndex((line) => {
    const cells = rowCells(line);
    return cells !== null && cells.join('|') === header.join('|');
  });
  if (start === -1) return null;
  const rows: string[][] = [];
  // Skip the header and its `| --- |` separator.
  for (const line of lines.slice(start + 2)) {
    const cells = rowCells(line);
    if (!cells) break;
    rows.push(cells);
  }
  return rows;
}

const unquote = (cell: string) => cell.replace(/^`|`$/g, '');

const duplicates = (names: readonly string[]) => names.filter((name, i) => names.indexOf(name) !== i);

type EnvSchema = z.ZodObject<z.ZodRawShape>;

/** The `decimal(min, max)` bounds of a variable, read back from the message its schema gives. */
function decimalBounds(schema: EnvSchema, name: string): [number, number] | null {
  const result = schema.safeParse({ [name]: 'not-a-number' });
  const message = result.success ? '' : (result.error.issues[0]?.message ?? '');
  const match = /whole number from (\d+) to (\d+)/.exec(message);
  return match ? [Number(match[1]), Number(match[2])] : null;
}

function parses(schema: EnvSchema, name: string, value: string): { ok: boolean; value?: unknown } {
  const result = schema.safeParse({ [name]: value });
  return result.success ? { ok: true, value: result.data[name] } : { ok: false };
}

export const CONFIGURATION_HEADER = ['variable', 'default', 'range', 'meaning'] as const;

/**
 * configuration.md against the env schema: one row per variable and no other; the default column
 * is the schema's default (`—` first where there is none); a `min–max` range is the schema's, both
 * ends accepted and one past each refused; a list of `choices` is each accepted, and nothing else.
 */
export function configurationProblems(markdown: string, schema: EnvSchema): string[] {
  const rows = tableRows(markdown, CONFIGURATION_HEADER);
  if (!rows) return [`no table with the header | ${CONFIGURATION_HEADER.join(' | ')} |`];
  const problems: string[] = [];
  const documented = rows.map((cells) => unquote(cells[0] ?? ''));
  const variables = Object.keys(schema.shape);
  for (const name of duplicates(documented)) problems.push(`${name}: more than one row`);
  for (const name of variables)
    if (!documented.includes(name)) problems.push(`${name}: in the env schema but has no row`);
  const defaults = schema.parse({}) as Record<string, unknown>;
  for (const [first = '', defaultCell = '', range = ''] of rows) {
    const name = unquote(first);
    if (!variables.includes(name)) {
      problems.push(`${name}: has a row but is not in the env schema`);
      continue;
    }
    const fallback = defaults[name];
    const none = fallback === undefined || (Array.isArray(fallback) && fallback.length === 0);
    const shown = unquote(defaultCell.split(/\s/)[0] ?? '');
    if (none && !defaultCell.startsWith('—'))
      problems.push(`${name}: the schema has no default, the table says "${defaultCell}"`);
    if (!none && shown !== String(fallback))
      problems.push(`${name}: the schema's default is ${String(fallback)}, the table says "${defaultCell}"`);
    problems.push(...rangeProblems(schema, name, range));
  }
  return problems;
}

function rangeProblems(schema: EnvSchema, name: string, range: string): string[] {
  const problems: string[] = [];
  const bounds = decimalBounds(schema, name);
  const numeric = /^(\d+)–(\d+)$/.exec(range);
  if (bounds && !numeric)
    return [`${name}: a whole number from ${bounds.join(' to ')}, the range says "${range}"`];
  if (numeric) {
    const [min, max] = [Number(numeric[1]), Number(numeric[2])];
    if (bounds && (bounds[0] !== min || bounds[1] !== max))
      problems.push(`${name}: the schema's range is ${bounds.join('–')}, the table says ${range}`);
    for (const inside of [min, max]) {
      const result = parses(schema, name, String(inside));
      if (!result.ok || result.value !== inside) problems.push(`${name}: ${inside} is refused`);
    }
    for (const outside of [min - 1, max + 1])
      if (outside >= 0 && parses(schema, name, String(outside)).ok)
        problems.push(`${name}: ${outside} is accepted, outside ${range}`);
  }
  const choices = /^`[^`]+`(, `[^`]+`)*$/.test(range)
    ? [...range.matchAll(/`([^`]+)`/g)].map((m) => m[1])
    : [];
  for (const choice of choices)
    if (choice !== undefined && !parses(schema, name, choice).ok)
      problems.push(`${name}: ${choice} is refused`);
  if (choices.length > 0 && parses(schema, name, 'not-one-of-the-choices').ok)
    problems.push(`${name}: accepts values its range does not list`);
  return problems;
}

/** Every table of a drizzle schema module with its SQL column names. */
export function schemaTables(module: Record<string, unknown>): Map<string, string[]> {
  const tables = new Map<string, string[]>();
  for (const value of Object.values(module)) {
    if (!is(value, PgTable)) continue;
    const config = getTableConfig(value);
    tables.set(
      config.name,
      config.columns.map((column) => column.name),
    );
  }
  return tables;
}

/**
 * privacy.md against the schema: a `### \`table\`` heading for every table and no other, and
 * under each, one table row per column (first cell `` `column` ``), none missing, none invented.
 */
export function privacyProblems(markdown: string, tables: Map<string, string[]>): string[] {
  const documented = new Map<string, string[]>();
  let current: string[] | null = null;
  for (const line of markdown.split('\n')) {
    const heading = /^### `([^`]+)`\s*$/.exec(line);
    if (heading?.[1] !== undefined) {
      current = documented.get(heading[1]) ?? [];
      documented.set(heading[1], current);
      continue;
    }
    if (line.startsWith('#')) current = null;
    const column = /^\| `([^`]+)` \|/.exec(line);
    if (column?.[1] !== undefined && current) current.push(column[1]);
  }
  const problems: string[] = [];
  for (const [table, columns] of tables) {
    const shown = documented.get(table);
    if (!shown) {
      problems.push(`table ${table}: not described`);
      continue;
    }
    for (const column of columns)
      if (!shown.includes(column)) problems.push(`${table}.${column}: not described`);
    for (const column of shown)
      if (!columns.includes(column)) problems.push(`${table}.${column}: described but not in the schema`);
    for (const column of duplicates(shown)) problems.push(`${table}.${column}: described twice`);
  }
  for (const table of documented.keys())
    if (!tables.has(table)) problems.push(`table ${table}: described but not in the schema`);
  return problems;
}

/** Every `npm run X` (and `npm start`) of the given documents is a script of package.json. */
export function npmRunProblems(documents: Map<string, string>, scripts: Record<string, string>): string[] {
  const problems: string[] = [];
  for (const [path, text] of documents) {
    const file = relative(process.cwd(), path);
    const named = [...text.matchAll(/npm (?:run ([\w:.-]+)|(start)\b)/g)].map((m) => m[1] ?? m[2] ?? '');
    for (const script of new Set(named))
      if (!(script in scripts)) problems.push(`${file}: npm run ${script} is not a script of package.json`);
  }
  return problems;
}

/**
 * key-material.md against the extension: every `session:` storage item the extension defines is
 * named (what an unlocked extension holds in memory), and every `local:`/`session:` item named exists.
 */
export function storageItemProblems(markdown: string, sources: readonly string[]): string[] {
  const defined = new Set(
    sources.flatMap((source) =>
      [...source.matchAll(/defineItem\s*(?:<[^(]*?>)?\(\s*'((?:local|session):[^']+)'/g)].map((m) => m[1]),
    ),
  );
  const named = new Set([...markdown.matchAll(/`((?:local|session):[\w-]+)`/g)].map((m) => m[1]));
  const problems: string[] = [];
  for (const item of defined)
    if (item?.startsWith('session:') && !named.has(item)) problems.push(`${item}: defined but not described`);
  for (const item of named) if (!defined.has(item)) problems.push(`${item}: described but not defined`);
  return problems;
}

/** GitHub's anchor for a heading: lower case, punctuation dropped, spaces to hyphens. */
export const headingAnchor = (heading: string) =>
  heading
    .toLowerCase()
    .replace(/[^\p{L}\p{N} _-]/gu, '')
    .replace(/ /g, '-');

/** Relative links of the documents (`[x](file.md#anchor)`) lead to a file, and to a heading in it. */
export function linkProblems(documents: Map<string, string>): string[] {
  const problems: string[] = [];
  for (const [file, text] of documents) {
    const shown = relative(process.cwd(), file);
    for (const [, target = ''] of text.matchAll(/\]\(([^)\s]+)\)/g)) {
      if (/^[a-z]+:/.test(target)) continue;
      const [path = '', anchor] = target.split('#');
      const linked = path === '' ? file : resolve(dirname(file), path);
      if (!existsSync(linked)) {
        problems.push(`${shown}: links to ${target}, which does not exist`);
        continue;
      }
      if (anchor === undefined || !linked.endsWith('.md')) continue;
      const anchors = [...readFileSync(linked, 'utf8').matchAll(/^#+ (.+)$/gm)].map((m) =>
        headingAnchor(m[1] ?? ''),
      );
      if (!anchors.includes(anchor)) problems.push(`${shown}: links to ${target}, which has no such heading`);
    }
  }
  return problems;
}

/** The documents the checks read: docs/operations.md and every page of docs/operations/. */
export function operationsDocuments(root: string, names: readonly string[]): Map<string, string> {
  const files = [
    join(root, 'docs/operations.md'),
    ...names.map((name) => join(root, 'docs/operations', name)),
  ];
  return new Map(files.map((file) => [file, readFileSync(file, 'utf8')]));
}
