/** RFC 7914 §11: the two PBKDF2-HMAC-SHA256 test vectors (published alongside scrypt's). */
export const PBKDF2_SHA256_VECTORS = [
  {
    password: 'passwd',
    salt: 'salt',
    iterations: 1,
    length: 64,
    dk:
      '55ac046e56e3089fec1691c22544b605f94185216dde0465e68b9d57c20dacbc' +
      '49ca9cccf179b645991664b39d77ef317c71b845b1e30bd509112041d3a19783',
  },
  {
    password: 'Password',
    salt: 'NaCl',
    iterations: 80_000,
    length: 64,
    dk:
      '4ddcd8f60b98be21830cee5ef22701f9641a4418d04c0414aeff08876b34ab56' +
      'a1d425a1225833549adb841b51c9b3176a272bdebba1d078478f62b397f33c8d',
  },
];
