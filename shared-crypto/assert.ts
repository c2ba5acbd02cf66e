/**
 * Internal input assertions (not re-exported from index.ts). Wrong type → TypeError, wrong size or
 * range → RangeError, checked before any byte is touched.
 */

/**
 * `instanceof` alone fails across realms (a jsdom/happy-dom test environment, a structured clone
 * from another context), so fall back to the constructor name as noble-hashes does.
 */
export function isBytes(value: unknown): value is Uint8Array {
  return (
    value instanceof Uint8Array || (ArrayBuffer.isView(value) && value.constructor?.name === 'Uint8Array')
  );
}

export function assertBytes(value: unknown, name: string, length?: number): asserts value is Uint8Array {
  if (!isBytes(value)) throw new TypeError(`${name} must be a Uint8Array`);
  if (length !== undefined && value.length !== length) {
    throw new RangeError(`${name} must be ${length} bytes, got ${value.length}`);
  }
}

export function assertMinBytes(value: unknown, name: string, min: number): asserts value is Uint8Array {
  assertBytes(value, name);
  if (value.length < min) throw new RangeError(`${name} must be at least ${min} bytes, got ${value.length}`);
}

export function assertString(value: unknown, name: string): asserts value is string {
  if (typeof value !== 'string') throw new TypeError(`${name} must be a string`);
}

export function assertInteger(
  value: unknown,
  name: string,
  min: number,
  max: number,
): asserts value is number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value)) {
    throw new TypeError(`${name} must be an integer`);
  }
  if (value < min || value > max) throw new RangeError(`${name} must be in [${min}, ${max}], got ${value}`);
}

/**
 * WebCrypto's typings (TS 5.9 lib.dom) want views over a plain ArrayBuffer. Our API accepts any
 * Uint8Array, so copy the rare SharedArrayBuffer-backed view instead of casting it through.
 */
export function asBufferSource(bytes: Uint8Array): Uint8Array<ArrayBuffer> {
  return bytes.buffer instanceof ArrayBuffer ? (bytes as Uint8Array<ArrayBuffer>) : new Uint8Array(bytes);
}
