import { type ItemPage, LIST_ROWS, type RecoveryKeyStatus, type VaultState } from '../messaging/protocol.ts';
import { send } from './send.ts';

/**
 * What the popup asks the worker for the moment its script runs, before the page is set up and
 * drawn: the vault's state, whether to offer a recovery key, and the list's first page, all at
 * once. A worker that was asleep starts while the page loads, and answers them from the stored
 * first page (vault-store.ts) before the rest of the vault opens and keeps its thread busy. Each
 * answer is taken once; later ones are asked for as usual.
 */
let state: Promise<VaultState> | null = null;

/**
 * One request asked for ahead: taken once, as its promise, or — once its answer is in — as the
 * answer itself, so that a screen's first render can draw it instead of drawing "loading" and
 * waiting a frame and a timer for its effect to take it. A failed request never arrives.
 */
class AskedAhead<T> {
  private asked: Promise<T> | null = null;
  private arrived: T | null = null;

  ask(request: Promise<T>): void {
    this.asked = request;
    this.arrived = null;
    void request.then(
      (value) => {
        if (this.asked === request) this.arrived = value;
      },
      () => undefined,
    );
  }

  /** The request, once; null afterwards (ask again). */
  take(): Promise<T> | null {
    const asked = this.asked;
    this.drop();
    return asked;
  }

  /** The answer if it is in (taken, as take() would); null, and nothing taken, while on its way. */
  takeArrived(): T | null {
    const value = this.arrived;
    if (value !== null) this.drop();
    return value;
  }

  drop(): void {
    this.asked = null;
    this.arrived = null;
  }
}

const firstPage = new AskedAhead<ItemPage | null>();
const recovery = new AskedAhead<RecoveryKeyStatus>();

export function startOpening(): void {
  state = send('getState', {});
  // Nobody may take the state (a page torn down first): its failure is shown when it is asked again.
  state.catch(() => undefined);
  askForOpenVault();
}

/**
 * What the screens of an open vault ask for first, asked for together: at opening, and the moment
 * an unlock or a sign-in answers (so the list's first page is not asked for only after the
 * recovery key's status came back and its screen was drawn).
 */
export function askForOpenVault(): void {
  recovery.ask(send('recoveryKeyStatus', {}));
  // A locked vault or no account answers this with an error: the state says which screen to show.
  firstPage.ask(
    send('listItems', { query: '', limit: LIST_ROWS, view: 'all', folder: '' }).catch(() => null),
  );
}

/** The recovery key's status asked for at opening, once; null afterwards (ask again). */
export function takeOpeningRecoveryStatus(): Promise<RecoveryKeyStatus> | null {
  return recovery.take();
}

/** The recovery status if its answer is in already, taken once; the gate before the list starts from it. */
export function takeArrivedRecoveryStatus(): RecoveryKeyStatus | null {
  return recovery.takeArrived();
}

/** The state asked for at opening, once; null afterwards (ask again). */
export function takeOpeningState(): Promise<VaultState> | null {
  const s = state;
  state = null;
  return s;
}

/** The first page asked for at opening, once; null afterwards or when it could not be read. */
export function takeOpeningPage(): Promise<ItemPage | null> | null {
  return firstPage.take();
}

/** The first page if its answer is in already, taken once; the list's first render draws it. */
export function takeArrivedPage(): ItemPage | null {
  return firstPage.takeArrived();
}

/**
 * The vault was not open when the popup opened: what was asked for an open one is dropped, so that
 * screens shown after a sign-in, an unlock or a recovery ask afresh (an offer made meanwhile shows).
 */
export function dropOpening(): void {
  firstPage.drop();
  recovery.drop();
}
