import { createHash, createHmac, timingSafeEqual } from 'node:crypto';

/**
 * SERVER_SECRET with its previous version, for MACs the server issues and later checks itself
 * (DPoP nonces, device tokens): `sign` always uses the current secret; `verify` accepts the current
 * and then the previous one, so what a process signed before a rotation still verifies on every
 * process during the rotation (docs/operations/secret-rotation.md, "Rotating server secrets").
 *
 * Each label gets its own key, HMAC-SHA-256(secret, "keyhold/keyring/v1/" + label): a MAC made for
 * one purpose never verifies for another. MACs are base64url, 43 characters.
 *
 * Not for fake pre-login answers: those must not change when the secret rotates (see
 * resolveServerSecrets, the prelogin seed).
 */
export class Keyring {
  readonly #current: KeyVersion;
  readonly #previous: KeyVersion | undefined;

  constructor(current: string, previous?: string) {
    this.#current = new KeyVersion(current);
    this.#previous = previous === undefined ? undefined : new KeyVersion(previous);
  }

  /** Whether a previous version is configured (a rotation is in progress). */
  get rotating(): boolean {
    return this.#previous !== undefined;
  }

  sign(label: string, data: string | Uint8Array): string {
    return this.#current.mac(label, data).toString('base64url');
  }

  /** True when `mac` is `sign(label, data)` under the current or the previous secret. Constant time per version. */
  verify(label: string, data: string | Uint8Array, mac: string): boolean {
    const given = Buffer.from(mac, 'base64url');
    if (given.length !== 32 || given.toString('base64url') !== mac) return false;
    if (timingSafeEqual(this.#current.mac(label, data), given)) return true;
    return this.#previous !== undefined && timingSafeEqual(this.#previous.mac(label, data), given);
  }
}

class KeyVersion {
  readonly #subkeys = new Map<string, Buffer>();
  constructor(readonly secret: string) {}

  mac(label: string, data: string | Uint8Array): Buffer {
    let subkey = this.#subkeys.get(label);
    if (!subkey) {
      subkey = createHmac('sha256', this.secret).update(`keyhold/keyring/v1/${label}`).digest();
      this.#subkeys.set(label, subkey);
    }
    return createHmac('sha256', subkey).update(data).digest();
  }
}

/**
 * What the tokens table stores for a token: HMAC-SHA-256(pepper, token), hex. The pepper never
 * reaches the database (when configured: TOKEN_PEPPER), so a dump of it yields no hash anyone can
 * match a guess against, nor any token to present.
 *
 * New tokens are stored under the current pepper. A presented token is looked for under each of
 * `candidates` in turn, stopping at the first found: the current pepper, the previous one when
 * configured (tokens issued before a rotation keep working until refreshed or expired), then plain
 * SHA-256 — how tokens were stored before peppering, so an upgrade signs no device out; those rows
 * are gone one refresh-token lifetime (30 days) after the upgrade. Only a miss pays for more than
 * one lookup.
 */
export class TokenHasher {
  readonly #current: string;
  readonly #previous: string | undefined;

  constructor(current: string, previous?: string) {
    this.#current = current;
    this.#previous = previous;
  }

  /** Whether a previous pepper is configured (a rotation is in progress). */
  get rotating(): boolean {
    return this.#previous !== undefined;
  }

  hash(token: string): string {
    return createHmac('sha256', this.#current).update(token).digest('hex');
  }

  /** The stored forms to look for, most likely first; computed one at a time as the lookup asks. */
  *candidates(token: string): Generator<string, void, undefined> {
    yield this.hash(token);
    if (this.#previous !== undefined) yield createHmac('sha256', this.#previous).update(token).digest('hex');
    yield createHash('sha256').update(token).digest('hex');
  }
}
