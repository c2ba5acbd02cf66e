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
let firstPage: Promise<ItemPage | null> | null = null;
let recovery: Promise<RecoveryKeyStatus> | null = null;
/** The first page once its answer has arrived, so that the list can be drawn with it from the start. */
let firstPageArrived: ItemPage | null = null;
/** The recovery key's status once arrived, so that the gate before the list draws what it says at once. */
let recoveryArrived: RecoveryKeyStatus | null = null;

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
  const status = send('recoveryKeyStatus', {});
  recovery = status;
  recoveryArrived = null;
  void status.then(
    (s) => {
      if (recovery === status) recoveryArrived = s;
    },
    () => undefined,
  );
  // A locked vault or no account answers this with an error: the state says which screen to show.
  const page = send('listItems', { query: '', limit: LIST_ROWS, view: 'all', folder: '' }).catch(() => null);
  firstPage = page;
  firstPageArrived = null;
  void page.then((p) => {
    if (firstPage === page) firstPageArrived = p;
  });
}

/** The recovery key's status asked for at opening, once; null afterwards (ask again). */
export function takeOpeningRecoveryStatus(): Promise<RecoveryKeyStatus> | null {
  const r = recovery;
  recovery = null;
  recoveryArrived = null;
  return r;
}

/**
 * The recovery status asked for ahead if its answer is in already, taken once; null, and nothing
 * taken, while it is on its way. The gate before the list (recovery-key-screens.tsx) starts from
 * it, instead of drawing "loading" and waiting a frame for its effect — on a cold popup, a frame
 * and a timer before the whole list is drawn.
 */
export function takeArrivedRecoveryStatus(): RecoveryKeyStatus | null {
  const s = recoveryArrived;
  if (s) takeOpeningRecoveryStatus();
  return s;
}

/** The state asked for at opening, once; null afterwards (ask again). */
export function takeOpeningState(): Promise<VaultState> | null {
  const s = state;
  state = null;
  return s;
}

/** The first page asked for at opening, once; null afterwards or when it could not be read. */
export function takeOpeningPage(): Promise<ItemPage | null> | null {
  const p = firstPage;
  firstPage = null;
  firstPageArrived = null;
  return p;
}

/**
 * The first page asked for ahead if its answer is in already, taken once (as takeOpeningPage
 * would); null, and nothing taken, while it is still on its way. The list's first render uses it,
 * instead of drawing an empty list and waiting a frame for its effect to take the answer.
 */
export function takeArrivedPage(): ItemPage | null {
  const p = firstPageArrived;
  if (p) takeOpeningPage();
  return p;
}

/**
 * The vault was not open when the popup opened: what was asked for an open one is dropped, so that
 * screens shown after a sign-in, an unlock or a recovery ask afresh (an offer made meanwhile shows).
 */
export function dropOpening(): void {
  firstPage = null;
  firstPageArrived = null;
  recovery = null;
  recoveryArrived = null;
}
