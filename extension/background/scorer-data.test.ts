import { afterEach, describe, expect, it, vi } from 'vitest';
import { fetchScorerData, parseScorerData, ScorerDataError } from './scorer-data.ts';

const URL_ = 'chrome-extension://test/zxcvbn/data.json';
const good = {
  graphs: { qwerty: { a: ['q', null, 'w'] } },
  dictionary: { 'passwords-common': ['123456', 'password'] },
};

const answering = (response: Response | Error) =>
  vi.stubGlobal(
    'fetch',
    vi.fn(async () => {
      if (response instanceof Error) throw response;
      return response;
    }),
  );

afterEach(() => {
  vi.unstubAllGlobals();
});

describe('the packaged estimator data', () => {
  it('reads the file at the URL it is given', async () => {
    answering(new Response(JSON.stringify(good)));
    expect(await fetchScorerData(URL_)).toEqual(good);
    expect(fetch).toHaveBeenCalledWith(URL_);
  });

  it('fails with a ScorerDataError that says why: missing file, unreadable, not JSON', async () => {
    answering(new Response('', { status: 404 }));
    await expect(fetchScorerData(URL_)).rejects.toThrow(
      new ScorerDataError('The password-strength data could not be read (HTTP 404).'),
    );
    answering(new TypeError('Failed to fetch'));
    await expect(fetchScorerData(URL_)).rejects.toThrow(
      new ScorerDataError('The password-strength data could not be read.'),
    );
    answering(new Response('{"graphs": {'));
    await expect(fetchScorerData(URL_)).rejects.toThrow(
      new ScorerDataError('The password-strength data is not JSON.'),
    );
  });

  it('refuses data that is not the shape zxcvbn-ts takes, naming the part', () => {
    const refused = (json: unknown) => {
      try {
        parseScorerData(json);
      } catch (e) {
        expect(e).toBeInstanceOf(ScorerDataError);
        return (e as Error).message;
      }
      return 'accepted';
    };
    expect(refused(null)).toBe('The password-strength data has no graphs or dictionary.');
    expect(refused({ graphs: {}, dictionary: [] })).toBe(
      'The password-strength data has no graphs or dictionary.',
    );
    expect(refused({ graphs: {}, dictionary: {} })).toBe('The password-strength data is empty.');
    expect(refused({ ...good, graphs: { qwerty: { a: [1] } } })).toBe(
      'The password-strength graph "qwerty" is not a keyboard graph.',
    );
    expect(refused({ ...good, dictionary: { words: 'abc' } })).toBe(
      'The password-strength list "words" is not a list of words.',
    );
    expect(refused({ ...good, dictionary: { words: ['a', null] } })).toBe(
      'The password-strength list "words" is not a list of words.',
    );
    expect(refused(good)).toBe('accepted');
  });
});
