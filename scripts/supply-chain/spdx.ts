import parse from 'spdx-expression-parse';

/**
 * SPDX licence expressions (https://spdx.github.io/spdx-spec/v2.3/SPDX-license-expressions/):
 * `MIT`, `(MIT OR Apache-2.0)`, `MIT AND (BSD-2-Clause OR ISC)`, `GPL-2.0-only WITH Classpath-exception-2.0`,
 * parsed by spdx-expression-parse (npm's own parser: the SPDX licence and exception lists, AND binding
 * tighter than OR, parentheses). A `X WITH Y` term is one licence: allowed only if listed as written; so
 * is `X+` ("or any later version").
 */

export type SpdxExpression = parse.Info;

export class SpdxSyntaxError extends Error {}

/** Parses an SPDX expression; throws SpdxSyntaxError with the parser's reason. */
export function parseSpdx(expression: string): SpdxExpression {
  try {
    return parse(expression);
  } catch (error) {
    throw new SpdxSyntaxError(error instanceof Error ? error.message : String(error));
  }
}

const termOf = (license: parse.LicenseInfo): string =>
  `${license.license}${license.plus ? '+' : ''}${license.exception ? ` WITH ${license.exception}` : ''}`;

/** OR: satisfied if either side is; AND: only if both are. Identifiers compare without regard to case. */
export function satisfies(expression: SpdxExpression, allowed: ReadonlySet<string>): boolean {
  if ('license' in expression) return allowed.has(termOf(expression).toLowerCase());
  const left = satisfies(expression.left, allowed);
  const right = satisfies(expression.right, allowed);
  return expression.conjunction === 'or' ? left || right : left && right;
}

/** The set `satisfies` expects, built from the identifiers as written in the policy file. */
export const allowedSet = (ids: Iterable<string>): ReadonlySet<string> =>
  new Set([...ids].map((id) => id.toLowerCase()));
