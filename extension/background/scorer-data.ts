import type { OptionsDictionary, OptionsGraph } from '@zxcvbn-ts/core';

/**
 * The password-strength estimator's data — zxcvbn-ts's ranked word lists and keyboard graphs, about
 * 2.4 MB — kept out of the service worker's script (parsed and evaluated at every worker start) and
 * packaged beside it as one JSON file, which the worker reads the first time it scores a password
 * (docs/health.md). The build writes the file from the installed @zxcvbn-ts language packages
 * (scripts/scorer-data.ts, wxt.config.ts), so it always matches their version and is never committed.
 * It is the extension's own file, read from its own origin: not web-accessible.
 */

/** Where the build puts the data in the extension (`browser.runtime.getURL` path). */
export const SCORER_DATA_PATH = '/zxcvbn/data.json';

/** The estimator options the file holds, exactly as the language packages export them. */
export interface ScorerData {
  graphs: OptionsGraph;
  dictionary: OptionsDictionary;
}

/** The data could not be read or is not what the build writes (a broken or stale package). */
export class ScorerDataError extends Error {
  override readonly name = 'ScorerDataError';
}

const isRecord = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

const isListOf = <T>(v: unknown, item: (x: unknown) => x is T): v is T[] => Array.isArray(v) && v.every(item);

const isWord = (x: unknown): x is string | number => typeof x === 'string' || typeof x === 'number';
const isKey = (x: unknown): x is string | null => x === null || typeof x === 'string';

/** The parsed file checked for the shape zxcvbn-ts expects, so a bad file fails here, by name. */
export function parseScorerData(json: unknown): ScorerData {
  if (!isRecord(json) || !isRecord(json.graphs) || !isRecord(json.dictionary)) {
    throw new ScorerDataError('The password-strength data has no graphs or dictionary.');
  }
  const { graphs, dictionary } = json;
  const graphNames = Object.keys(graphs);
  const listNames = Object.keys(dictionary);
  if (graphNames.length === 0 || listNames.length === 0) {
    throw new ScorerDataError('The password-strength data is empty.');
  }
  for (const name of graphNames) {
    const graph = graphs[name];
    if (!isRecord(graph) || !Object.values(graph).every((keys) => isListOf(keys, isKey))) {
      throw new ScorerDataError(`The password-strength graph "${name}" is not a keyboard graph.`);
    }
  }
  for (const name of listNames) {
    if (!isListOf(dictionary[name], isWord)) {
      throw new ScorerDataError(`The password-strength list "${name}" is not a list of words.`);
    }
  }
  // Every value was checked above to have the option types' shape.
  return { graphs: graphs as OptionsGraph, dictionary: dictionary as OptionsDictionary };
}

/** Reads and checks the packaged data at `url` (the worker: `browser.runtime.getURL(SCORER_DATA_PATH)`). */
export async function fetchScorerData(url: string): Promise<ScorerData> {
  let response: Response;
  try {
    response = await fetch(url);
  } catch (e) {
    throw new ScorerDataError('The password-strength data could not be read.', { cause: e });
  }
  if (!response.ok) {
    throw new ScorerDataError(`The password-strength data could not be read (HTTP ${response.status}).`);
  }
  let json: unknown;
  try {
    json = await response.json();
  } catch (e) {
    throw new ScorerDataError('The password-strength data is not JSON.', { cause: e });
  }
  return parseScorerData(json);
}
