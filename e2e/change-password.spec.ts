import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  changePassword,
  closeSecurity,
  fillPasswordChange,
  formError,
  openSecurity,
  signInAgain,
  submitPasswordChange,
  syncLine,
} from './support/account-pages.ts';
import { type Device, launchDevice } from './support/browser.ts';
import { PopupPage } from './support/popup-page.ts';
import { type RunningServer, startServer } from './support/server.ts';
import { waitFor } from './support/wait.ts';

/**
 * Changing the master password in the real popup, on two devices against a real server. Device A
 * changes it while device B holds edits the server has not seen; B is told, logs in again with the
 * new password, and its edits reach A. Then the bad inputs: a wrong current password, a weak or reused
 * new one, a change racing another device's, the server unreachable — each a clear message, nothing lost.
 */

const EMAIL = 'lin@example.test';
const FIRST = 'amber-falcon-ledger-42';
const SECOND = 'violet-harbour-spindle-17';
const THIRD = 'copper-lantern-thistle-85';

describe('change the master password', () => {
  let server: RunningServer;
  let deviceA: Device;
  let deviceB: Device;
  let a: PopupPage;
  let b: PopupPage;

  /** The same server (address and data) after a stop. */
  async function restartServer() {
    const { port } = new URL(server.url);
    server = await startServer({ PORT: port, DATA_DIR: server.dataDir, AUTH_RATE_LIMIT_PER_MINUTE: '1000' });
  }

  beforeAll(async () => {
    [server, deviceA, deviceB] = await Promise.all([
      startServer({ AUTH_RATE_LIMIT_PER_MINUTE: '1000' }),
      launchDevice(),
      launchDevice(),
    ]);
    a = new PopupPage(await deviceA.openPopup());
    await a.createAccount(server.url, EMAIL, FIRST);
    await a.addLogin({ title: 'Bank', username: 'lin', password: 'bank-pw-1' });
    await a.syncNow();
    b = new PopupPage(await deviceB.openPopup());
    await b.logIn(server.url, EMAIL, FIRST);
    expect(await b.titles()).toEqual(['Bank']);
  });

  afterAll(async () => {
    await Promise.all([deviceA?.close(), deviceB?.close()]);
    await server?.stop();
  });

  it('on A while B holds unsynced edits: B is told, logs in again with the new password, A gets the edits', async () => {
    // B edits while the server is down: the edits exist only on B. Then B locks.
    await server.stop();
    await b.addLogin({ title: 'Made on B', username: 'lin-b', password: 'b-pw' });
    await b.editItem('Bank', { password: 'bank-pw-from-B' });
    expect(await syncLine(b)).toContain('Offline');
    await b.lock();
    await restartServer();

    await openSecurity(a);
    expect(await changePassword(a, { current: FIRST, next: SECOND, kdf: 'stronger' })).toBe(
      'Master password changed. Other devices will ask for the new one.',
    );
    // The overview re-reads the account after the change: wait for it rather than race it.
    expect(
      await waitFor(
        () => a.page.$eval('section.security .hint', (e) => e.textContent ?? ''),
        (hint) => hint.includes('Argon2id, 128 MiB'),
      ),
    ).toContain('Argon2id, 128 MiB');
    await closeSecurity(a);

    // B unlocks with the password it knows: its vault opens from this device, the server refuses it.
    await b.unlock(FIRST);
    await b.waitForList();
    await b.page.locator('::-p-aria([name="Log in again"][role="heading"])').wait();
    expect(await b.page.$eval('form.choice p', (e) => e.textContent)).toContain(
      'Your master password was changed on another device — log in again.',
    );
    expect(await b.titles()).toEqual(['Bank', 'Made on B']);

    await signInAgain(b, 'not the new password either');
    expect(await formError(b, 'New master password')).toBe('The email or master password is not right.');
    await signInAgain(b, SECOND);
    await waitFor(
      () => syncLine(b),
      (line) => line.startsWith('Synced'),
      15_000,
    );
    // The "Log in again" form goes with the state that no longer reports the refusal.
    await b.page.waitForSelector('#sign-in-again-title', { hidden: true });

    await a.syncNow();
    expect(await a.titles()).toEqual(['Bank', 'Made on B']);
    expect((await a.openItem('Bank')).password).toBe('bank-pw-from-B');
    await a.closeItem();
  });

  it('refuses a wrong current password, a weak new one and a reused one, next to the field', async () => {
    await openSecurity(a);
    await fillPasswordChange(a, { current: 'not it at all', next: THIRD });
    expect(await submitPasswordChange(a)).toBeNull();
    expect(await formError(a, 'Current master password')).toBe('That master password is not right.');

    await fillPasswordChange(a, { current: SECOND, next: 'password1234' });
    expect(await submitPasswordChange(a)).toBeNull();
    expect(await formError(a, 'New master password')).toContain('commonly used password');

    await fillPasswordChange(a, { current: SECOND, next: 'lin@example.test-orange-kettle' });
    expect(await submitPasswordChange(a)).toBeNull();
    expect(await formError(a, 'New master password')).toBe(
      'The master password must not contain your email address or its name part.',
    );

    // The first password is one of the last five: the worker refuses it from the sealed history.
    await fillPasswordChange(a, { current: SECOND, next: FIRST });
    expect(await submitPasswordChange(a)).toBeNull();
    expect(await formError(a, 'New master password')).toBe(
      'You used this master password recently: choose one you have not used for this account before.',
    );

    await fillPasswordChange(a, { current: SECOND, next: THIRD, confirm: `${THIRD}x` });
    expect(await submitPasswordChange(a)).toBeNull();
    expect(await formError(a, 'Confirm new master password')).toBe(
      'The two new master passwords do not match.',
    );
    await closeSecurity(a);

    // Nothing changed: the password is still SECOND.
    await a.lock();
    await a.unlock(SECOND);
    await a.waitForList();
  });

  it('says so when the server cannot be reached, and nothing changes', async () => {
    await openSecurity(a);
    await server.stop();
    await fillPasswordChange(a, { current: SECOND, next: THIRD });
    expect(await submitPasswordChange(a)).toBeNull();
    expect(await formError(a)).toBe(
      `Keyhold cannot reach a server at ${server.url}. Check the address and your connection.`,
    );
    await restartServer();
    await closeSecurity(a);
    await a.lock();
    await a.unlock(SECOND);
    await a.waitForList();
  });

  it('of two changes racing, the second is told the password changed elsewhere', async () => {
    // B opens the form first; A changes the password meanwhile; then B submits.
    await openSecurity(b);
    await fillPasswordChange(b, { current: SECOND, next: 'indigo-parsnip-caravel-64' });
    await openSecurity(a);
    expect(await changePassword(a, { current: SECOND, next: THIRD })).not.toBeNull();
    await closeSecurity(a);

    expect(await submitPasswordChange(b)).toBeNull();
    expect(await formError(b)).toBe('Your master password was changed on another device — log in again.');
    await closeSecurity(b);

    // B locks; the new password, typed at unlock, opens it straight away (the server's new salt and KDF).
    await b.lock();
    await b.unlock(THIRD);
    await b.waitForList();
    await waitFor(
      () => syncLine(b),
      (line) => line.startsWith('Synced'),
      15_000,
    );
    expect(await b.titles()).toEqual(['Bank', 'Made on B']);
  });
});
