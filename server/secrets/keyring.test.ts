import { createHash, createHmac, randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { Keyring, TokenHasher } from './keyring.ts';

const secret = () => randomBytes(32).toString('base64url');

describe('Keyring', () => {
  it('signs with the current secret and verifies under the current or the previous one', () => {
    const [old, next] = [secret(), secret()];
    const before = new Keyring(old);
    const during = new Keyring(next, old);
    const after = new Keyring(next);
    const signedBefore = before.sign('dpop-nonce', 'data');
    const signedDuring = during.sign('dpop-nonce', 'data');
    expect(signedDuring).not.toBe(signedBefore);
    expect(signedDuring).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(during.verify('dpop-nonce', 'data', signedBefore)).toBe(true);
    expect(during.verify('dpop-nonce', 'data', signedDuring)).toBe(true);
    expect(after.verify('dpop-nonce', 'data', signedDuring)).toBe(true);
    expect(after.verify('dpop-nonce', 'data', signedBefore)).toBe(false);
    expect(before.rotating).toBe(false);
    expect(during.rotating).toBe(true);
  });

  it('keeps labels apart and refuses altered data or MACs', () => {
    const keyring = new Keyring(secret());
    const mac = keyring.sign('device-token', 'account-1');
    expect(keyring.verify('device-token', 'account-1', mac)).toBe(true);
    expect(keyring.verify('dpop-nonce', 'account-1', mac)).toBe(false);
    expect(keyring.verify('device-token', 'account-2', mac)).toBe(false);
    const flipped = `${mac.slice(0, -2)}${mac.at(-2) === 'A' ? 'B' : 'A'}${mac.at(-1)}`;
    for (const bad of [flipped, '', mac.slice(1), `${mac}=`, 'not base64url!', mac.toUpperCase()]) {
      expect(keyring.verify('device-token', 'account-1', bad), bad).toBe(false);
    }
    expect(keyring.verify('device-token', new TextEncoder().encode('account-1'), mac)).toBe(true);
  });
});

describe('TokenHasher', () => {
  it('stores HMAC-SHA-256 under the current pepper, not a plain hash', () => {
    const pepper = secret();
    const token = randomBytes(32).toString('base64url');
    const hasher = new TokenHasher(pepper);
    expect(hasher.hash(token)).toBe(createHmac('sha256', pepper).update(token).digest('hex'));
    expect(hasher.hash(token)).not.toBe(createHash('sha256').update(token).digest('hex'));
    expect(new TokenHasher(secret()).hash(token)).not.toBe(hasher.hash(token));
  });

  it('looks under the current pepper first, then the previous one, then the pre-pepper form', () => {
    const [old, next] = [secret(), secret()];
    const token = randomBytes(32).toString('base64url');
    const plain = createHash('sha256').update(token).digest('hex');
    const under = (pepper: string) => createHmac('sha256', pepper).update(token).digest('hex');
    expect([...new TokenHasher(next, old).candidates(token)]).toEqual([under(next), under(old), plain]);
    expect([...new TokenHasher(next).candidates(token)]).toEqual([under(next), plain]);
    expect(new TokenHasher(next, old).rotating).toBe(true);
    expect(new TokenHasher(next).rotating).toBe(false);
  });
});
