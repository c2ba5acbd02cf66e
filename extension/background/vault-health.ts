import { translations } from '@zxcvbn-ts/language-en';
import { browser } from 'wxt/browser';
import { parseSiteUrl } from '../autofill/url-match.ts';
import { isLogin, type LoginFields } from '../messaging/item-schema.ts';
import { ErrorCode, type HealthEntry, type HealthReport } from '../messaging/protocol.ts';
import { fetchScorerData, SCORER_DATA_PATH, type ScorerData } from './scorer-data.ts';
import { TOTP_SITES } from './totp-sites.ts';
import { itemsOf, type VaultData } from './vault-data.ts';
import { VaultError } from './vault-error.ts';

/**
 * The vault health report (docs/health.md), computed here in the worker over the decrypted vault
 * and never sent anywhere. Pure functions over the data plus a score cache (`VaultHealth`): the
 * reply names items (id, title, subtitle) and a number or a site per entry — never a password.
 */

/** zxcvbn scores below this are "weak" (0 very weak, 1 weak, 2 fair). */
export const WEAK_BELOW = 3;
/** The estimator reads at most this many characters: longer passwords are never the weak ones. */
export const ESTIMATE_MAX_LENGTH = 32;
export const L33T_SUBSTITUTIONS = 8;
export const OLD_AFTER_CHOICES = [90, 180, 365, 730] as const;
export const DEFAULT_OLD_AFTER_DAYS = 365;
const DAY_MS = 86_400_000;

interface LiveLogin {
  id: string;
  fields: LoginFields;
  createdAt: string;
}

/** Live (not deleted, not trashed) logins: the only items whose passwords are checked. */
export function liveLogins(data: VaultData): LiveLogin[] {
  const list: LiveLogin[] = [];
  for (const i of itemsOf(data)) {
    if (i.deleted || i.fields.trashedAt || !isLogin(i.fields)) continue;
    list.push({ id: i.id, fields: i.fields, createdAt: i.createdAt });
  }
  return list;
}

/** Distinct non-empty passwords of the live logins: what the estimator must score. */
export function distinctPasswords(logins: readonly LiveLogin[]): string[] {
  return [...new Set(logins.map((l) => l.fields.password).filter((p) => p !== ''))];
}

/** When the password was last set: the newest history entry's replacedAt, else the item's creation. */
export function passwordSetAt(login: LiveLogin): string {
  let newest: string | null = null;
  for (const h of login.fields.passwordHistory)
    if (newest === null || h.replacedAt > newest) newest = h.replacedAt;
  return newest ?? login.createdAt;
}

const entry = (l: LiveLogin, detail: number | string): HealthEntry => ({
  itemId: l.id,
  title: l.fields.title,
  subtitle: l.fields.username,
  detail,
});

/**
 * The report. `scoreOf` gives the estimator's 0–4 score of a password (undefined: not scored, not
 * listed as weak). Entries within a category: the worst first (lowest score, most reuses, oldest),
 * then by title.
 */
export function healthReport(
  data: VaultData,
  options: { now: Date; oldAfterDays: number; scoreOf: (password: string) => number | undefined },
): Omit<HealthReport, 'strength'> {
  const logins = liveLogins(data);
  const reuse = new Map<string, number>();
  for (const l of logins) {
    const p = l.fields.password;
    if (p !== '') reuse.set(p, (reuse.get(p) ?? 0) + 1);
  }
  const report: Omit<HealthReport, 'strength'> = {
    checked: logins.length,
    weak: [],
    reused: [],
    old: [],
    insecure: [],
    inactiveTotp: [],
  };
  const nowMs = options.now.getTime();
  for (const l of logins) {
    const { password, uris, totp } = l.fields;
    if (password !== '') {
      const score = options.scoreOf(password);
      if (score !== undefined && score < WEAK_BELOW) report.weak.push(entry(l, score));
      const count = reuse.get(password) ?? 0;
      if (count > 1) report.reused.push(entry(l, count));
      const setAt = Date.parse(passwordSetAt(l));
      const days = Math.floor((nowMs - setAt) / DAY_MS);
      if (Number.isFinite(days) && days >= options.oldAfterDays) report.old.push(entry(l, days));
    }
    const sites = uris.map((u) => parseSiteUrl(u.url)).filter((s) => s !== null);
    const insecure = sites.find((s) => s.insecure);
    if (insecure) report.insecure.push(entry(l, insecure.hostname));
    if (totp === '') {
      const twoStep = sites.find((s) => TOTP_SITES.has(s.registrableDomain));
      if (twoStep) report.inactiveTotp.push(entry(l, twoStep.registrableDomain));
    }
  }
  const byTitle = (a: HealthEntry, b: HealthEntry) =>
    a.title.localeCompare(b.title) || (a.itemId < b.itemId ? -1 : a.itemId > b.itemId ? 1 : 0);
  const num = (e: HealthEntry) => (typeof e.detail === 'number' ? e.detail : 0);
  report.weak.sort((a, b) => num(a) - num(b) || byTitle(a, b));
  report.reused.sort((a, b) => num(b) - num(a) || byTitle(a, b));
  report.old.sort((a, b) => num(b) - num(a) || byTitle(a, b));
  report.insecure.sort(byTitle);
  report.inactiveTotp.sort(byTitle);
  return report;
}

