import { describe, expect, it } from 'vitest';
import { isTlsError, NetErrorLog, type WebRequestEvents } from './net-errors.ts';

/** A stand-in for `browser.webRequest`: keeps the listeners and filters so a test can fire events. */
function fakeWebRequest() {
  const errorListeners: ((d: { url: string; error: string }) => void)[] = [];
  const redirectListeners: ((d: { url: string; redirectUrl: string }) => void)[] = [];
  const filters: unknown[] = [];
  const events: WebRequestEvents = {
    onErrorOccurred: {
      addListener: (cb, filter) => {
        errorListeners.push(cb);
        filters.push(filter);
      },
    },
    onBeforeRedirect: {
      addListener: (cb, filter) => {
        redirectListeners.push(cb);
        filters.push(filter);
      },
    },
  };
  return {
    events,
    filters,
    error: (url: string, error: string) => {
      for (const l of errorListeners) l({ url, error });
    },
    redirect: (url: string, redirectUrl: string) => {
      for (const l of redirectListeners) l({ url, redirectUrl });
    },
  };
}

const URL_A = 'https://keyhold.example:8443/v1/meta';

describe('NetErrorLog', () => {
  it("observes only requests outside tabs (the worker's own)", () => {
    const web = fakeWebRequest();
    new NetErrorLog().observe(web.events);
    expect(web.filters).toEqual([
      { urls: ['<all_urls>'], tabId: -1 },
      { urls: ['<all_urls>'], tabId: -1 },
    ]);
  });

  it('finds the error recorded for a URL since the request started', async () => {
    let now = 1_000;
    const log = new NetErrorLog(() => now);
    const web = fakeWebRequest();
    log.observe(web.events);
    web.error(URL_A, 'net::ERR_CONNECTION_REFUSED');
    now = 2_000;
    web.error('https://other.example/', 'net::ERR_CERT_DATE_INVALID');
    expect(await log.find(URL_A, 1_000, 0)).toBe('net::ERR_CONNECTION_REFUSED');
    // An older failure of the same URL does not explain a newer request.
    expect(await log.find(URL_A, 1_500, 0)).toBeNull();
  });

  it('waits for an event that arrives after the fetch rejected, up to the grace period', async () => {
    const log = new NetErrorLog();
    const web = fakeWebRequest();
    log.observe(web.events);
    const since = Date.now();
    const found = log.find(URL_A, since, 5_000);
    setTimeout(() => web.error(URL_A, 'net::ERR_CERT_AUTHORITY_INVALID'), 20);
    expect(await found).toBe('net::ERR_CERT_AUTHORITY_INVALID');

    const started = Date.now();
    expect(await log.find('https://silent.example/', since, 50)).toBeNull();
    expect(Date.now() - started).toBeGreaterThanOrEqual(45);
  });

  it('does not wait when nothing observes the browser', async () => {
    const started = Date.now();
    expect(await new NetErrorLog().find(URL_A, 0, 5_000)).toBeNull();
    expect(Date.now() - started).toBeLessThan(1_000);
  });

  it('attributes an error after a redirect (http → https) to the URL that was requested', async () => {
    const log = new NetErrorLog();
    const web = fakeWebRequest();
    log.observe(web.events);
    web.redirect('http://keyhold.example/v1/meta', 'https://keyhold.example/v1/meta');
    web.error('https://keyhold.example/v1/meta', 'net::ERR_CERT_COMMON_NAME_INVALID');
    expect(await log.find('http://keyhold.example/v1/meta', 0, 0)).toBe('net::ERR_CERT_COMMON_NAME_INVALID');
  });
});

describe('isTlsError', () => {
  it("knows Chromium's and Firefox's certificate and handshake errors from other failures", () => {
    for (const e of [
      'net::ERR_CERT_AUTHORITY_INVALID',
      'net::ERR_CERT_DATE_INVALID',
      'net::ERR_SSL_PROTOCOL_ERROR',
      'net::ERR_BAD_SSL_CLIENT_AUTH_CERT',
      'SEC_ERROR_UNKNOWN_ISSUER',
      'SSL_ERROR_BAD_CERT_DOMAIN',
      'MOZILLA_PKIX_ERROR_SELF_SIGNED_CERT',
    ]) {
      expect(isTlsError(e), e).toBe(true);
    }
    for (const e of [
      'net::ERR_CONNECTION_REFUSED',
      'net::ERR_NAME_NOT_RESOLVED',
      'net::ERR_TIMED_OUT',
      'NS_ERROR_CONNECTION_REFUSED',
    ]) {
      expect(isTlsError(e), e).toBe(false);
    }
  });
});
