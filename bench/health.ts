/**
 * The vault health report over 10,000 items of mixed types (fixtures.ts: 7,000 logins, every
 * password distinct), in the worker's own code path (background/vault-health.ts):
 * - firstAnswerMs: the first report's answer (every category but weak complete; strengths being
 *   scored in the background), and completeMs: until every distinct password is scored (cold: the
 *   estimator loaded and 7,000 passwords scored by zxcvbn-ts);
 * - nextUnlockMs: the report after a new unlock, the scores read back from the store (the worker
 *   keeps them sealed in storage.local; here an in-memory store);
 * - warmMs: a later report in the same unlocked session.
 * docs/health.md quotes the figures.
 */

// Extension modules define WXT storage items on import; in Node they get WXT's fake browser.
import '../e2e/support/extension-modules.ts';
import { loadScorer, type ScoreStore, VaultHealth } from '../extension/background/vault-health.ts';
import { scorerDataAsPackaged } from '../scripts/scorer-data.ts';
import { makeVault } from './fixtures.ts';

const ITEMS = 10_000;
/** The estimator with the data file the build packages (the worker fetches it; here it is made in place). */
const load = () => loadScorer(scorerDataAsPackaged);

export async function benchHealth() {
  const data = makeVault(ITEMS);
  let kept = new Map<string, number>();
  const store: ScoreStore = {
    read: async () => new Map(kept),
    write: async (scores) => {
      kept = new Map(scores);
    },
  };
  const health = new VaultHealth(load, store);
  const t0 = performance.now();
  const first = await health.report(data, 365);
  const firstAnswerMs = performance.now() - t0;
  let report = first;
  // As the popup does: the report again every second until every strength is known.
  while (report.strength.scored < report.strength.total) {
    await new Promise((r) => setTimeout(r, 1000));
    report = await health.report(data, 365);
  }
  const completeMs = performance.now() - t0;
  const t1 = performance.now();
  await health.report(data, 365);
  const warmMs = performance.now() - t1;
  const t2 = performance.now();
  const next = await new VaultHealth(load, store).report(structuredClone(data), 365);
  const nextUnlockMs = performance.now() - t2;
  if (next.strength.scored !== next.strength.total) throw new Error('the next unlock had to score again');
  return {
    name: 'vault-health',
    items: ITEMS,
    logins: first.checked,
    distinctPasswords: first.strength.total,
    runtime: `node ${process.version}`,
    firstAnswerMs: Number(firstAnswerMs.toFixed(1)),
    completeMs: Number(completeMs.toFixed(1)),
    nextUnlockMs: Number(nextUnlockMs.toFixed(1)),
    warmMs: Number(warmMs.toFixed(1)),
  };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  process.stdout.write(`${JSON.stringify(await benchHealth())}\n`);
}
