import { describe, expect, it } from 'vitest';
import { allowedSet, parseSpdx, SpdxSyntaxError, satisfies } from './spdx.ts';

const allowed = allowedSet(['MIT', 'Apache-2.0', 'ISC']);
const ok = (expression: string) => satisfies(parseSpdx(expression), allowed);

describe('SPDX expressions', () => {
  it.each([
    ['MIT', true],
    ['GPL-3.0-only', false],
    ['mit', true],
    ['(MIT OR GPL-3.0-or-later)', true],
    ['GPL-3.0-or-later OR MIT', true],
    ['GPL-2.0 OR LGPL-2.1', false],
    ['MIT AND ISC', true],
    ['(MIT AND Zlib)', false],
    ['(BSD-2-Clause OR MIT OR Apache-2.0)', true],
    ['MIT AND (GPL-2.0 OR ISC)', true],
    ['MIT AND (GPL-2.0 OR LGPL-2.1)', false],
    // AND binds tighter than OR: (GPL AND LGPL) OR MIT.
    ['GPL-2.0 AND LGPL-2.1 OR MIT', true],
    // Parentheses change it: GPL AND (LGPL OR MIT).
    ['GPL-2.0 AND (LGPL-2.1 OR MIT)', false],
    ['((MIT))', true],
    ['MIT or GPL-2.0', true],
    ['GPL-2.0-only WITH Classpath-exception-2.0', false],
  ])('%s → %s', (expression, expected) => {
    expect(ok(expression)).toBe(expected);
  });

  it('allows a WITH term only as listed', () => {
    const withException = allowedSet(['GPL-2.0-only WITH Classpath-exception-2.0']);
    expect(satisfies(parseSpdx('GPL-2.0-only WITH Classpath-exception-2.0'), withException)).toBe(true);
    expect(satisfies(parseSpdx('GPL-2.0-only'), withException)).toBe(false);
  });

  it.each([
    ['', 'empty expression'],
    ['MIT OR', 'expression ends where a licence was expected'],
    ['(MIT', 'missing ")"'],
    ['MIT)', 'unexpected ")"'],
    ['MIT Apache-2.0', 'unexpected "Apache-2.0"'],
    ['OR MIT', '"OR" where a licence was expected'],
    ['MIT/X11', 'unexpected character "/"'],
    ['GPL-2.0 WITH', '"WITH" after GPL-2.0 needs an exception identifier'],
  ])('rejects %j: %s', (expression, message) => {
    expect(() => parseSpdx(expression)).toThrow(new SpdxSyntaxError(message));
  });
});