/** zxcvbn's score of a password (0–4), as the master-password meter computes it. */
export type ScorePassword = (password: string) => number;

/**
 * The estimator, loaded on first use: zxcvbn-ts with the master-password meter's dictionaries and
 * options (popup/password-strength.ts), plus two caps for a whole vault's throughput: at most
 * ESTIMATE_MAX_LENGTH characters are read, and at most L33T_SUBSTITUTIONS l33t variants tried
 * (the default 512 costs over a second on some random 20-character passwords; with 8, the common
 * l33t forms such as "p@ssw0rd" still score 0). The dictionaries and graphs come from `readData`:
 * in the worker, the data file packaged beside it (scorer-data.ts), read here and not part of the
 * worker's script; Node code passes the same data read from the packages. The core (≈ 60 KB) is
 * inlined in the IIFE worker bundle but only evaluated here. A failed read rejects with
 * ScorerDataError; the report then answers without strengths and the next report tries again.
 */
export async function loadScorer(
  readData: () => Promise<ScorerData> = packagedScorerData,
): Promise<ScorePassword> {
  const [{ ZxcvbnFactory }, data] = await Promise.all([import('@zxcvbn-ts/core'), readData()]);
  const factory = new ZxcvbnFactory({
    translations,
    graphs: data.graphs,
    dictionary: data.dictionary,
    useLevenshteinDistance: false,
    maxLength: ESTIMATE_MAX_LENGTH,
    l33tMaxSubstitutions: L33T_SUBSTITUTIONS,
  });
  return (password) => factory.check(password.slice(0, ESTIMATE_MAX_LENGTH)).score;
}

/** The data file packaged with the extension, read from the extension's own origin. */
export const packagedScorerData = (): Promise<ScorerData> =>
  fetchScorerData(browser.runtime.getURL(SCORER_DATA_PATH));

async function hashOf(password: string): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(password));
  return btoa(String.fromCharCode(...new Uint8Array(digest)));
}

/**
 * Where scores outlive an unlocked session (health-scores.ts: sealed by the vault key). `read`
 * gives what was kept for this account (empty when nothing can be opened); `write` replaces it.
 */
export interface ScoreStore {
  read(): Promise<Map<string, number>>;
  write(scores: ReadonlyMap<string, number>): Promise<void>;
}

/** No store: scores live for the unlocked session only (unit tests, benches). */
export const sessionOnly: ScoreStore = { read: async () => new Map(), write: async () => undefined };

/** How long a report waits for scoring before it answers with the scores it has, and the progress. */
export const REPORT_WAIT_MS = 300;
/** Scoring runs in slices of about this long, yielding to the event loop between them. */
const SLICE_MS = 25;
/** New scores between two writes of the store while scoring a large vault. */
const SAVE_EVERY = 500;
/** After an unlock, scoring starts this much later, so the list and a first fill come first. */
export const WARM_DELAY_MS = 5_000;

const pause = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/**
 * Scores keyed by a SHA-256 of the password (never the password): each distinct password is
 * estimated once, in slices in the background, and the scores are kept sealed across unlocks
 * (`ScoreStore`), so a later report — or the next unlock's — only scores new passwords. A report
 * waits up to REPORT_WAIT_MS for scoring, then answers with what is scored so far and the progress
 * (`strength`); the popup asks again until it is complete. `clear()` on lock stops scoring and
 * forgets the scores in memory; a report over another vault object (a new unlock) starts afresh.
 */
export class VaultHealth {
  private scores = new Map<string, number>();
  private owner: VaultData | null = null;
  private loaded: Promise<void> | null = null;
  private job: Promise<void> | null = null;
  private epoch = 0;
  private warmTimer: ReturnType<typeof setTimeout> | null = null;
  private scorer: Promise<ScorePassword> | null = null;
  private hashByFields = new WeakMap<LoginFields, string>();

  constructor(
    private readonly load: () => Promise<ScorePassword> = loadScorer,
    private readonly store: ScoreStore = sessionOnly,
    private readonly waitMs = REPORT_WAIT_MS,
  ) {}

