import { z } from 'zod';
import { once } from '../messaging/lazy-schemas.ts';
import { type Problem, passphraseProblems, passwordProblems, problemMessage } from './options.ts';

/**
 * The worker's zod schemas of the generator's options, built on options.ts's checker: each problem
 * becomes an issue on its field. Each is built on first use (lazy-schemas.ts). Kept apart from options.ts so that the popup, which shows the same
 * problems itself, loads no zod with the generator screen.
 */

function issues(ctx: z.RefinementCtx, problems: Problem[], path: string[] = []) {
  for (const p of problems)
    ctx.addIssue({ code: 'custom', path: [...path, p.field], message: problemMessage(p) });
}

const passwordShape = once(() =>
  z.object({
    length: z.number(),
    upper: z.boolean(),
    lower: z.boolean(),
    digits: z.boolean(),
    symbols: z.boolean(),
    avoidAmbiguous: z.boolean(),
    minDigits: z.number(),
    minSymbols: z.number(),
  }),
);

const passphraseShape = once(() =>
  z.object({
    words: z.number(),
    separator: z.string().max(16),
    capitalize: z.boolean(),
    includeNumber: z.boolean(),
  }),
);

export const passwordOptionsSchema = once(() =>
  passwordShape().superRefine((o, ctx) => issues(ctx, passwordProblems(o))),
);
export const passphraseOptionsSchema = once(() =>
  passphraseShape().superRefine((o, ctx) => issues(ctx, passphraseProblems(o))),
);

/**
 * Both kinds' options travel together (the popup keeps both), but only the chosen kind's must be
 * usable: a half-edited password setup does not block a passphrase. The other part is saved as it
 * is and checked again when read (saved-options.ts).
 */
export const generatorOptionsSchema = once(() =>
  z
    .object({
      kind: z.enum(['password', 'passphrase']),
      password: passwordShape(),
      passphrase: passphraseShape(),
    })
    .superRefine((o, ctx) =>
      o.kind === 'password'
        ? issues(ctx, passwordProblems(o.password), ['password'])
        : issues(ctx, passphraseProblems(o.passphrase), ['passphrase']),
    ),
);
