import { useState } from 'preact/hooks';
import type { VaultState } from '../messaging/protocol.ts';
import { send } from './send.ts';
import { useAction } from './use-action.ts';

interface Props {
  state: VaultState;
  onDone: (s: VaultState) => void;
}

export function SetupScreen({ state, onDone }: Props) {
  const [mode, setMode] = useState<'create' | 'login'>('create');
  const [serverUrl, setServerUrl] = useState(state.serverUrl);
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [confirm, setConfirm] = useState('');
  const { busy, error, run, setError } = useAction();

  const submit = (e: Event) => {
    e.preventDefault();
    if (mode === 'create' && password !== confirm) {
      setError('The two passwords do not match.');
      return;
    }
    void run(async () => {
      onDone(await send(mode === 'create' ? 'register' : 'login', { serverUrl, email, password }));
    });
  };

  return (
    <main>
      <h1>Keyhold</h1>
      <div class="tabs" role="tablist">
        <button type="button" role="tab" aria-selected={mode === 'create'} onClick={() => setMode('create')}>
          Create account
        </button>
        <button type="button" role="tab" aria-selected={mode === 'login'} onClick={() => setMode('login')}>
          Log in
        </button>
      </div>
      <form onSubmit={submit}>
        <label>
          Server address
          <input value={serverUrl} onInput={(e) => setServerUrl(e.currentTarget.value)} required />
        </label>
        <label>
          Email
          <input
            type="email"
            autoComplete="username"
            value={email}
            onInput={(e) => setEmail(e.currentTarget.value)}
            required
          />
        </label>
        <label>
          Master password
          <input
            type="password"
            autoComplete={mode === 'create' ? 'new-password' : 'current-password'}
            value={password}
            onInput={(e) => setPassword(e.currentTarget.value)}
            required
          />
        </label>
        {mode === 'create' && (
          <label>
            Confirm master password
            <input
              type="password"
              autoComplete="new-password"
              value={confirm}
              onInput={(e) => setConfirm(e.currentTarget.value)}
              required
            />
          </label>
        )}
        {error && <p role="alert">{error}</p>}
        <button class="primary" type="submit" disabled={busy}>
          {busy ? 'Working…' : mode === 'create' ? 'Create account' : 'Log in'}
        </button>
        {mode === 'create' && (
          <p class="status">
            Your master password never leaves this device and cannot be recovered by the server. Remember it.
          </p>
        )}
      </form>
    </main>
  );
}

export function UnlockScreen({ state, onDone }: Props) {
  const [password, setPassword] = useState('');
  const { busy, error, run } = useAction();
  const submit = (e: Event) => {
    e.preventDefault();
    void run(async () => {
      onDone(await send('unlock', { password }));
      setPassword('');
    });
  };
  return (
    <main>
      <h1>Unlock Keyhold</h1>
      <p class="status">{state.email}</p>
      <form onSubmit={submit}>
        <label>
          Master password
          <input
            type="password"
            autoComplete="current-password"
            value={password}
            onInput={(e) => setPassword(e.currentTarget.value)}
            required
          />
        </label>
        {error && <p role="alert">{error}</p>}
        <button class="primary" type="submit" disabled={busy}>
          {busy ? 'Unlocking…' : 'Unlock'}
        </button>
        <button
          type="button"
          disabled={busy}
          onClick={() => void run(async () => onDone(await send('logout', {})))}
        >
          Log out of this device
        </button>
      </form>
    </main>
  );
}
