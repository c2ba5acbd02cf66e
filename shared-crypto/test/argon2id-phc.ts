/**
 * Argon2id v0x13 known answers from the reference implementation, P-H-C/phc-winner-argon2
 * src/test.c (the `Argon2_id` block: hashtest(version, t, log2(m), p, "password", "somesalt", …)).
 *
 * Why not RFC 9106 §5.3: that vector sets both a secret K (8 × 0x03) and associated data X
 * (12 × 0x04). hash-wasm's argon2id accepts `secret` but has no associated-data input, so §5.3
 * cannot be reproduced through it. The reference implementation's vectors use neither and are the
 * ones every Argon2 binding (RustCrypto argon2, libsodium's tests, …) checks against.
 */
export const ARGON2ID_VECTORS = [
  {
    iterations: 2,
    memoryKiB: 256,
    parallelism: 1,
    hash: '9dfeb910e80bad0311fee20f9c0e2b12c17987b4cac90c2ef54d5b3021c68bfe',
    slow: false,
  },
  {
    iterations: 2,
    memoryKiB: 256,
    parallelism: 2,
    hash: '6d093c501fd5999645e0ea3bf620d7b8be7fd2db59c20d9fff9539da2bf57037',
    slow: false,
  },
  {
    iterations: 2,
    memoryKiB: 65_536,
    parallelism: 1,
    hash: '09316115d5cf24ed5a15a31a3ba326e5cf32edc24702987c02b6566f61913cf7',
    slow: true,
  },
].map((v) => ({ ...v, password: 'password', salt: 'somesalt', length: 32 }));