  clear(): void {
    this.epoch++;
    this.scores = new Map();
    this.owner = null;
    this.loaded = null;
    this.job = null;
    this.hashByFields = new WeakMap();
    if (this.warmTimer !== null) clearTimeout(this.warmTimer);
    this.warmTimer = null;
  }

  /** After an unlock: score what the store lacks in the background, WARM_DELAY_MS from now. */
  warmLater(read: () => Promise<VaultData>, delayMs = WARM_DELAY_MS): void {
    if (this.warmTimer !== null) clearTimeout(this.warmTimer);
    this.warmTimer = setTimeout(() => {
      this.warmTimer = null;
      void read()
        .then((data) => this.start(data))
        .catch(() => undefined);
    }, delayMs);
  }

  async report(data: VaultData, oldAfterDays: number, now = new Date()): Promise<HealthReport> {
    const { hashes, epoch } = await this.start(data);
    const job = this.job;
    if (job) await Promise.race([job.catch(() => undefined), pause(this.waitMs)]);
    // Locked (cleared) meanwhile: the scores were for a vault that is gone.
    if (epoch !== this.epoch) throw new VaultError(ErrorCode.Locked);
    const scores = this.scores;
    let scored = 0;
    for (const h of hashes.values()) if (scores.has(h)) scored++;
    return {
      ...healthReport(data, {
        now,
        oldAfterDays,
        scoreOf: (p) => {
          const h = hashes.get(p);
          return h === undefined ? undefined : scores.get(h);
        },
      }),
      strength: { scored, total: hashes.size },
    };
  }

  /**
   * Each distinct password's hash. Remembered per login body (a WeakMap on the fields object, which
   * an edit replaces), so a report — asked for every second while scoring — hashes only what changed.
   */
  private async hashesOf(logins: readonly LiveLogin[]): Promise<Map<string, string>> {
    const hashes = new Map<string, string>();
    const work: Promise<unknown>[] = [];
    for (const { fields } of logins) {
      const p = fields.password;
      if (p === '' || hashes.has(p)) continue;
      const known = this.hashByFields.get(fields);
      if (known !== undefined) {
        hashes.set(p, known);
        continue;
      }
      hashes.set(p, '');
      work.push(
        hashOf(p).then((h) => {
          hashes.set(p, h);
          this.hashByFields.set(fields, h);
        }),
      );
    }
    await Promise.all(work);
    return hashes;
  }

  /** The kept scores loaded, and scoring of the missing ones running (unless all are scored). */
  private async start(data: VaultData): Promise<{ hashes: Map<string, string>; epoch: number }> {
    if (this.owner !== data) {
      this.clear();
      this.owner = data;
    }
    const epoch = this.epoch;
    this.loaded ??= this.store
      .read()
      .then((kept) => {
        if (epoch !== this.epoch) return;
        for (const [h, score] of kept) if (!this.scores.has(h)) this.scores.set(h, score);
      })
      .catch(() => undefined);
    await this.loaded;
    const hashes = await this.hashesOf(liveLogins(data));
    if (epoch !== this.epoch) throw new VaultError(ErrorCode.Locked);
    if (!this.job) {
      const missing = [...hashes].filter(([, h]) => !this.scores.has(h));
      if (missing.length > 0) {
        const job = this.scoreAll(missing, new Set(hashes.values()), epoch);
        this.job = job;
        void job
          .finally(() => {
            if (this.job === job) this.job = null;
          })
          .catch(() => undefined);
      }
    }
    return { hashes, epoch };
  }

  private async scoreAll(missing: [string, string][], current: Set<string>, epoch: number): Promise<void> {
    this.scorer ??= this.load();
    this.scorer.catch(() => {
      this.scorer = null;
    });
    const score = await this.scorer;
    let unsaved = 0;
    let sliceStart = performance.now();
    for (const [password, hash] of missing) {
      if (epoch !== this.epoch) return;
      if (!this.scores.has(hash)) {
        this.scores.set(hash, score(password));
        unsaved++;
      }
      if (performance.now() - sliceStart >= SLICE_MS) {
        await pause(0);
        sliceStart = performance.now();
        if (unsaved >= SAVE_EVERY) {
          await this.save(current, epoch);
          unsaved = 0;
        }
      }
    }
    if (unsaved > 0) await this.save(current, epoch);
  }

  /** Keeps the scores of the vault's current passwords (those of replaced ones are dropped). */
  private async save(current: Set<string>, epoch: number): Promise<void> {
    if (epoch !== this.epoch) return;
    const kept = new Map<string, number>();
    for (const [h, score] of this.scores) if (current.has(h)) kept.set(h, score);
    // Locked meanwhile (LOCKED) or storage full: the scores stay a session cache this time.
    await this.store.write(kept).catch(() => undefined);
  }
}
