import { Secret } from 'otpauth';
import { describe, expect, it } from 'vitest';
import { parseTotpSecret, type TotpAlgorithm, type TotpConfig, totpCode } from './totp.ts';

/** RFC 6238 Appendix B: the seeds are ASCII, the codes 8 digits with a 30 s period. */
const RFC_SEEDS: Record<TotpAlgorithm, string> = {
  SHA1: '12345678901234567890',
  SHA256: '12345678901234567890123456789012',
  SHA512: '1234567890123456789012345678901234567890123456789012345678901234',
};
const RFC_TIMES = [59, 1111111109, 1111111111, 1234567890, 2000000000, 20000000000];
const RFC_CODES: Record<TotpAlgorithm, string[]> = {
  SHA1: ['94287082', '07081804', '14050471', '89005924', '69279037', '65353130'],
  SHA256: ['46119246', '68084774', '67062674', '91819424', '90698825', '77737706'],
  SHA512: ['90693936', '25091201', '99943326', '93441116', '38618901', '47863826'],
};
const ALGORITHMS = ['SHA1', 'SHA256', 'SHA512'] as const;

const rfcSecret = (algorithm: TotpAlgorithm) => Secret.fromLatin1(RFC_SEEDS[algorithm]).base32;

function parsed(input: string): TotpConfig {
  const config = parseTotpSecret(input);
  if (config === null) throw new Error(`did not parse: ${input}`);
  return config;
}

describe('totpCode', () => {
  for (const algorithm of ALGORITHMS) {
    it(`matches the RFC 6238 test vectors for ${algorithm}`, () => {
      const config: TotpConfig = { secret: rfcSecret(algorithm), algorithm, digits: 8, period: 30 };
      const codes = RFC_TIMES.map((t) => totpCode(config, t * 1000).code);
      expect(codes).toEqual(RFC_CODES[algorithm]);
    });
  }

  it('reports the seconds left, rounded up, and changes code exactly at the period boundary', () => {
    const config: TotpConfig = { secret: rfcSecret('SHA1'), algorithm: 'SHA1', digits: 8, period: 30 };
    expect(totpCode(config, 60_000).expiresInSeconds).toBe(30);
    expect(totpCode(config, 60_001).expiresInSeconds).toBe(30);
    expect(totpCode(config, 61_000).expiresInSeconds).toBe(29);
    expect(totpCode(config, 88_999).expiresInSeconds).toBe(2);
    expect(totpCode(config, 89_000).expiresInSeconds).toBe(1);
    expect(totpCode(config, 89_999).expiresInSeconds).toBe(1);
    expect(totpCode(config, 90_000).expiresInSeconds).toBe(30);
    expect(totpCode(config, 0).expiresInSeconds).toBe(30);

    // RFC vector: t = 59 s is the last second of counter 1.
    expect(totpCode(config, 59_999).code).toBe('94287082');
    expect(totpCode(config, 30_000).code).toBe('94287082');
    expect(totpCode(config, 60_000).code).not.toBe('94287082');
    expect(totpCode(config, 29_999).code).not.toBe('94287082');
  });

  it('honours a non-default period in both the counter and the expiry', () => {
    const config: TotpConfig = { secret: rfcSecret('SHA1'), algorithm: 'SHA1', digits: 8, period: 60 };
    // Counter 1 with a 60 s period spans 60..119 s, the same counter as t = 59 s in the RFC.
    expect(totpCode(config, 118_000)).toEqual({ code: '94287082', expiresInSeconds: 2 });
    expect(totpCode(config, 120_000).expiresInSeconds).toBe(60);
  });

  it('pads 6-digit codes with leading zeros', () => {
    // Counter 37037036 (t = 1111111109) gives 07081804 in 8 digits, so 081804 in 6.
    const config: TotpConfig = { secret: rfcSecret('SHA1'), algorithm: 'SHA1', digits: 6, period: 30 };
    expect(totpCode(config, 1111111109_000).code).toBe('081804');
  });
});

