/**
 * Recovery-key known answers, computed once with an independent implementation (Python 3's
 * `base64.b32encode` and `hashlib`, and HKDF written from RFC 5869 §2.2–2.3 with `hmac`), not
 * with the code under test:
 *
 *   def hkdf(ikm, info, n):                       # salt empty = HashLen zero bytes (§2.2)
 *       prk = hmac.new(b"\0" * 32, ikm, sha256).digest()
 *       t, okm, i = b"", b"", 1
 *       while len(okm) < n:
 *           t = hmac.new(prk, t + info + bytes([i]), sha256).digest(); okm += t; i += 1
 *       return okm[:n]
 *   checksum  = sha256(b"keyhold/v1/recovery-checksum" + key).digest()[:3]
 *   display   = "-".join(groups of 4 of b32encode(key + checksum))
 *   auth      = hkdf(key, b"keyhold/v1/recovery-auth", 32)
 *   wrapKeyId = sha256(b"keyhold/v1/key-id" + hkdf(key, b"keyhold/v1/recovery-wrap", 32)).digest()[:8]
 *
 * `wrapKeyId` pins the wrapping-key derivation without extracting the (non-extractable) key.
 */
export const RECOVERY_KEY_VECTORS = [
  {
    name: 'bytes 00..1f',
    key: '000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f',
    checksum: '49bfce',
    display: 'AAAQ-EAYE-AUDA-OCAJ-BIFQ-YDIO-B4IB-CEQT-CQKR-MFYY-DENB-WHA5-DYPU-TP6O',
    recoveryAuthKey: 'c1b0435d420aa654379d700a8783c59915f997ef95f04d554182c97302d4b576',
    wrapKeyId: '0131763e8c18d5bc',
  },
  {
    name: 'all ff',
    key: 'ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff',
    checksum: 'e9e909',
    display: '7777-7777-7777-7777-7777-7777-7777-7777-7777-7777-7777-7777-7776-T2IJ',
    recoveryAuthKey: '3652cfb9dd4b5c0da37891ebeb9513ed1a3223a3426e1f646dfa3271f895c1ec',
    wrapKeyId: 'af226ffb15b4cda2',
  },
  {
    name: 'sha256("keyhold recovery-key KAT")',
    key: '25034db8dc5afd885dd213a5033cb16fca7da03e22b006af2930b304bf73d9d4',
    checksum: '500aa7',
    display: 'EUBU-3OG4-LL6Y-QXOS-COSQ-GPFR-N7FH-3IB6-EKYA-NLZJ-GCZQ-JP3T-3HKF-ACVH',
    recoveryAuthKey: 'f795ce08342085c614463a82cb72da9e35902e4e3d5ec797d471938a86c6afb2',
    wrapKeyId: '7c13ff857c96622f',
  },
] as const;
