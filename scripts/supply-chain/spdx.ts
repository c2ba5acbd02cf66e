/**
 * SPDX licence expressions (https://spdx.github.io/spdx-spec/v2.3/SPDX-license-expressions/):
 * `MIT`, `(MIT OR Apache-2.0)`, `MIT AND (BSD-2-Clause OR ISC)`, `GPL-2.0-only WITH Classpath-exception-2.0`.
 * AND binds tighter than OR; parentheses group. Identifiers and operators match without regard to case,
 * as the specification says. A `X WITH Y` term is one licence: it is allowed only if listed as written.
 *
 * Written here rather than taken from spdx-expression-parse because the project may not add packages
 * from this change; the grammar is small and the tests cover every operator and the error paths.
 */

export type SpdxExpression =
  | { kind: 'license'; id: string }
  | { kind: 'and' | 'or'; left: SpdxExpression; right: SpdxExpression };

export class SpdxSyntaxError extends Error {}

const TOKEN = /\s*(\(|\)|[A-Za-z0-9.+:-]+)\s*/y;

function tokenize(expression: string): string[] {
  const tokens: string[] = [];
  if (expression.trim() === '') return tokens;
  let index = 0;
  while (index < expression.length) {
    TOKEN.lastIndex = index;
    const match = TOKEN.exec(expression);
    if (!match?.[1]) {
      const found = expression.slice(index).trimStart()[0];
      throw new SpdxSyntaxError(`unexpected character ${JSON.stringify(found)}`);
    }
    tokens.push(match[1]);
    index = TOKEN.lastIndex;
  }
  return tokens;
}

const isOperator = (token: string | undefined, name: 'AND' | 'OR' | 'WITH'): boolean =>
  token !== undefined && token.toUpperCase() === name;

/** Parses an SPDX expression; throws SpdxSyntaxError naming what is wrong. */
export function parseSpdx(expression: string): SpdxExpression {
  const tokens = tokenize(expression);
  if (tokens.length === 0) throw new SpdxSyntaxError('empty expression');
  let position = 0;

  const parseOr = (): SpdxExpression => {
    let left = parseAnd();
    while (isOperator(tokens[position], 'OR')) {
      position += 1;
      left = { kind: 'or', left, right: parseAnd() };
    }
    return left;
  };

  const parseAnd = (): SpdxExpression => {
    let left = parseTerm();
    while (isOperator(tokens[position], 'AND')) {
      position += 1;
      left = { kind: 'and', left, right: parseTerm() };
    }
    return left;
  };

  const parseTerm = (): SpdxExpression => {
    const token = tokens[position];
    if (token === undefined) throw new SpdxSyntaxError('expression ends where a licence was expected');
    if (token === '(') {
      position += 1;
      const inner = parseOr();
      if (tokens[position] !== ')') throw new SpdxSyntaxError('missing ")"');
      position += 1;
      return inner;
    }
    if (token === ')' || isOperator(token, 'AND') || isOperator(token, 'OR') || isOperator(token, 'WITH')) {
      throw new SpdxSyntaxError(`"${token}" where a licence was expected`);
    }
    position += 1;
    if (isOperator(tokens[position], 'WITH')) {
      const exception = tokens[position + 1];
      if (exception === undefined || exception === '(' || exception === ')') {
        throw new SpdxSyntaxError(`"WITH" after ${token} needs an exception identifier`);
      }
      position += 2;
      return { kind: 'license', id: `${token} WITH ${exception}` };
    }
    return { kind: 'license', id: token };
  };

  const tree = parseOr();
  if (position !== tokens.length) throw new SpdxSyntaxError(`unexpected "${tokens[position]}"`);
  return tree;
}

/** OR: satisfied if either side is; AND: only if both are. Identifiers compare without regard to case. */
export function satisfies(expression: SpdxExpression, allowed: ReadonlySet<string>): boolean {
  switch (expression.kind) {
    case 'license':
      return allowed.has(expression.id.toLowerCase());
    case 'or':
      return satisfies(expression.left, allowed) || satisfies(expression.right, allowed);
    case 'and':
      return satisfies(expression.left, allowed) && satisfies(expression.right, allowed);
  }
}

/** The set `satisfies` expects, built from the identifiers as written in the policy file. */
export const allowedSet = (ids: Iterable<string>): ReadonlySet<string> =>
  new Set([...ids].map((id) => id.toLowerCase()));
