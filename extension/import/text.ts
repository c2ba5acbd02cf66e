/**
 * An export file's bytes as text: UTF-8 with or without a byte-order mark, or UTF-16 (LE/BE) when
 * it starts with that mark (some Windows tools write CSV so). Invalid UTF-8 sequences become U+FFFD
 * rather than failing the whole file; the parsers then see what they can read.
 */
export function decodeText(bytes: Uint8Array): string {
  if (bytes.length >= 2 && bytes[0] === 0xff && bytes[1] === 0xfe)
    return new TextDecoder('utf-16le').decode(bytes.subarray(2));
  if (bytes.length >= 2 && bytes[0] === 0xfe && bytes[1] === 0xff)
    return new TextDecoder('utf-16be').decode(bytes.subarray(2));
  // TextDecoder('utf-8') drops a leading BOM itself (ignoreBOM: false).
  return new TextDecoder('utf-8').decode(bytes);
}
