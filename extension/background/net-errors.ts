/**
 * Why a request to the sync server failed at the network level. In a service worker `fetch()`
 * rejects with the same bare TypeError for a closed port, a DNS failure and an untrusted
 * certificate; only the browser's webRequest events name the cause (`net::ERR_CERT_…` in
 * Chromium, `SEC_ERROR_…` in Firefox). The worker records its own failed requests here (the
 * `webRequest` permission, observe-only) and the API client looks them up after a failed fetch.
 */

/** Certificate and TLS handshake failures: Chromium's net errors, then Firefox's NSS/PKIX names. */
const TLS_ERROR = /^(?:net::ERR_(?:CERT_|SSL_|BAD_SSL_)|SEC_ERROR_|SSL_ERROR_|MOZILLA_PKIX_ERROR_)/;

export const isTlsError = (netError: string) => TLS_ERROR.test(netError);

/** The webRequest events read (the parts of `browser.webRequest` they need). */
export interface WebRequestEvents {
  onErrorOccurred: {
    addListener(
      cb: (details: { url: string; error: string }) => void,
      filter: { urls: string[]; tabId?: number },
    ): void;
  };
  onBeforeRedirect: {
    addListener(
      cb: (details: { url: string; redirectUrl: string }) => void,
      filter: { urls: string[]; tabId?: number },
    ): void;
  };
}

/** What the API client asks: the browser's error for `url` since `sinceMs`, or null. */
export interface NetErrorSource {
  find(url: string, sinceMs: number, graceMs: number): Promise<string | null>;
}

interface Entry {
  url: string;
  error: string;
  at: number;
}

/** Enough for the few requests a sync or sign-in makes at once. */
const KEEP = 32;

export class NetErrorLog implements NetErrorSource {
  private entries: Entry[] = [];
  /** Redirect targets back to the URL that was requested (http → https with a bad certificate). */
  private redirects = new Map<string, string>();
  private waiters = new Set<() => void>();
  private observing = false;

  constructor(private readonly now: () => number = () => Date.now()) {}

  /**
   * Start recording. Only requests outside any tab (`tabId: -1`: this extension's own worker) are
   * observed: page traffic is none of this log's business.
   */
  observe(events: WebRequestEvents): void {
    const filter = { urls: ['<all_urls>'], tabId: -1 };
    events.onBeforeRedirect.addListener((d) => {
      this.redirects.set(d.redirectUrl, this.redirects.get(d.url) ?? d.url);
      if (this.redirects.size > KEEP) this.redirects.delete(this.redirects.keys().next().value ?? '');
    }, filter);
    events.onErrorOccurred.addListener((d) => this.record(d.url, d.error), filter);
    this.observing = true;
  }

  record(url: string, error: string): void {
    this.entries.push({ url: this.redirects.get(url) ?? url, error, at: this.now() });
    if (this.entries.length > KEEP) this.entries.shift();
    for (const wake of this.waiters) wake();
  }

  /**
   * The newest error recorded for `url` at or after `sinceMs`. The event and fetch's rejection
   * race, so when nothing is recorded yet this waits up to `graceMs` for it; without an observer
   * there is nothing to wait for.
   */
  async find(url: string, sinceMs: number, graceMs: number): Promise<string | null> {
    const target = normalize(url);
    const lookup = () =>
      this.entries.findLast((e) => e.at >= sinceMs && normalize(e.url) === target)?.error ?? null;
    const found = lookup();
    if (found !== null || !this.observing) return found;
    return new Promise((resolve) => {
      const done = () => {
        const error = lookup();
        if (error === null && !timedOut) return;
        clearTimeout(timer);
        this.waiters.delete(done);
        resolve(error);
      };
      let timedOut = false;
      const timer = setTimeout(() => {
        timedOut = true;
        done();
      }, graceMs);
      this.waiters.add(done);
    });
  }
}

const normalize = (url: string) => {
  try {
    return new URL(url).href;
  } catch {
    return url;
  }
};

/** The worker's one log; `entrypoints/background.ts` starts it observing. */
export const netErrorLog = new NetErrorLog();
