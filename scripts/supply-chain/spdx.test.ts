import { describe, expect, it } from 'vitest';
import { allowedSet, parseSpdx, SpdxSyntaxError, satisfies } from './spdx.ts';

const allowed = allowedSet(['MIT', 'Apache-2.0', 'ISC']);
const ok = (expression: string) => satisfies(parseSpdx(expression), allowed);

describe('SPDX expressions', () => {
  it.each([
    ['MIT', true],
    ['GPL-3.0-only', false],
    ['(MIT OR GPL-3.0-or-later)', true],
    ['GPL-3.0-or-later OR MIT', true],
    ['GPL-2.0-only OR LGPL-2.1-only', false],
    ['MIT AND ISC', true],
    ['(MIT AND Zlib)', false],
    ['(BSD-2-Clause OR MIT OR Apache-2.0)', true],
    ['MIT AND (GPL-2.0-only OR ISC)', true],
    ['MIT AND (GPL-2.0-only OR LGPL-2.1-only)', false],
    // AND binds tighter than OR: (GPL AND LGPL) OR MIT.
    ['GPL-2.0-only AND LGPL-2.1-only OR MIT', true],
    // Parentheses change it: GPL AND (LGPL OR MIT).
    ['GPL-2.0-only AND (LGPL-2.1-only OR MIT)', false],
    ['((MIT))', true],
    ['GPL-2.0-only WITH Classpath-exception-2.0', false],
    ['Apache-1.0+', false],
  ])('%s → %s', (expression, expected) => {
    expect(ok(expression)).toBe(expected);
  });

  it('allows a WITH term or an "or later" term only as listed', () => {
    const listed = allowedSet(['GPL-2.0-only WITH Classpath-exception-2.0', 'Apache-1.0+']);
    expect(satisfies(parseSpdx('GPL-2.0-only WITH Classpath-exception-2.0'), listed)).toBe(true);
    expect(satisfies(parseSpdx('GPL-2.0-only'), listed)).toBe(false);
    expect(satisfies(parseSpdx('Apache-1.0+'), listed)).toBe(true);
    expect(satisfies(parseSpdx('Apache-1.0'), listed)).toBe(false);
  });

  it.each([
    '',
    'MIT OR',
    '(MIT',
    'MIT)',
    'MIT Apache-2.0',
    'OR MIT',
    'MIT/X11',
    'GPL-2.0-only WITH',
    'Not-A-Licence',
  ])('rejects %j', (expression) => {
    expect(() => parseSpdx(expression)).toThrow(SpdxSyntaxError);
  });
});
