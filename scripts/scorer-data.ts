import { parseScorerData, type ScorerData } from '../extension/background/scorer-data.ts';

/**
 * The password-strength data file the build packages with the extension (wxt.config.ts), made from
 * the installed @zxcvbn-ts language packages at every build so it never drifts from their version
 * (extension/background/scorer-data.ts reads it in the worker; docs/health.md). Node code (unit
 * tests, benches) reads the same data through `scorerDataFromPackages`.
 */

/** The dictionaries and graphs exactly as the packages export them (lists decompressed). */
export async function scorerDataFromPackages(): Promise<ScorerData> {
  const [common, en] = await Promise.all([
    import('@zxcvbn-ts/language-common'),
    import('@zxcvbn-ts/language-en'),
  ]);
  // The same merge, in the same order, as the popup's meter (popup/password-strength.ts).
  return { graphs: common.adjacencyGraphs, dictionary: { ...common.dictionary, ...en.dictionary } };
}

/** The file's text. */
export async function scorerDataJson(): Promise<string> {
  return JSON.stringify(await scorerDataFromPackages());
}

/** The data as the worker reads it: the file's text, parsed and checked as scorer-data.ts does. */
export async function scorerDataAsPackaged(): Promise<ScorerData> {
  return parseScorerData(JSON.parse(await scorerDataJson()));
}
