import { calculateJwkThumbprint, decodeProtectedHeader, EmbeddedJWK, jwtVerify } from 'jose';
import { beforeEach, describe, expect, it } from 'vitest';
import { fakeBrowser } from 'wxt/testing/fake-browser';
import { startTestServer } from '../../server/test-support/in-process.ts';
import { ApiClient } from './api-client.ts';
import {
  adoptDpopKey,
  createDpopKey,
  currentDpopKey,
  dpopAuthHeaders,
  dpopProof,
  forgetDpopKey,
  memoryDpopKeys,
} from './dpop-key.ts';

const sha256b64u = async (text: string) =>
  Buffer.from(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(text))).toString('base64url');

beforeEach(() => {
  fakeBrowser.reset();
});

describe('the DPoP key', () => {
  it('is a P-256 pair whose private key cannot be exported', async () => {
    const key = await createDpopKey();
    expect(key.pair.privateKey.extractable).toBe(false);
    expect(key.pair.privateKey.algorithm).toMatchObject({ name: 'ECDSA', namedCurve: 'P-256' });
    await expect(crypto.subtle.exportKey('jwk', key.pair.privateKey)).rejects.toThrow();
    await expect(crypto.subtle.exportKey('pkcs8', key.pair.privateKey)).rejects.toThrow();
    expect(Object.keys(key.jwk).sort()).toEqual(['crv', 'kty', 'x', 'y']);
    expect(key.jkt).toBe(await calculateJwkThumbprint(key.jwk, 'sha256'));
  });

  it('is current once adopted, replaces the previous one, and is gone after forgetting', async () => {
    expect(await currentDpopKey()).toBeNull();
    const first = await createDpopKey();
    await adoptDpopKey(first);
    expect((await currentDpopKey())?.jkt).toBe(first.jkt);
    const second = await createDpopKey();
    await adoptDpopKey(second);
    const current = await currentDpopKey();
    expect(current?.jkt).toBe(second.jkt);
    expect(current?.pair.privateKey.extractable).toBe(false);
    await forgetDpopKey();
    expect(await currentDpopKey()).toBeNull();
    // The first key's pair was deleted when the second was adopted: naming it again finds nothing.
    await fakeBrowser.storage.local.set({ 'dpop-key': first.jkt });
    expect(await currentDpopKey()).toBeNull();
  });
});

describe('proofs', () => {
  it('sign method, URL without query, iat, a unique jti and ath, verifiable with the header jwk', async () => {
    const key = await createDpopKey();
    const url = 'https://Vault.Example.com:443/v1/sync/changes?since=3#x';
    const proof = await dpopProof(key, 'GET', url, 'the-access-token');
    const header = decodeProtectedHeader(proof);
    expect(header).toMatchObject({ alg: 'ES256', typ: 'dpop+jwt', jwk: key.jwk });
    const { payload } = await jwtVerify(proof, EmbeddedJWK, { typ: 'dpop+jwt', algorithms: ['ES256'] });
    expect(payload).toMatchObject({
      htm: 'GET',
      htu: 'https://vault.example.com/v1/sync/changes',
      ath: await sha256b64u('the-access-token'),
    });
    expect(Math.abs((payload.iat ?? 0) - Date.now() / 1000)).toBeLessThan(5);
    const again = await jwtVerify(await dpopProof(key, 'GET', url, 'the-access-token'), EmbeddedJWK);
    expect(again.payload.jti).not.toBe(payload.jti);
    const withoutToken = await jwtVerify(
      await dpopProof(key, 'POST', 'https://a.example/v1/sessions'),
      EmbeddedJWK,
    );
    expect(withoutToken.payload.ath).toBeUndefined();
  });

  it('auth headers: DPoP scheme, and a proof only when a key is current', async () => {
    expect(await dpopAuthHeaders('GET', 'http://s.example/v1/sync/events', 'tok')).toEqual({
      authorization: 'DPoP tok',
    });
    const key = await createDpopKey();
    await adoptDpopKey(key);
    const headers = await dpopAuthHeaders('GET', 'http://s.example/v1/sync/events', 'tok');
    expect(headers.authorization).toBe('DPoP tok');
    const { payload } = await jwtVerify(headers.dpop ?? '', EmbeddedJWK);
    expect(payload).toMatchObject({ htm: 'GET', htu: 'http://s.example/v1/sync/events' });
  });
});

describe('ApiClient against a server that requires a nonce', () => {
  it('retries a use_dpop_nonce challenge once with the nonce and remembers it', async () => {
    const server = await startTestServer();
    try {
      const base = 'http://nonce.test';
      let nonce: string | null = null;
      const seen: { path: string; status: number; nonce: unknown }[] = [];
      // The in-process server with nonces off; this stand-in demands one first, as DPOP_REQUIRE_NONCE does.
      const fetchImpl: typeof fetch = async (input, init) => {
        const request = new Request(input, init);
        const proof = request.headers.get('dpop');
        const claims = proof ? (await jwtVerify(proof, EmbeddedJWK)).payload : {};
        const path = new URL(request.url).pathname;
        if (proof && claims.nonce !== nonce) {
          nonce = `n-${seen.length}-0123456789abcdef0123`;
          seen.push({ path, status: 400, nonce: claims.nonce });
          return Response.json(
            { error: { code: 'USE_DPOP_NONCE', message: 'nonce' } },
            {
              status: path === '/v1/sessions' ? 400 : 401,
              headers: { 'DPoP-Nonce': nonce, 'WWW-Authenticate': 'DPoP error="use_dpop_nonce"' },
            },
          );
        }
        const answer = await server.fetch(request);
        seen.push({ path, status: answer.status, nonce: claims.nonce });
        return answer;
      };
      const keys = memoryDpopKeys();
      const api = new ApiClient(base, fetchImpl, undefined, keys);
      const email = `nonce-${crypto.randomUUID()}@example.test`;
      const authKey = Buffer.from(crypto.getRandomValues(new Uint8Array(32))).toString('base64url');
      await api.register({
        accountId: crypto.randomUUID(),
        email,
        kdf: { alg: 'pbkdf2-sha256', iterations: 600_000 },
        salt: Buffer.from(crypto.getRandomValues(new Uint8Array(16))).toString('base64url'),
        authKey,
        wrappedVaultKey: `k1.${Buffer.from(crypto.getRandomValues(new Uint8Array(77))).toString('base64url')}`,
      });
      const login = await api.login({ email, authKey, deviceName: 'd' });
      expect(login.tokenType).toBe('DPoP');
      expect(seen.filter((s) => s.path === '/v1/sessions').map((s) => s.status)).toEqual([400, 200]);
      // The nonce is remembered: the next call sends it at once.
      const pulled = await api.pull(login.accessToken, 0);
      expect(pulled.items).toEqual([]);
      expect(seen.at(-1)).toMatchObject({ path: '/v1/sync/changes', status: 200, nonce });
      expect(seen.filter((s) => s.path === '/v1/sync/changes')).toHaveLength(1);
      // The session is bound to the adopted key: the server accepted proofs by it.
      expect((await keys.current())?.jkt).toBeDefined();
    } finally {
      await server.close();
    }
  }, 90_000);
});