describe('parseTotpSecret', () => {
  it('reads a bare Base32 secret with the authenticator defaults', () => {
    expect(parseTotpSecret('JBSWY3DPEHPK3PXP')).toEqual({
      secret: 'JBSWY3DPEHPK3PXP',
      algorithm: 'SHA1',
      digits: 6,
      period: 30,
    });
  });

  it('accepts spaces, lower case, surrounding whitespace and = padding', () => {
    expect(parsed('jbsw y3dp ehpk 3pxp').secret).toBe('JBSWY3DPEHPK3PXP');
    expect(parsed('  JBSWY3DP\tEHPK3PXP\n').secret).toBe('JBSWY3DPEHPK3PXP');
    expect(parsed('JBSWY3DPEE======').secret).toBe('JBSWY3DPEE');
    expect(parsed('jbswy3dpee==').secret).toBe('JBSWY3DPEE');
  });

  it('reads an otpauth URI, ignoring issuer and label and honouring algorithm, digits, period', () => {
    const secret = rfcSecret('SHA256');
    const config = parsed(
      `otpauth://totp/ACME%20Co:alice%40example.com?secret=${secret.toLowerCase()}&issuer=ACME%20Co&algorithm=SHA256&digits=8&period=60`,
    );
    expect(config).toEqual({ secret, algorithm: 'SHA256', digits: 8, period: 60 });
    // RFC SHA256 vector for counter 1, reached at 60..119 s with a 60 s period.
    expect(totpCode(config, 100_000).code).toBe('46119246');
  });

  it('uses the defaults for parameters a URI leaves out', () => {
    expect(parsed('otpauth://totp/alice?secret=JBSWY3DPEHPK3PXP')).toEqual({
      secret: 'JBSWY3DPEHPK3PXP',
      algorithm: 'SHA1',
      digits: 6,
      period: 30,
    });
    expect(parsed('OTPAUTH://TOTP/Example:alice?SECRET=JBSWY3DPEHPK3PXP&Algorithm=sha512').algorithm).toBe(
      'SHA512',
    );
  });

  it('gives RFC codes for every algorithm through a URI', () => {
    for (const algorithm of ALGORITHMS) {
      const config = parsed(
        `otpauth://totp/x?secret=${rfcSecret(algorithm)}&algorithm=${algorithm}&digits=8`,
      );
      expect(totpCode(config, 59_000).code).toBe(RFC_CODES[algorithm][0]);
    }
  });

  it('reads 5-digit codes too, the last 5 digits of the RFC value', () => {
    const config = parsed(`otpauth://totp/x?secret=${rfcSecret('SHA1')}&digits=5`);
    expect(config.digits).toBe(5);
    // RFC 6238's SHA-1 code at t = 59 s is 94287082 in 8 digits.
    expect(totpCode(config, 59_000).code).toBe('87082');
  });

  it('rejects HOTP URIs', () => {
    expect(parseTotpSecret('otpauth://hotp/alice?secret=JBSWY3DPEHPK3PXP&counter=0')).toBeNull();
  });

  it.each([
    ['empty', ''],
    ['whitespace', '   '],
    ['only padding', '===='],
    ['a character outside Base32', 'JBSWY3DPEHPK3PX1'],
    ['padding in the middle', 'JBSW=Y3DP'],
    ['a length that is not whole bytes', 'JBSWY3DPE'],
    ['hex', 'deadbeef00'],
    ['a web URL', 'https://example.com/?secret=JBSWY3DPEHPK3PXP'],
    ['a malformed otpauth URI', 'otpauth://totp/alice'],
    ['a URI without a secret', 'otpauth://totp/alice?issuer=ACME'],
    ['a URI with an empty secret', 'otpauth://totp/alice?secret='],
    ['a URI with an invalid secret', 'otpauth://totp/alice?secret=JBSW1Y3DP'],
    ['a URI secret that is not whole bytes', 'otpauth://totp/alice?secret=JBSWY3DPE'],
    ['a URI with a bad %-escape', 'otpauth://totp/%E0%A4%A?secret=JBSWY3DPEHPK3PXP'],
    ['an unknown type', 'otpauth://motp/alice?secret=JBSWY3DPEHPK3PXP'],
    ['an unknown algorithm', 'otpauth://totp/a?secret=JBSWY3DPEHPK3PXP&algorithm=MD5'],
    ['an algorithm apps do not support', 'otpauth://totp/a?secret=JBSWY3DPEHPK3PXP&algorithm=SHA384'],
    ['4 digits', 'otpauth://totp/a?secret=JBSWY3DPEHPK3PXP&digits=4'],
    ['9 digits', 'otpauth://totp/a?secret=JBSWY3DPEHPK3PXP&digits=9'],
    ['non-numeric digits', 'otpauth://totp/a?secret=JBSWY3DPEHPK3PXP&digits=six'],
    ['a zero period', 'otpauth://totp/a?secret=JBSWY3DPEHPK3PXP&period=0'],
    ['a negative period', 'otpauth://totp/a?secret=JBSWY3DPEHPK3PXP&period=-30'],
    ['a period over 300 s', 'otpauth://totp/a?secret=JBSWY3DPEHPK3PXP&period=301'],
    ['a fractional period', 'otpauth://totp/a?secret=JBSWY3DPEHPK3PXP&period=30.5'],
  ])('returns null for %s', (_name, input) => {
    expect(parseTotpSecret(input)).toBeNull();
  });

  it('accepts the range limits', () => {
    expect(parsed('otpauth://totp/a?secret=JBSWY3DPEHPK3PXP&digits=6&period=1')).toMatchObject({
      digits: 6,
      period: 1,
    });
    expect(parsed('otpauth://totp/a?secret=JBSWY3DPEHPK3PXP&digits=8&period=300')).toMatchObject({
      digits: 8,
      period: 300,
    });
  });
});
