/** Test-only hex helpers; production code never handles hex. */
export function hexToBytes(hex: string): Uint8Array {
  if (hex.length % 2 !== 0 || !/^[0-9a-f]*$/i.test(hex)) throw new TypeError('bad hex');
  return Uint8Array.from({ length: hex.length / 2 }, (_, i) =>
    Number.parseInt(hex.slice(2 * i, 2 * i + 2), 16),
  );
}

export function bytesToHex(bytes: Uint8Array): string {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}

/** `from, from+1, …` for `length` bytes, as the RFC 5869 vectors are written. */
export function byteRange(from: number, length: number): Uint8Array {
  return Uint8Array.from({ length }, (_, i) => from + i);
}
