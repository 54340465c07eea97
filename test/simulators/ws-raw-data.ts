import type { RawData } from 'ws';

/**
 * A `ws` message as text. With the default binaryType ('nodebuffer') every message is one Buffer;
 * the other shapes RawData allows (a fragmented Buffer[], an ArrayBuffer) are decoded the same way.
 */
export function rawDataToString(data: RawData): string {
  if (Array.isArray(data)) return Buffer.concat(data).toString('utf8');
  if (data instanceof ArrayBuffer) return Buffer.from(data).toString('utf8');
  return data.toString('utf8');
}
