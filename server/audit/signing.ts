import {
  createHash,
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  type KeyObject,
  sign,
  verify,
} from 'node:crypto';
import { type CheckpointBody, canonicalCheckpoint, type SignedCheckpoint } from './chain.ts';

/**
 * Ed25519 keys that sign audit checkpoints. A key is named by its id: the first 16 hex digits of
 * the SHA-256 of its raw 32-byte public key, so an exported log names the key that signed each
 * checkpoint and a verifier can pin the keys it trusts.
 */

export interface SigningKey {
  keyId: string;
  privateKey: KeyObject;
  publicKey: KeyObject;
}

export interface PublicKeyRecord {
  keyId: string;
  /** The raw 32-byte Ed25519 public key, base64url (the JWK "x"). */
  publicKey: string;
}

const rawPublicKey = (key: KeyObject): Buffer => {
  const jwk = key.export({ format: 'jwk' });
  if (jwk.kty !== 'OKP' || jwk.crv !== 'Ed25519' || typeof jwk.x !== 'string') {
    throw new TypeError('not an Ed25519 key');
  }
  return Buffer.from(jwk.x, 'base64url');
};

export const keyIdOf = (publicKey: KeyObject): string =>
  createHash('sha256').update(rawPublicKey(publicKey)).digest('hex').slice(0, 16);

function fromPrivate(privateKey: KeyObject): SigningKey {
  if (privateKey.asymmetricKeyType !== 'ed25519') {
    throw new TypeError('the audit signing key must be an Ed25519 private key');
  }
  const publicKey = createPublicKey(privateKey);
  return { keyId: keyIdOf(publicKey), privateKey, publicKey };
}

export const generateSigningKey = (): SigningKey => fromPrivate(generateKeyPairSync('ed25519').privateKey);

/** A PKCS#8 PEM private key (what `exportSigningKey` writes and `openssl genpkey -algorithm ed25519` makes). */
export const parseSigningKey = (pem: string): SigningKey => fromPrivate(createPrivateKey(pem));

export const exportSigningKey = (key: SigningKey): string =>
  key.privateKey.export({ format: 'pem', type: 'pkcs8' }).toString();

export const publicRecord = (key: SigningKey): PublicKeyRecord => ({
  keyId: key.keyId,
  publicKey: rawPublicKey(key.publicKey).toString('base64url'),
});

/** The JWK form published at /.well-known/keyhold-audit-keys. */
export const publicJwk = (record: PublicKeyRecord) => ({
  kty: 'OKP' as const,
  crv: 'Ed25519' as const,
  x: record.publicKey,
  kid: record.keyId,
  alg: 'EdDSA' as const,
  use: 'sig' as const,
});

export function signCheckpoint(key: SigningKey, body: Omit<CheckpointBody, 'keyId'>): SignedCheckpoint {
  const full: CheckpointBody = { ...body, keyId: key.keyId };
  const signature = sign(null, Buffer.from(canonicalCheckpoint(full), 'utf8'), key.privateKey);
  return { ...full, signature: signature.toString('base64url') };
}

/** True when `checkpoint` carries a valid signature by `record` (whose id must be the one it names). */
export function verifyCheckpoint(record: PublicKeyRecord, checkpoint: SignedCheckpoint): boolean {
  if (record.keyId !== checkpoint.keyId) return false;
  let publicKey: KeyObject;
  try {
    publicKey = createPublicKey({ key: publicJwk(record), format: 'jwk' });
  } catch {
    return false;
  }
  if (keyIdOf(publicKey) !== record.keyId) return false;
  const { signature, ...body } = checkpoint;
  return verify(
    null,
    Buffer.from(canonicalCheckpoint(body), 'utf8'),
    publicKey,
    Buffer.from(signature, 'base64url'),
  );
}
