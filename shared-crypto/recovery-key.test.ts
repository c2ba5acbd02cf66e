import { describe, expect, it } from 'vitest';
import { fromBase32 } from './encoding.ts';
import { open, unwrapKey, wrapKey } from './envelope.ts';
import { generateKeyBytes } from './keys.ts';
import {
  deriveRecoveryKeys,
  formatRecoveryKey,
  generateRecoveryKey,
  parseRecoveryKey,
  RECOVERY_KEY_GROUPS,
  RecoveryKeyError,
} from './recovery-key.ts';
import { bytesToHex, hexToBytes } from './test/hex.ts';
import { RECOVERY_KEY_VECTORS } from './test/recovery-key-vectors.ts';

const VECTOR = RECOVERY_KEY_VECTORS[0];

async function refusal(text: string): Promise<RecoveryKeyError> {
  const error = await parseRecoveryKey(text).then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(RecoveryKeyError);
  return error as RecoveryKeyError;
}

describe('recovery key: known answers', () => {
  it.each(RECOVERY_KEY_VECTORS)('formats $name as its 56-character display form', async (v) => {
    const shown = await formatRecoveryKey(hexToBytes(v.key));
    expect(shown).toBe(v.display);
    expect(shown.split('-')).toHaveLength(RECOVERY_KEY_GROUPS);
    expect(shown.split('-').every((g) => g.length === 4)).toBe(true);
    // The last 3 of the 35 encoded bytes are the checksum.
    expect(bytesToHex(fromBase32(shown.replaceAll('-', '')).slice(32))).toBe(v.checksum);
  });

  it.each(RECOVERY_KEY_VECTORS)('parses $name back to its 32 bytes', async (v) => {
    expect(bytesToHex(await parseRecoveryKey(v.display))).toBe(v.key);
  });

  it.each(RECOVERY_KEY_VECTORS)('derives the recovery auth and wrapping keys of $name', async (v) => {
    const { recoveryAuthKey, recoveryWrappingKey } = await deriveRecoveryKeys(hexToBytes(v.key));
    expect(bytesToHex(recoveryAuthKey)).toBe(v.recoveryAuthKey);
    expect(bytesToHex(recoveryWrappingKey.id)).toBe(v.wrapKeyId);
    expect(recoveryWrappingKey.aes.extractable).toBe(false);
  });
});

describe('recovery key: what a person types', () => {
  it('ignores case, spaces, line breaks and hyphens or the dashes that replace them', async () => {
    const plain = VECTOR.display.replaceAll('-', '');
    for (const typed of [
      VECTOR.display.toLowerCase(),
      plain,
      VECTOR.display.replaceAll('-', ' '),
      `  ${VECTOR.display.replaceAll('-', '\u2013')}\n`,
      `${plain.slice(0, 28)}\n${plain.slice(28).toLowerCase()}`,
    ]) {
      expect(bytesToHex(await parseRecoveryKey(typed))).toBe(VECTOR.key);
    }
  });

  it.each([
    ['0', 'a zero for O', 3],
    ['1', 'a one for I', 1],
    ['8', 'an eight for B', 14],
    ['9', 'a nine', 7],
    ['é', 'a letter outside A–Z', 10],
    ['ı', 'a dotless i (not folded to I)', 5],
    ['_', 'punctuation', 2],
  ])('names %j (%s) and where it is', async (bad, _why, group) => {
    const chars = [...VECTOR.display.replaceAll('-', '')];
    const position = (group - 1) * 4 + 2;
    chars[position - 1] = bad;
    const grouped = chars.join('').replace(/(.{4})(?=.)/g, '$1-');
    const e = await refusal(grouped);
    expect(e).toMatchObject({ code: 'BAD_CHARACTER', character: bad, position, group });
    expect(e.message).not.toContain(VECTOR.display.slice(0, 4));
  });

  it('reports a bad character before a wrong length', async () => {
    expect(await refusal('ABCD-0')).toMatchObject({ code: 'BAD_CHARACTER', character: '0', position: 5 });
  });

  it.each([
    ['empty', '', 0],
    ['a group missing', VECTOR.display.slice(5), 52],
    ['one character too many', `${VECTOR.display}A`, 57],
    ['one character short', VECTOR.display.slice(0, -1), 55],
  ])('refuses a wrong length (%s) and says how many it found', async (_, text, length) => {
    expect(await refusal(text)).toMatchObject({ code: 'WRONG_LENGTH', length });
  });

  it('catches every single mistyped character with the checksum', async () => {
    const chars = [...VECTOR.display.replaceAll('-', '')];
    for (let i = 0; i < chars.length; i++) {
      const typo = [...chars];
      typo[i] = chars[i] === 'A' ? 'B' : 'A';
      expect(await refusal(typo.join(''))).toMatchObject({ code: 'CHECKSUM_MISMATCH' });
    }
  });

  it('catches two neighbouring characters typed in the wrong order', async () => {
    const chars = [...RECOVERY_KEY_VECTORS[2].display.replaceAll('-', '')];
    let swaps = 0;
    for (let i = 0; i + 1 < chars.length; i++) {
      if (chars[i] === chars[i + 1]) continue;
      const typo = [...chars];
      [typo[i], typo[i + 1]] = [chars[i + 1] as string, chars[i] as string];
      expect(await refusal(typo.join(''))).toMatchObject({ code: 'CHECKSUM_MISMATCH' });
      swaps++;
    }
    expect(swaps).toBeGreaterThan(40);
  });

  it('refuses non-strings and keys of the wrong size as programming errors', async () => {
    await expect(parseRecoveryKey(42 as unknown as string)).rejects.toThrow(TypeError);
    await expect(formatRecoveryKey(new Uint8Array(31))).rejects.toThrow(RangeError);
    await expect(deriveRecoveryKeys(new Uint8Array(33))).rejects.toThrow(RangeError);
  });
});

describe('recovery key: generated', () => {
  it('is 32 fresh random bytes that round-trip through the display form', async () => {
    const a = generateRecoveryKey();
    const b = generateRecoveryKey();
    expect(a).toHaveLength(32);
    expect(a).not.toEqual(b);
    expect(await parseRecoveryKey(await formatRecoveryKey(a))).toEqual(a);
  });

  it('wraps a vault key that only the same recovery key opens', async () => {
    const ad = { purpose: 'recovery', owner: 'acct', id: 'acct', keyVersion: 2 } as const;
    const vaultKey = generateKeyBytes();
    const mine = await deriveRecoveryKeys(generateRecoveryKey());
    const other = await deriveRecoveryKeys(generateRecoveryKey());
    const wrapped = await wrapKey(mine.recoveryWrappingKey, vaultKey, ad);
    expect((await unwrapKey(mine.recoveryWrappingKey, wrapped, ad)).raw).toEqual(vaultKey);
    await expect(open(other.recoveryWrappingKey, wrapped, ad)).rejects.toMatchObject({ code: 'WRONG_KEY' });
    // The auth key the server sees is not the wrapping key.
    expect(mine.recoveryAuthKey).not.toEqual(other.recoveryAuthKey);
  });
});
